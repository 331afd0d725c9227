package cases

import (
	"context"
	"fmt"
	"io"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/spreadsheet"
	"waymark.city/waymark/internal/storage"
)

// DeadlineExport is the deadlines dashboard as a file: every deadline its
// filter finds, up to MaxExportRows. It names cases by code only, as the
// dashboard does, so it holds no personal data.
type DeadlineExport struct {
	Deadlines []Deadline
	// More is true when more deadlines matched than the export holds.
	More bool
	// Today is the day overdue is counted from (YYYY-MM-DD).
	Today string
}

// ExportDeadlines reads the deadlines dashboard under filter f as a file;
// the export, its filter and row count are audited in the transaction
// that reads it.
func (s *Service) ExportDeadlines(ctx context.Context, actor access.Actor, f DeadlineFilter) (DeadlineExport, error) {
	scope, err := s.authorize(ctx, actor, access.ViewCases, "deadlines", "")
	if err != nil {
		return DeadlineExport{}, err
	}
	q := s.deadlinesQuery(scope, actor, f, MaxExportRows+1)
	out := DeadlineExport{Today: s.now().Format(time.DateOnly)}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, q.SQL, q.Args...)
		if err != nil {
			return fmt.Errorf("list deadlines: %w", err)
		}
		if out.Deadlines, err = scanDeadlines(rows); err != nil {
			return err
		}
		if len(out.Deadlines) > MaxExportRows {
			out.Deadlines, out.More = out.Deadlines[:MaxExportRows], true
		}
		detail := fmt.Sprintf("rows=%d more=%t days=%d mine=%t", len(out.Deadlines), out.More, q.Args[1], f.Mine)
		return s.record(ctx, tx, actor, "deadlines.export", audit.Allowed, "deadlines", "", "", detail)
	})
	if err != nil {
		return DeadlineExport{}, err
	}
	sortDeadlines(out.Deadlines)
	return out, nil
}

// rows lays the export out in p's language, a deadline a row.
func (e DeadlineExport) rows(p *i18n.Printer) [][]string {
	out := [][]string{{p.T("deadlines.due"), p.T("lists.overdue"), p.T("deadlines.kind"), p.T("case.code")}}
	for _, d := range e.Deadlines {
		due := d.Due.Format(time.DateOnly)
		overdue := p.T("lists.no")
		if due < e.Today {
			overdue = p.T("lists.yes")
		}
		out = append(out, []string{due, overdue, p.T("deadline.kind." + d.Kind), d.CaseCode})
	}
	if e.More {
		out = append(out, []string{p.T("lists.more", "n", MaxExportRows)})
	}
	return out
}

// WriteCSV writes the export as CSV in p's language.
func (e DeadlineExport) WriteCSV(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteCSV(w, e.rows(p))
}

// WriteXLSX writes the export as an Excel workbook in p's language.
func (e DeadlineExport) WriteXLSX(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteXLSX(w, p.T("deadlines.title"), e.rows(p))
}
