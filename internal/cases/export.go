package cases

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/spreadsheet"
	"waymark.city/waymark/internal/storage"
)

// MaxExportRows bounds a list export: the first MaxExportRows cases in the
// list's order are exported, and the export says when more matched.
const MaxExportRows = 5000

// ExportRow is one case of a case list export.
type ExportRow struct {
	Case
	// Person is who the person is, in an export with personal data and
	// only where the actor could reveal it on the case page (on the case's
	// team, the identity owned or shared); nil otherwise.
	Person *Person
}

// Export is the case list as a file: every case the list's filter
// matches, not one page, up to MaxExportRows.
type Export struct {
	Rows []ExportRow
	// Personal marks an export with the person's name, date of birth and
	// contact details beside the codes.
	Personal bool
	// More is true when more cases matched than the export holds.
	More bool
	// Areas names the city's areas by code.
	Areas map[string]string
	// Zone is the installation's time zone the times are written in;
	// nil writes UTC.
	Zone *time.Location
}

// Export reads the case list under filter f as a file, with the persons'
// identities when personal is set. Personal data is for roles that may
// reveal an identity at all, after a step-up; anyone else (the analyst)
// is refused with a message saying so, the refusal audited and nothing
// read. The export, its filters and row count are audited in the
// transaction that reads it, and each identity opened is audited as a
// reveal on its case.
func (s *Service) Export(ctx context.Context, actor access.Actor, f Filter, personal bool) (Export, error) {
	if personal {
		if err := s.RefusePersonalExport(ctx, actor, "case_list", access.Can(actor, access.RevealIdentity)); err != nil {
			return Export{}, err
		}
	}
	scope, err := s.authorize(ctx, actor, access.ViewCases, "cases", "")
	if err != nil {
		return Export{}, err
	}
	if personal && !actor.SteppedUp {
		return Export{}, apperr.New(apperr.StepUp, "error.step_up")
	}
	queries, err := s.listQueries(scope, actor, f, MaxExportRows+1)
	if err != nil {
		return Export{}, err
	}
	areas, err := s.areas(ctx)
	if err != nil {
		return Export{}, err
	}
	out := Export{Personal: personal, Areas: map[string]string{}}
	for _, a := range areas {
		out.Areas[a.Code] = a.Name
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		list, err := listed(ctx, tx, queries)
		if err != nil {
			return err
		}
		if len(list) > MaxExportRows {
			list, out.More = list[:MaxExportRows], true
		}
		var mayReveal func(Case) bool
		if personal {
			if mayReveal, err = s.revealable(ctx, tx, actor, scope); err != nil {
				return err
			}
		}
		revealed := 0
		for _, c := range list {
			row := ExportRow{Case: c}
			if personal && c.HasIdentity && mayReveal(c) {
				p, err := s.PersonIn(ctx, tx, c)
				if err != nil {
					return err
				}
				row.Person = &p
				revealed++
				if err := s.record(ctx, tx, actor, "case.reveal_identity", audit.Allowed, "case", c.ID, c.OrgID, "export"); err != nil {
					return err
				}
			}
			out.Rows = append(out.Rows, row)
		}
		detail := fmt.Sprintf("rows=%d more=%t personal=%t identities=%d %s", len(out.Rows), out.More, personal, revealed, f.auditText())
		return s.record(ctx, tx, actor, "case_list.export", audit.Allowed, "cases", "", "", detail)
	})
	if err != nil {
		return Export{}, err
	}
	return out, nil
}

// RefusePersonalExport refuses an export of list with personal data
// (names, contact details, free text) to a role that never sees personal
// data, or that may not see this list's (may is false): the refusal says
// so in the reader's language and is audited as "<list>.export" denied.
// It returns nil when the export may go ahead.
func (s *Service) RefusePersonalExport(ctx context.Context, actor access.Actor, list string, may bool) error {
	if may && actor.Role.SeesPersonalData() {
		return nil
	}
	return s.denied(ctx, actor, list+".export", list, "", apperr.New(apperr.Forbidden, "error.export_personal_data"))
}

