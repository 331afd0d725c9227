package procurementui

import (
	"bytes"
	"io"
	"net/http"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// exportCSV downloads the contracts with their ratings as CSV.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request) {
	h.export(w, r, "text/csv; charset=utf-8", "contracts.csv", procurement.Export.WriteCSV)
}

// exportXLSX downloads the contracts with their ratings as a workbook.
func (h *Handler) exportXLSX(w http.ResponseWriter, r *http.Request) {
	h.export(w, r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "contracts.xlsx", procurement.Export.WriteXLSX)
}

// export writes the export in the reader's language, whole before the
// first byte goes out, so a failure is still an error page.
func (h *Handler) export(w http.ResponseWriter, r *http.Request, contentType, name string,
	write func(procurement.Export, io.Writer, *i18n.Printer) error) {
	e, err := h.svc.ExportContracts(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := write(e, &buf, web.Printer(r)); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = w.Write(buf.Bytes())
}
