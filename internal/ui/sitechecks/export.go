package sitechecksui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// exportCSV downloads the checks of a contract with their findings and
// corrective actions as CSV, in the reader's language.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request) { h.export(w, r, "csv") }

// exportXLSX downloads the same as an Excel workbook.
func (h *Handler) exportXLSX(w http.ResponseWriter, r *http.Request) { h.export(w, r, "xlsx") }

func (h *Handler) export(w http.ResponseWriter, r *http.Request, ext string) {
	e, err := h.checks.ExportContract(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	h.kit.Download(w, r, "site-checks-"+e.Contract.ID, ext, e)
}
