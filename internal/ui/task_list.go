package ui

import (
	"net/http"
	"net/url"
	"time"

	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/crisisunit"
)

// deadlineView is one of the user's deadlines as a table row.
type deadlineView struct {
	crisisunit.UserDeadline
	Overdue bool
}

type taskListPage struct {
	Tasks     []taskView
	Deadlines []deadlineView
	UserID    string
	Exports   listExports
}

// listTasks is "my tasks and deadlines": the open crisis-unit tasks of the
// user and their organisation, and the deadlines that fall to the user,
// overdue first. Case codes only: no names on this page.
func (h *Handler) listTasks(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	v := h.view(r, "crisisunit.my_title")
	tasks, err := h.crisisunit.MyTasks(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	dls, err := h.crisisunit.MyDeadlines(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := time.Now()
	page := taskListPage{UserID: a.UserID}
	personal := ""
	if a.Role.SeesPersonalData() {
		personal = "lists.export_text"
	}
	page.Exports = exportsOf(v.P, "task-export", "/tasks", url.Values{}, cases.MaxExportRows, personal)
	for _, t := range tasks {
		// The service lists only tasks of the actor's organisation, which
		// it may close on an open case.
		page.Tasks = append(page.Tasks, taskView{Task: t, Overdue: t.Overdue(now), CanClose: true})
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for _, d := range dls {
		page.Deadlines = append(page.Deadlines, deadlineView{UserDeadline: d, Overdue: d.Due.Before(today)})
	}
	v.Data = page
	h.shell.Render(w, r, http.StatusOK, "task_list", v)
}

// exportTasksCSV downloads the open tasks as CSV; with personal=1 the
// tasks' own wording, which may name the person.
func (h *Handler) exportTasksCSV(w http.ResponseWriter, r *http.Request) { h.exportTasks(w, r, "csv") }

// exportTasksXLSX downloads the same as an Excel workbook.
func (h *Handler) exportTasksXLSX(w http.ResponseWriter, r *http.Request) {
	h.exportTasks(w, r, "xlsx")
}

func (h *Handler) exportTasks(w http.ResponseWriter, r *http.Request, ext string) {
	e, err := h.crisisunit.ExportTasks(r.Context(), actor(r), r.URL.Query().Get("personal") == "1")
	name := "tasks"
	if e.Personal {
		name = "tasks-personal"
	}
	h.download(w, r, h.fileName(name), ext, e, err)
}
