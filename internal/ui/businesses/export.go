package businessesui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// exportCSV downloads the businesses with their commitments and follow-up
// dates as CSV, in the reader's language.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request) { h.export(w, r, "csv") }

// exportXLSX downloads the same as an Excel workbook.
func (h *Handler) exportXLSX(w http.ResponseWriter, r *http.Request) { h.export(w, r, "xlsx") }

func (h *Handler) export(w http.ResponseWriter, r *http.Request, ext string) {
	e, err := h.businesses.ExportAll(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	h.kit.Download(w, r, "businesses-"+e.Today, ext, e)
}
