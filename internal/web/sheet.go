package web

import (
	"bytes"
	"io"
	"net/http"

	"waymark.city/waymark/internal/i18n"
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

// SendSheet sends sheet as the file name.ext ("csv" or "xlsx") in the
// request's language. It is written whole before the first byte goes out,
// so on an error nothing is sent and the caller still answers with an
// error page or a JSON error rather than half a download.
func SendSheet(w http.ResponseWriter, r *http.Request, name, ext string, sheet Sheet) error {
	write := sheet.WriteCSV
	if ext == "xlsx" {
		write = sheet.WriteXLSX
	}
	var buf bytes.Buffer
	if err := write(&buf, Printer(r)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", sheetTypes[ext])
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.`+ext+`"`)
	_, _ = w.Write(buf.Bytes())
	return nil
}
