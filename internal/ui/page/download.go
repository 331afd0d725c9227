package page

import (
	"bytes"
	"io"
	"net/http"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/web"
)

// Sheet is an export a capability writes as CSV or as an XLSX workbook,
// with its headings in the reader's language.
type Sheet interface {
	WriteCSV(w io.Writer, p *i18n.Printer) error
	WriteXLSX(w io.Writer, p *i18n.Printer) error
}

var sheetTypes = map[string]string{
	"csv":  "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// Download sends sheet as the file name.ext ("csv" or "xlsx"). It is
// written whole before the first byte goes out, so a failure is still an
// error page rather than half a download.
func (k *Kit) Download(w http.ResponseWriter, r *http.Request, name, ext string, sheet Sheet) {
	write := sheet.WriteCSV
	if ext == "xlsx" {
		write = sheet.WriteXLSX
	}
	var buf bytes.Buffer
	if err := write(&buf, web.Printer(r)); err != nil {
		k.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", sheetTypes[ext])
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.`+ext+`"`)
	_, _ = w.Write(buf.Bytes())
}
