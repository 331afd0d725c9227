package crisisunit

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/spreadsheet"
	"waymark.city/waymark/internal/storage"
)

// TaskExport is the task list ("my tasks") as a file: every open task of
// the actor and their organisation, up to cases.MaxExportRows.
type TaskExport struct {
	Tasks []Task
	// Personal marks an export with the tasks' own wording, free text that
	// may name the person; without it a worded task shows that it has one.
	Personal bool
	// More is true when more tasks were open than the export holds.
	More  bool
	Today time.Time
}

// ExportTasks reads the task list as a file. The tasks' own wording is
// personal data: only with personal set, for a role that may see
// personal data (another is refused with a message saying so, audited),
// and its reading is audited per case as on the page. The export and its
// row count are audited in the transaction that reads it.
func (s *Service) ExportTasks(ctx context.Context, actor access.Actor, personal bool) (TaskExport, error) {
	if personal {
		if err := s.cases.RefusePersonalExport(ctx, actor, "tasks", true); err != nil {
			return TaskExport{}, err
		}
	}
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCases, "tasks", ""); err != nil {
		return TaskExport{}, err
	}
	out := TaskExport{Personal: personal, Today: s.today()}
	err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		var err error
		if out.Tasks, err = s.myTasks(ctx, tx, actor, cases.MaxExportRows+1, personal); err != nil {
			return err
		}
		if len(out.Tasks) > cases.MaxExportRows {
			out.Tasks, out.More = out.Tasks[:cases.MaxExportRows], true
		}
		return s.cases.Audit(ctx, tx, actor, "tasks.export", "tasks", "", "",
			fmt.Sprintf("rows=%d more=%t personal=%t", len(out.Tasks), out.More, personal))
	})
	if err != nil {
		return TaskExport{}, err
	}
	return out, nil
}

// rows lays the export out in p's language, a task a row.
func (e TaskExport) rows(p *i18n.Printer) [][]string {
	out := [][]string{{p.T("crisisunit.case"), p.T("lists.task_number"), p.T("crisisunit.task"), p.T("crisisunit.source"),
		p.T("crisisunit.owner"), p.T("crisisunit.due"), p.T("lists.overdue")}}
	for _, t := range e.Tasks {
		var task string
		switch {
		case t.HasTitle && e.Personal:
			task = t.Title
		case t.HasTitle:
			task = p.T("lists.task_worded")
		case t.Template != "":
			task = p.T("crisisunit.template." + t.Template)
		}
		source := p.T("crisisunit.conference_number", "number", t.ConferenceNumber)
		if t.ConferenceNumber == 0 {
			source = p.T("crisisunit.from_protocol", "stage", p.T("case.stage."+t.Stage))
		}
		owner := t.OwnerOrgName
		if t.OwnerUsername != "" {
			owner += " · " + t.OwnerUsername
		}
		overdue := p.T("lists.no")
		if t.Overdue(e.Today) {
			overdue = p.T("lists.yes")
		}
		out = append(out, []string{t.CaseCode, strconv.Itoa(t.Number), task, source, owner, t.Due.Format(time.DateOnly), overdue})
	}
	if e.More {
		out = append(out, []string{p.T("lists.more", "n", cases.MaxExportRows)})
	}
	return out
}

// WriteCSV writes the export as CSV in p's language.
func (e TaskExport) WriteCSV(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteCSV(w, e.rows(p))
}

// WriteXLSX writes the export as an Excel workbook in p's language.
func (e TaskExport) WriteXLSX(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteXLSX(w, p.T("lists.tasks_sheet"), e.rows(p))
}
