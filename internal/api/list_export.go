package api

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/web"
)

// caseFilter reads the case list's filters from a query, as the page's.
func caseFilter(q url.Values) cases.Filter {
	return cases.Filter{Stage: q.Get("stage"), Risk: q.Get("risk"), Exploitation: q.Get("exploitation"), Deadline: q.Get("deadline"),
		Area: q.Get("area"), Query: q.Get("q"), Mine: q.Get("mine") != ""}
}

// exportCasesCSV answers the case list under the filters of
// GET /api/v1/cases as CSV, every matching case up to cases.MaxExportRows;
// personal=1 adds the names and contact details the caller may reveal.
// Times are in UTC, as everywhere in the API.
func (h *Handler) exportCasesCSV(w http.ResponseWriter, r *http.Request) error {
	return h.exportCases(w, r, "csv")
}

// exportCasesXLSX answers the same as an Excel workbook.
func (h *Handler) exportCasesXLSX(w http.ResponseWriter, r *http.Request) error {
	return h.exportCases(w, r, "xlsx")
}

func (h *Handler) exportCases(w http.ResponseWriter, r *http.Request, ext string) error {
	q := r.URL.Query()
	e, err := h.cases.Export(r.Context(), actor(r), caseFilter(q), q.Get("personal") == "1")
	if err != nil {
		return err
	}
	return sendSheet(w, r, "cases", ext, e)
}

// exportDeadlinesCSV answers the deadlines under the filters of
// GET /api/v1/deadlines as CSV.
func (h *Handler) exportDeadlinesCSV(w http.ResponseWriter, r *http.Request) error {
	return h.exportDeadlines(w, r, "csv")
}

// exportDeadlinesXLSX answers the same as an Excel workbook.
func (h *Handler) exportDeadlinesXLSX(w http.ResponseWriter, r *http.Request) error {
	return h.exportDeadlines(w, r, "xlsx")
}

func (h *Handler) exportDeadlines(w http.ResponseWriter, r *http.Request, ext string) error {
	days, _ := strconv.Atoi(r.URL.Query().Get("days"))
	e, err := h.cases.ExportDeadlines(r.Context(), actor(r), cases.DeadlineFilter{Days: days, Mine: r.URL.Query().Get("mine") != ""})
	if err != nil {
		return err
	}
	return sendSheet(w, r, "deadlines", ext, e)
}

var sheetTypes = map[string]string{
	"csv":  "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// sheet is an export written as CSV or XLSX in a reader's language.
type sheet interface {
	WriteCSV(w io.Writer, p *i18n.Printer) error
	WriteXLSX(w io.Writer, p *i18n.Printer) error
}

// sendSheet writes an export whole in the caller's language before the
// first byte goes out, so a failure is still a JSON error.
func sendSheet(w http.ResponseWriter, r *http.Request, name, ext string, s sheet) error {
	write := s.WriteCSV
	if ext == "xlsx" {
		write = s.WriteXLSX
	}
	var buf bytes.Buffer
	if err := write(&buf, web.Printer(r)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", sheetTypes[ext])
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.`+ext+`"`)
	_, _ = w.Write(buf.Bytes())
	return nil
}
