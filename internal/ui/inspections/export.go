package inspectionsui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// exportCSV downloads the inspections with their agencies, sites and
// outcomes as CSV, in the reader's language.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request) { h.export(w, r, "csv") }

// exportXLSX downloads the same as an Excel workbook.
func (h *Handler) exportXLSX(w http.ResponseWriter, r *http.Request) { h.export(w, r, "xlsx") }

func (h *Handler) export(w http.ResponseWriter, r *http.Request, ext string) {
	e, err := h.inspections.ExportAll(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	h.kit.Download(w, r, "inspections", ext, e)
}
