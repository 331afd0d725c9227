package sitechecks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// Check is one visit to a site.
type Check struct {
	ID           string
	ContractID   string
	SiteID       string
	CheckedOn    string
	Inspectors   string
	Organisation string
	FormID       string
	FormVersion  string
	Answers      forms.Answers
	CreatedAt    time.Time
	// Counts, filled by every read.
	Findings   int
	Critical   int
	OpenCount  int // actions still pending
	Overdue    int // pending actions past their deadline
	Screenings int // screenings the check started
	// Filled by Check only: the findings with their actions (most serious
	// first) and the screenings started.
	FindingList   []Finding
	ScreeningList []StartedScreening
	// screen are the screening answers the check's signs stand for, on
	// its own questionnaire; filled by Check only.
	screen map[string]screening.Answer
}

// WorkersSpoken is the number of workers the inspectors spoke to.
func (c Check) WorkersSpoken() int {
	n, _ := strconv.Atoi(c.Answers.Values["workers_spoken"])
	return n
}

// SignsAboutWorkers reports whether the check recorded signs about workers,
// so a screening can be started from it.
// Filled by Service.Check only.
func (c Check) SignsAboutWorkers() bool { return len(c.screen) > 0 }

// StartedScreening is a screening a check started.
type StartedScreening struct {
	ScreeningID string
	StartedAt   time.Time
	Username    string
}

// CheckInput is the check form apart from the questionnaire's answers.
type CheckInput struct {
	ContractID   string
	SiteID       string
	CheckedOn    string
	Inspectors   string
	Organisation string
	// Form is the stored questionnaire answered ("" the shipped one).
	Form string
}

func (in *CheckInput) check(today string) apperr.Fields {
	var f fields
	f.date(&in.CheckedOn, "checked_on")
	if in.CheckedOn > today {
		f.Add("checked_on", "sitechecks.error.future")
	}
	f.text(&in.Inspectors, "inspectors", maxShort, true)
	f.text(&in.Organisation, "organisation", maxShort, true)
	return f.Fields
}

// Record records a check of a site of a contract with the questionnaire's
// posted answers (in lang, for the questionnaire's messages), and the
// findings its answers signal. A site of another contract is refused and
// nothing is stored. The answers are returned as read, so a refused form
// can be shown again with them.
func (s *Service) Record(ctx context.Context, actor access.Actor, in CheckInput, values url.Values, lang string) (Check, forms.Answers, error) {
	if err := s.authorize(ctx, actor, access.ManageProcurement, "site_check", ""); err != nil {
		return Check{}, forms.Answers{}, err
	}
	if _, err := s.procurement.Contract(ctx, actor, in.ContractID); err != nil {
		return Check{}, forms.Answers{}, err
	}
	f := in.check(s.today())
	site, err := s.procurement.Site(ctx, actor, in.SiteID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		f.Add("site_id", "sitechecks.error.site")
	case err != nil:
		return Check{}, forms.Answers{}, err
	case site.ContractID != in.ContractID:
		f.Add("site_id", "sitechecks.error.site_other_contract")
	}
	var form CheckForm
	if err := s.db.Read(ctx, func(tx *storage.Tx) (err error) {
		form, err = s.formByID(ctx, tx, in.Form)
		return err
	}); err != nil {
		return Check{}, forms.Answers{}, err
	}
	ans, err := form.Form.Decode(values, lang)
	if err != nil {
		e := apperr.As(err)
		if e.Code != apperr.Invalid {
			return Check{}, ans, err
		}
		f = append(f, e.Fields...)
	}
	var pf fields
	flagged := pf.aboutPerson(form.answerTexts(ans), confirmedNotPerson(values))
	f = append(f, pf.Fields...)
	if err := f.Err(); err != nil {
		return Check{}, ans, err
	}
	b, err := json.Marshal(ans)
	if err != nil {
		return Check{}, ans, fmt.Errorf("encode check answers: %w", err)
	}
	id, now := newID(), s.now()
	derived := form.derive(ans)
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO site_checks
			(id, contract_id, site_id, checked_on, inspectors, organisation, form_id, form_version, answers, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			id, in.ContractID, in.SiteID, in.CheckedOn, in.Inspectors, in.Organisation, form.FormID, form.Version,
			string(b), actor.UserID, now); err != nil {
			return err
		}
		if err := addDerived(ctx, tx, form, id, derived, lang, actor.UserID, now); err != nil {
			return err
		}
		if err := s.recordConfirmed(ctx, tx, actor, id, flagged); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "site_check.create", "site_check", id, fmt.Sprintf("findings=%d", len(derived)))
	})
	if err != nil {
		return Check{}, ans, err
	}
	c, err := s.Check(ctx, actor, id)
	return c, ans, err
}

