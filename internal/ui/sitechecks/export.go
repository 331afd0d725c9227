package sitechecksui

import (
	"bytes"
	"io"
	"net/http"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// exportCSV downloads the checks of a contract with their findings and
// corrective actions as CSV, in the reader's language.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request) {
	h.export(w, r, "text/csv; charset=utf-8", "csv", sitechecks.Export.WriteCSV)
}

// exportXLSX downloads the same as an Excel workbook.
func (h *Handler) exportXLSX(w http.ResponseWriter, r *http.Request) {
	h.export(w, r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", sitechecks.Export.WriteXLSX)
}

// export writes the file in full before answering, so a failure is an
// error page rather than half a download.
func (h *Handler) export(w http.ResponseWriter, r *http.Request, ctype, ext string, write func(sitechecks.Export, io.Writer, *i18n.Printer) error) {
	e, err := h.checks.ExportContract(r.Context(), page.Actor(r), r.PathValue("id"))
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
	w.Header().Set("Content-Disposition", `attachment; filename="site-checks-`+e.Contract.ID+`.`+ext+`"`)
	_, _ = w.Write(buf.Bytes())
}
