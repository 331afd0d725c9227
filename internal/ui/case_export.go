package ui

import (
	"net/http"

	"waymark.city/waymark/internal/cases"
)

// exportCasesCSV downloads the case list under its filters as CSV: every
// matching case, not one page; with personal=1 the names and contact
// details the reader may reveal.
func (h *Handler) exportCasesCSV(w http.ResponseWriter, r *http.Request) { h.exportCases(w, r, "csv") }

// exportCasesXLSX downloads the same as an Excel workbook.
func (h *Handler) exportCasesXLSX(w http.ResponseWriter, r *http.Request) {
	h.exportCases(w, r, "xlsx")
}

func (h *Handler) exportCases(w http.ResponseWriter, r *http.Request, ext string) {
	q := r.URL.Query()
	f := cases.FilterOf(q.Get)
	f.Cursor = q.Get("after")
	f.Cursor = ""
	e, err := h.cases.Export(r.Context(), actor(r), f, q.Get("personal") == "1")
	e.Zone = h.shell.Zone()
	name := "cases"
	if e.Personal {
		name = "cases-personal"
	}
	h.download(w, r, h.fileName(name), ext, e, err)
}
