package procurementui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// exportCSV downloads the contracts with their ratings as CSV.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request) { h.export(w, r, "csv") }

// exportXLSX downloads the contracts with their ratings as a workbook.
func (h *Handler) exportXLSX(w http.ResponseWriter, r *http.Request) { h.export(w, r, "xlsx") }

func (h *Handler) export(w http.ResponseWriter, r *http.Request, ext string) {
	e, err := h.svc.ExportContracts(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	h.kit.Download(w, r, "contracts", ext, e)
}
