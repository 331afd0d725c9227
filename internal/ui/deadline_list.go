package ui

import (
	"net/http"
	"strconv"
	"time"

	"waymark.city/waymark/internal/cases"
)

type deadlinesPage struct {
	Deadlines []cases.Deadline
	Days      int
	Mine      bool
	Today     string
}

// listDeadlines is the deadlines dashboard: what falls due on the
// organisation's cases (or the worker's own), overdue first.
func (h *Handler) listDeadlines(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "deadlines.title")
	q := r.URL.Query()
	days, _ := strconv.Atoi(q.Get("days"))
	if days <= 0 || days > 366 {
		days = 14
	}
	mine := q.Get("mine") != ""
	v.Form["days"] = strconv.Itoa(days)
	if mine {
		v.Form["mine"] = "1"
	}
	list, err := h.cases.Deadlines(r.Context(), actor(r), cases.DeadlineFilter{Mine: mine, Days: days})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Data = deadlinesPage{Deadlines: list, Days: days, Mine: mine, Today: time.Now().UTC().Format(time.DateOnly)}
	h.shell.Render(w, r, http.StatusOK, "deadlines", v)
}