// revealable tells which cases' identities the actor could reveal on the
// case page: on the case's team (worker or member), where their
// organisation owns the case or was given its identity by a share.
func (s *Service) revealable(ctx context.Context, tx *storage.Tx, actor access.Actor, scope access.Scope) (func(Case) bool, error) {
	member, err := caseIDs(ctx, tx, `SELECT case_id FROM case_members WHERE user_id = $1`, actor.UserID)
	if err != nil {
		return nil, err
	}
	shared, err := caseIDs(ctx, tx, `SELECT case_id FROM case_shares WHERE to_org = $1 AND status = 'accepted'
		AND categories LIKE '%"`+string(Identity)+`"%'`, actor.OrgID)
	if err != nil {
		return nil, err
	}
	return func(c Case) bool {
		return (c.WorkerID == actor.UserID || member[c.ID]) && (scope.Includes(c.OrgID) || shared[c.ID])
	}, nil
}

// caseIDs runs a query of case ids with one argument.
func caseIDs(ctx context.Context, tx *storage.Tx, q string, arg string) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, q, arg)
	if err != nil {
		return nil, fmt.Errorf("list case ids: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan case id: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// auditText names the filters for the audit log: codes only, and of a
// search only whether it was a code or a name, never the name.
func (f Filter) auditText() string {
	parts := []string{"stage=" + f.Stage}
	for _, kv := range [][2]string{{"risk", f.Risk}, {"exploitation", f.Exploitation}, {"deadline", f.Deadline}, {"area", f.Area}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if f.Mine {
		parts = append(parts, "mine")
	}
	switch q := strings.ToUpper(strings.TrimSpace(f.Query)); {
	case q == "":
	case looksLikeCode(q, "C") || looksLikeCode(q, "G"):
		parts = append(parts, "q=code")
	default:
		parts = append(parts, "q=name")
	}
	return strings.Join(parts, " ")
}

// rows lays the export out in p's language, a case a row.
func (e Export) rows(p *i18n.Printer) [][]string {
	head := []string{p.T("case.code"), p.T("lists.group"), p.T("lists.organisation"), p.T("case.stage"), p.T("case.risk"),
		p.T("case.exploitation"), p.T("case.gender"), p.T("case.age_band"), p.T("case.child"), p.T("case.citizenships"),
		p.T("case.area"), p.T("case.opened"), p.T("case.updated")}
	if e.Personal {
		head = append(head, p.T("case.given_names"), p.T("case.family_name"), p.T("case.birth_date"), p.T("case.contact"))
	}
	out := [][]string{head}
	for _, r := range e.Rows {
		forms := make([]string, len(r.Exploitation))
		for i, f := range r.Exploitation {
			forms[i] = p.T("case.exploitation." + f)
		}
		risk := ""
		if r.RiskLevel != "" {
			risk = p.T("risk.level." + r.RiskLevel)
		}
		child := p.T("lists.no")
		if r.Child {
			child = p.T("lists.yes")
		}
		area := r.AreaCode
		if name := e.Areas[r.AreaCode]; name != "" {
			area = name
		}
		row := []string{r.Code, r.GroupCode, r.OrgName, p.T("case.stage." + string(r.Stage)), risk, strings.Join(forms, ", "),
			p.T("case.gender." + r.Gender), p.T("case.age." + r.AgeBand), child, strings.Join(r.Citizenships, ", "), area,
			spreadsheet.Time(r.CreatedAt, e.Zone), spreadsheet.Time(r.UpdatedAt, e.Zone)}
		if e.Personal {
			if r.Person != nil {
				row = append(row, r.Person.GivenNames, r.Person.FamilyName, r.Person.BirthDate, r.Person.Contact)
			} else {
				row = append(row, "", "", "", "")
			}
		}
		out = append(out, row)
	}
	if e.More {
		out = append(out, []string{p.T("lists.more", "n", MaxExportRows)})
	}
	return out
}

// WriteCSV writes the export as CSV in p's language.
func (e Export) WriteCSV(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteCSV(w, e.rows(p))
}

// WriteXLSX writes the export as an Excel workbook in p's language.
func (e Export) WriteXLSX(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteXLSX(w, p.T("cases.title"), e.rows(p))
}
