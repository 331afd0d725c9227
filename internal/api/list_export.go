package api

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/web"
)

// exportCasesCSV answers the case list under the filters of
// GET /api/v1/cases as CSV, every matching case up to cases.MaxExportRows;
// personal=1 adds the names and contact details the caller may reveal.
// Times are in UTC, as everywhere in the API.
func (h *Handler) exportCasesCSV(w http.ResponseWriter, r *http.Request) error {
	return h.exportCases(w, r, "csv")
}

// exportCasesXLSX answers the same as an Excel workbook.
func (h *Handler) exportCasesXLSX(w http.ResponseWriter, r *http.Request) error {
	return h.exportCases(w, r, "xlsx")
}

func (h *Handler) exportCases(w http.ResponseWriter, r *http.Request, ext string) error {
	q := r.URL.Query()
	e, err := h.cases.Export(r.Context(), actor(r), cases.FilterOf(q.Get), q.Get("personal") == "1")
	if err != nil {
		return err
	}
	return web.SendSheet(w, r, "cases", ext, e)
}

// exportDeadlinesCSV answers the deadlines under the filters of
// GET /api/v1/deadlines as CSV.
func (h *Handler) exportDeadlinesCSV(w http.ResponseWriter, r *http.Request) error {
	return h.exportDeadlines(w, r, "csv")
}

// exportDeadlinesXLSX answers the same as an Excel workbook.
func (h *Handler) exportDeadlinesXLSX(w http.ResponseWriter, r *http.Request) error {
	return h.exportDeadlines(w, r, "xlsx")
}

func (h *Handler) exportDeadlines(w http.ResponseWriter, r *http.Request, ext string) error {
	days, _ := strconv.Atoi(r.URL.Query().Get("days"))
	e, err := h.cases.ExportDeadlines(r.Context(), actor(r), cases.DeadlineFilter{Days: days, Mine: r.URL.Query().Get("mine") != ""})
	if err != nil {
		return err
	}
	return web.SendSheet(w, r, "deadlines", ext, e)
}
