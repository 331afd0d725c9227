package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"waymark.city/waymark/internal/cases"
)

type deadlinesPage struct {
	Deadlines []cases.Deadline
	Days      int
	Mine      bool
	Today     string
	Exports   listExports
}

// listDeadlines is the deadlines dashboard: what falls due on the
// organisation's cases (or the worker's own), overdue first.
func (h *Handler) listDeadlines(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "deadlines.title")
	f := deadlineFilter(r.URL.Query())
	v.Form["days"] = strconv.Itoa(f.Days)
	if f.Mine {
		v.Form["mine"] = "1"
	}
	list, err := h.cases.Deadlines(r.Context(), actor(r), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Data = deadlinesPage{Deadlines: list, Days: f.Days, Mine: f.Mine, Today: time.Now().UTC().Format(time.DateOnly),
		Exports: exportsOf(v.P, "deadline-export", "/deadlines", url.Values{"days": {v.Form["days"]}, "mine": {v.Form["mine"]}}, cases.MaxExportRows, "")}
	h.shell.Render(w, r, http.StatusOK, "deadlines", v)
}

// deadlineFilter reads the deadlines dashboard's filter from a query: 14
// days ahead unless 1 to 366 are asked for.
func deadlineFilter(q url.Values) cases.DeadlineFilter {
	days, _ := strconv.Atoi(q.Get("days"))
	if days <= 0 || days > 366 {
		days = 14
	}
	return cases.DeadlineFilter{Days: days, Mine: q.Get("mine") != ""}
}

// exportDeadlinesCSV downloads the deadlines dashboard under its filter as
// CSV: every deadline it finds, cases by code.
func (h *Handler) exportDeadlinesCSV(w http.ResponseWriter, r *http.Request) {
	h.exportDeadlines(w, r, "csv")
}

// exportDeadlinesXLSX downloads the same as an Excel workbook.
func (h *Handler) exportDeadlinesXLSX(w http.ResponseWriter, r *http.Request) {
	h.exportDeadlines(w, r, "xlsx")
}

func (h *Handler) exportDeadlines(w http.ResponseWriter, r *http.Request, ext string) {
	e, err := h.cases.ExportDeadlines(r.Context(), actor(r), deadlineFilter(r.URL.Query()))
	h.download(w, r, h.fileName("deadlines"), ext, e, err)
}
