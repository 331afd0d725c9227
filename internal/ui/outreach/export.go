package outreachui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// exportCSV downloads the aggregates of the overview's period and range
// (per, from, to) as CSV, in the reader's language.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request) { h.export(w, r, "csv") }

// exportXLSX downloads the same as an Excel workbook.
func (h *Handler) exportXLSX(w http.ResponseWriter, r *http.Request) { h.export(w, r, "xlsx") }

func (h *Handler) export(w http.ResponseWriter, r *http.Request, ext string) {
	q := r.URL.Query()
	e, err := h.outreach.ExportAggregates(r.Context(), page.Actor(r), q.Get("per"), q.Get("from"), q.Get("to"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	h.kit.Download(w, r, "outreach-"+e.From+"-"+e.To, ext, e)
}
