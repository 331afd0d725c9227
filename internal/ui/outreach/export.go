package outreachui

import (
	"bytes"
	"io"
	"net/http"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/outreach"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// exportCSV downloads the aggregates of the overview's period and range
// (per, from, to) as CSV, in the reader's language.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request) {
	h.export(w, r, "text/csv; charset=utf-8", "csv", outreach.Export.WriteCSV)
}

// exportXLSX downloads the same as an Excel workbook.
func (h *Handler) exportXLSX(w http.ResponseWriter, r *http.Request) {
	h.export(w, r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", outreach.Export.WriteXLSX)
}

// export writes the file in full before answering, so a failure is an
// error page rather than half a download.
func (h *Handler) export(w http.ResponseWriter, r *http.Request, ctype, ext string, write func(outreach.Export, io.Writer, *i18n.Printer) error) {
	q := r.URL.Query()
	e, err := h.outreach.ExportAggregates(r.Context(), page.Actor(r), q.Get("per"), q.Get("from"), q.Get("to"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := write(e, &buf, web.Printer(r)); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="outreach-`+e.From+`-`+e.To+`.`+ext+`"`)
	_, _ = w.Write(buf.Bytes())
}