// addDerived stores the findings signals give a check. The shipped form's
// have a standard text in every language; an imported form's keep its
// item's label in lang.
func addDerived(ctx context.Context, tx *storage.Tx, form CheckForm, checkID string, derived []Signal, lang, by string, now time.Time) error {
	for _, sg := range derived {
		text := ""
		if !form.Shipped() {
			text = form.label(sg.Question, lang)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO site_check_findings
			(id, check_id, severity, signal, description, created_by, created_at, updated_at, contract_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7, (SELECT contract_id FROM site_checks WHERE id = $2))`,
			newID(), checkID, sg.Severity, sg.Question, text, by, now); err != nil {
			return err
		}
	}
	return nil
}

// checksQuery selects checks (where names them as c, $2 is its argument)
// in order, a page when order ends in a LIMIT, with their counts of
// findings, pending and overdue actions ($1 is today) and screenings,
// added up for the checks listed in grouped joins so a contract of
// hundreds of sites is read in one pass of each table.
func checksQuery(where, order string) string {
	in := `SELECT c.id FROM site_checks c WHERE ` + where + order
	return `WITH fc AS (SELECT f.check_id, count(*) AS n, sum(CASE WHEN f.severity = 'critical' THEN 1 ELSE 0 END) AS critical
			FROM site_check_findings f WHERE f.check_id IN (` + in + `) GROUP BY f.check_id),
		ac AS (SELECT f.check_id, count(*) AS pending, sum(CASE WHEN a.due_on < $1 THEN 1 ELSE 0 END) AS overdue
			FROM site_check_actions a JOIN site_check_findings f ON f.id = a.finding_id
			WHERE a.status IN ('open', 'in_progress') AND f.check_id IN (` + in + `) GROUP BY f.check_id),
		xc AS (SELECT x.check_id, count(*) AS n FROM site_check_screenings x WHERE x.check_id IN (` + in + `) GROUP BY x.check_id)
		SELECT c.id, c.contract_id, c.site_id, c.checked_on, c.inspectors, c.organisation, c.form_id, c.form_version, c.answers, c.created_at,
			COALESCE(fc.n, 0), COALESCE(fc.critical, 0), COALESCE(ac.pending, 0), COALESCE(ac.overdue, 0), COALESCE(xc.n, 0)
		FROM site_checks c LEFT JOIN fc ON fc.check_id = c.id LEFT JOIN ac ON ac.check_id = c.id LEFT JOIN xc ON xc.check_id = c.id
		WHERE ` + where + order
}

func scanCheck(r interface{ Scan(...any) error }) (Check, error) {
	var c Check
	var answers string
	err := r.Scan(&c.ID, &c.ContractID, &c.SiteID, &c.CheckedOn, &c.Inspectors, &c.Organisation, &c.FormID, &c.FormVersion, &answers, &c.CreatedAt,
		&c.Findings, &c.Critical, &c.OpenCount, &c.Overdue, &c.Screenings)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(answers), &c.Answers); err != nil {
		return c, fmt.Errorf("decode answers of site check %s: %w", c.ID, err)
	}
	return c, nil
}

// read asks the policy whether actor may read checks.
func (s *Service) read(ctx context.Context, actor access.Actor, id string) error {
	return s.authorize(ctx, actor, access.ViewProcurement, "site_check", id)
}

// Check returns a check with its findings, their actions and the
// screenings it started.
func (s *Service) Check(ctx context.Context, actor access.Actor, id string) (Check, error) {
	if err := s.read(ctx, actor, id); err != nil {
		return Check{}, err
	}
	today := s.today()
	var c Check
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		c, err = scanCheck(tx.QueryRowContext(ctx, checksQuery(`c.id = $2`, ``), today, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound()
		}
		if err != nil {
			return err
		}
		found, err := findingsOf(ctx, tx, today, "id", id)
		if err != nil {
			return err
		}
		c.FindingList = found[id]
		if c.ScreeningList, err = screeningsOf(ctx, tx, id); err != nil {
			return err
		}
		form, err := s.formOf(ctx, tx, c.FormID, c.FormVersion)
		c.screen = form.screeningAnswers(c.Answers)
		return err
	})
	if apperr.Is(err, apperr.NotFound) {
		return Check{}, s.refuse(ctx, actor, access.ViewProcurement, "site_check", id, err)
	}
	return c, err
}

func screeningsOf(ctx context.Context, tx *storage.Tx, checkID string) ([]StartedScreening, error) {
	rows, err := tx.QueryContext(ctx, `SELECT x.screening_id, x.started_at, u.username FROM site_check_screenings x
		JOIN users u ON u.id = x.started_by WHERE x.check_id = $1 ORDER BY x.started_at, x.screening_id`, checkID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StartedScreening
	for rows.Next() {
		var x StartedScreening
		if err := rows.Scan(&x.ScreeningID, &x.StartedAt, &x.Username); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// List is the checks of a contract or a site, newest first, with their
// totals.
type List struct {
	// Checks are the checks listed, from Offset; Total counts them all.
	Checks        []Check
	Offset, Total int
	// SiteNames names the checks' sites by id.
	SiteNames map[string]string
	// OverdueActions are the pending corrective actions past their
	// deadline, the longest overdue first (at most CheckPageSize on a
	// page; Overdue counts them all).
	OverdueActions []OverdueAction
	// Totals over the checks.
	Findings, Critical, OpenCount, Overdue, Screenings int
}

// CheckPageSize is how many checks, and overdue actions, a page lists.
const CheckPageSize = 50

// ChecksOfContract lists all the checks of a contract's sites, for the
// exports. The contract must be in the actor's view.
func (s *Service) ChecksOfContract(ctx context.Context, actor access.Actor, contractID string) (procurement.Contract, List, error) {
	return s.contractChecks(ctx, actor, contractID, -1)
}

// CheckPage lists CheckPageSize checks of a contract's sites from offset,
// newest first, with the totals over all of them: a contract with hundreds
// of sites reads and shows a page at a time.
func (s *Service) CheckPage(ctx context.Context, actor access.Actor, contractID string, offset int) (procurement.Contract, List, error) {
	return s.contractChecks(ctx, actor, contractID, max(offset, 0))
}

// contractChecks lists a contract's checks from offset, all of them when
// offset is negative.
func (s *Service) contractChecks(ctx context.Context, actor access.Actor, contractID string, offset int) (procurement.Contract, List, error) {
	if err := s.read(ctx, actor, contractID); err != nil {
		return procurement.Contract{}, List{}, err
	}
	c, err := s.procurement.Contract(ctx, actor, contractID)
	if err != nil {
		return procurement.Contract{}, List{}, err
	}
	names, err := s.procurement.SiteNames(ctx, actor, contractID)
	if err != nil {
		return procurement.Contract{}, List{}, err
	}
	l, err := s.list(ctx, "contract_id", contractID, offset)
	l.SiteNames = names
	return c, l, err
}

// ChecksOfSite lists the checks of a site. The site must be in the
// actor's view.
func (s *Service) ChecksOfSite(ctx context.Context, actor access.Actor, siteID string) (procurement.Site, List, error) {
	if err := s.read(ctx, actor, siteID); err != nil {
		return procurement.Site{}, List{}, err
	}
	site, err := s.procurement.Site(ctx, actor, siteID)
	if err != nil {
		return procurement.Site{}, List{}, err
	}
	l, err := s.list(ctx, "site_id", siteID, -1)
	l.SiteNames[site.ID] = site.Name
	return site, l, err
}

// OverdueAction is a corrective action past its deadline, with the check
// and finding it belongs to.
type OverdueAction struct {
	Action
	CheckID  string
	SiteID   string
	Severity Severity
}

// list reads the checks of a contract or a site (by names the column,
// "contract_id" or "site_id"; $1 is today, $2 id) from offset, a page of
// CheckPageSize, or all of them when offset is negative; the totals always
// count them all. A contract's findings and actions carry its id, so its
// totals and overdue actions are read from their own indexes.
func (s *Service) list(ctx context.Context, by, id string, offset int) (List, error) {
	l := List{SiteNames: map[string]string{}, Offset: max(offset, 0)}
	page := ""
	if offset >= 0 {
		page = fmt.Sprintf(" LIMIT %d OFFSET %d", CheckPageSize, offset)
	}
	where := `c.` + by + ` = $2`
	findingsOf, actionsOf := `f.check_id IN (SELECT c.id FROM site_checks c WHERE `+where+`)`, `a.finding_id IN (SELECT f.id FROM site_check_findings f
		JOIN site_checks c ON c.id = f.check_id WHERE `+where+`)`
	if by == "contract_id" {
		findingsOf, actionsOf = `f.contract_id = $2`, `a.contract_id = $2`
	}
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		// The totals in one pass of each table.
		if err := tx.QueryRowContext(ctx, `WITH f AS (SELECT count(*) AS n, COALESCE(sum(CASE WHEN f.severity = 'critical' THEN 1 ELSE 0 END), 0) AS critical
				FROM site_check_findings f WHERE `+findingsOf+`),
			a AS (SELECT count(*) AS pending, COALESCE(sum(CASE WHEN a.due_on < $1 THEN 1 ELSE 0 END), 0) AS overdue
				FROM site_check_actions a WHERE a.status IN ('open', 'in_progress') AND `+actionsOf+`),
			x AS (SELECT count(*) AS n FROM site_check_screenings x WHERE x.check_id IN (SELECT c.id FROM site_checks c WHERE `+where+`))
			SELECT (SELECT count(*) FROM site_checks c WHERE `+where+`), f.n, f.critical, a.pending, a.overdue, x.n FROM f, a, x`, s.today(), id).
			Scan(&l.Total, &l.Findings, &l.Critical, &l.OpenCount, &l.Overdue, &l.Screenings); err != nil {
			return fmt.Errorf("count site checks: %w", err)
		}
		overdue, err := tx.QueryContext(ctx, `SELECT `+actionColumns+`, c.id, c.site_id, f.severity
			FROM site_check_actions a JOIN site_check_findings f ON f.id = a.finding_id JOIN site_checks c ON c.id = f.check_id
			WHERE `+actionsOf+` AND a.status IN ('open', 'in_progress') AND a.due_on < $1 ORDER BY a.due_on, a.id`+page, s.today(), id)
		if err != nil {
			return err
		}
		for overdue.Next() {
			var o OverdueAction
			var late int
			if err := overdue.Scan(&o.ID, &o.FindingID, &o.Action.Action, &o.Owner, &o.DueOn, &o.Verification, &o.VerifiedOn, &o.Status, &late,
				&o.CheckID, &o.SiteID, &o.Severity); err != nil {
				overdue.Close()
				return err
			}
			o.Overdue = late == 1
			l.OverdueActions = append(l.OverdueActions, o)
		}
		overdue.Close()
		if err := overdue.Err(); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, checksQuery(where, ` ORDER BY c.checked_on DESC, c.created_at DESC, c.id`+page), s.today(), id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCheck(rows)
			if err != nil {
				return err
			}
			l.Checks = append(l.Checks, c)
		}
		return rows.Err()
	})
	return l, err
}

// SiteToCheck returns the site a new check is about to be recorded for.
func (s *Service) SiteToCheck(ctx context.Context, actor access.Actor, siteID string) (procurement.Site, error) {
	if err := s.authorize(ctx, actor, access.ManageProcurement, "site_check", ""); err != nil {
		return procurement.Site{}, err
	}
	return s.procurement.Site(ctx, actor, siteID)
}

// Where returns the contract and site of a check, to name them on its
// pages.
func (s *Service) Where(ctx context.Context, actor access.Actor, c Check) (procurement.Contract, procurement.Site, error) {
	contract, err := s.procurement.Contract(ctx, actor, c.ContractID)
	if err != nil {
		return procurement.Contract{}, procurement.Site{}, err
	}
	site, err := s.procurement.Site(ctx, actor, c.SiteID)
	return contract, site, err
}
