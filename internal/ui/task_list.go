package ui

import (
	"net/http"
	"time"

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
