package inspectionsui

import (
	"bytes"
	"io"
	"net/http"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/inspections"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// exportCSV downloads the inspections with their agencies, sites and
// outcomes as CSV, in the reader's language.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request) {
	h.export(w, r, "text/csv; charset=utf-8", "csv", inspections.Export.WriteCSV)
}

// exportXLSX downloads the same as an Excel workbook.
func (h *Handler) exportXLSX(w http.ResponseWriter, r *http.Request) {
	h.export(w, r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", inspections.Export.WriteXLSX)
}

// export writes the file in full before answering, so a failure is an
// error page rather than half a download.
func (h *Handler) export(w http.ResponseWriter, r *http.Request, ctype, ext string, write func(inspections.Export, io.Writer, *i18n.Printer) error) {
	e, err := h.inspections.ExportAll(r.Context(), page.Actor(r))
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
	w.Header().Set("Content-Disposition", `attachment; filename="inspections.`+ext+`"`)
	_, _ = w.Write(buf.Bytes())
}
