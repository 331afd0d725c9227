package intake

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

// MaxExportRows bounds an export of the triage queue; the export says when
// more reports matched.
const MaxExportRows = 5000

// QueueExportRow is one report of a queue export.
type QueueExportRow struct {
	QueueItem
	// Where, Details and Contact are the reporter's own words (where it
	// was seen, what happened, how to reach them), in an export with
	// personal data only.
	Where, Details, Contact string
}

// QueueExport is the triage queue as a file: every report its filter
// finds, not one page, up to MaxExportRows.
type QueueExport struct {
	Rows []QueueExportRow
	// Personal marks an export with the reporters' own words.
	Personal bool
	More     bool
	// PlaceLabel names a place type in a reader's language (the pages'
	// names of the field guide's places); nil writes the codes.
	PlaceLabel func(p *i18n.Printer, id string) string
	// Zone is the installation's time zone the times are written in;
	// nil writes UTC.
	Zone *time.Location
}

// ExportQueue reads the triage queue under filter f as a file. The
// reporters' own words are personal data: only with personal set, for a
// role that may see personal data (another is refused with a message
// saying so, audited), each report opened audited as a reading of it.
// The export, its filter and row count are audited in the transaction
// that reads it.
func (s *Service) ExportQueue(ctx context.Context, actor access.Actor, f QueueFilter, personal bool) (QueueExport, error) {
	refuse := func(err error) error {
		return s.audit.Refused(ctx, s.db, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: "reports.export",
			SubjectType: "reports"}, err)
	}
	if personal && !actor.Role.SeesPersonalData() {
		return QueueExport{}, refuse(apperr.New(apperr.Forbidden, "error.export_personal_data"))
	}
	scope, err := access.Authorize(actor, access.ViewReports)
	if err != nil {
		return QueueExport{}, refuse(err)
	}
	if err := s.checkQueueFilter(&f); err != nil {
		return QueueExport{}, err
	}
	f.Limit = MaxExportRows + 1
	out := QueueExport{Personal: personal}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		items, err := s.queue(ctx, tx, scope, f)
		if err != nil {
			return err
		}
		if len(items) > MaxExportRows {
			items, out.More = items[:MaxExportRows], true
		}
		for _, it := range items {
			row := QueueExportRow{QueueItem: it}
			if personal {
				if err := s.openWords(ctx, tx, &row); err != nil {
					return err
				}
				if _, err := s.audit.Append(ctx, tx, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: "reports.view",
					Outcome: audit.Allowed, SubjectType: "report", SubjectID: it.ID, SubjectOrgID: it.OrgID, Detail: "export"}); err != nil {
					return err
				}
			}
			out.Rows = append(out.Rows, row)
		}
		detail := fmt.Sprintf("rows=%d more=%t personal=%t status=%s", len(out.Rows), out.More, personal, f.Status)
		for _, kv := range [][2]string{{"urgency", f.Urgency}, {"exploitation", f.Exploitation}, {"place_type", f.PlaceType}} {
			if kv[1] != "" {
				detail += " " + kv[0] + "=" + kv[1]
			}
		}
		_, err = s.audit.Append(ctx, tx, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: "reports.export",
			Outcome: audit.Allowed, SubjectType: "reports", Detail: detail})
		return err
	})
	if err != nil {
		return QueueExport{}, err
	}
	return out, nil
}

// openWords decrypts a report's own words into its export row.
func (s *Service) openWords(ctx context.Context, tx *storage.Tx, row *QueueExportRow) error {
	var details, area, contact []byte
	if err := tx.QueryRowContext(ctx, `SELECT details, area, contact FROM reports WHERE id = $1`, row.ID).Scan(&details, &area, &contact); err != nil {
		return fmt.Errorf("load report %s: %w", row.ID, err)
	}
	for _, f := range []struct {
		name string
		in   []byte
		out  *string
	}{{"details", details, &row.Details}, {"area", area, &row.Where}, {"contact", contact, &row.Contact}} {
		plain, err := s.vault.Open(ctx, tx, record(row.ID), f.name, f.in)
		if err != nil {
			return err
		}
		*f.out = string(plain)
	}
	return nil
}

// rows lays the export out in p's language, a report a row.
func (e QueueExport) rows(p *i18n.Printer) [][]string {
	head := []string{p.T("report.ref"), p.T("lists.received"), p.T("report.urgency"), p.T("report.status"), p.T("lists.source"),
		p.T("report.exploitation"), p.T("report.place"), p.T("report.deadline"), p.T("lists.first_response"), p.T("lists.overdue"),
		p.T("report.assigned")}
	if e.Personal {
		head = append(head, p.T("lists.report_where"), p.T("lists.report_details"), p.T("lists.report_contact"))
	}
	out := [][]string{head}
	local := func(t time.Time) string { return spreadsheet.Time(t, e.Zone) }
	for _, r := range e.Rows {
		forms := make([]string, len(r.Exploitation))
		for i, f := range r.Exploitation {
			forms[i] = p.T("report.exploitation." + f)
		}
		place := r.PlaceType
		if e.PlaceLabel != nil {
			place = e.PlaceLabel(p, r.PlaceType)
		}
		responded := ""
		if r.FirstResponse != nil {
			responded = local(*r.FirstResponse)
		}
		overdue := p.T("lists.no")
		if r.Overdue {
			overdue = p.T("lists.yes")
		}
		row := []string{ShortID(r.ID), local(r.CreatedAt), p.T("report.urgency." + r.Urgency), p.T("report.status." + r.Status),
			p.T("report.source." + r.Source), strings.Join(forms, ", "), place, local(r.Due), responded, overdue, r.AssignedName}
		if e.Personal {
			row = append(row, r.Where, r.Details, r.Contact)
		}
		out = append(out, row)
	}
	if e.More {
		out = append(out, []string{p.T("lists.more", "n", MaxExportRows)})
	}
	return out
}

// WriteCSV writes the export as CSV in p's language.
func (e QueueExport) WriteCSV(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteCSV(w, e.rows(p))
}

// WriteXLSX writes the export as an Excel workbook in p's language.
func (e QueueExport) WriteXLSX(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteXLSX(w, p.T("lists.reports_sheet"), e.rows(p))
}
