package statistics

import (
	"io"
	"strconv"

	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/spreadsheet"
)

// ReleaseSheet is an approved release as a spreadsheet for people: one row
// per published cell, margins included, with the table, the period, each
// dimension and category by name, the figure, what the figure is (a count,
// a known zero, unknown, suppressed) and whether it was rounded or is the
// sum of rounded cells.
type ReleaseSheet struct{ Release *Release }

func (e ReleaseSheet) rows(p *i18n.Printer) [][]string {
	width := 0
	for _, t := range e.Release.Tables {
		width = max(width, len(t.Dimensions()))
	}
	header := []string{p.T("statistics.release.col.table"), p.T("statistics.release.col.period")}
	for i := range width {
		n := strconv.Itoa(i + 1)
		header = append(header, p.T("statistics.release.col.dimension", "n", n), p.T("statistics.release.col.category", "n", n))
	}
	header = append(header, p.T("statistics.release.col.value"), p.T("statistics.release.col.status"), p.T("statistics.release.col.note"))
	out := [][]string{header}
	period := e.Release.Period.String()
	for _, t := range e.Release.Tables {
		dims := t.Dimensions()
		title := p.T(t.TitleKey())
		for _, c := range t.Cells() {
			row := []string{title, period}
			for d := range width {
				if d >= len(dims) {
					row = append(row, "", "")
					continue
				}
				row = append(row, p.T(DimensionKey(dims[d].Code)), CategoryLabel(p, dims[d], c.Key[d]))
			}
			value := ""
			if c.Status == disclosure.Value || c.Status == disclosure.KnownZero {
				value = strconv.Itoa(c.Shown)
			}
			row = append(row, value, p.T("statistics.release.cell."+string(cellStatus(c.Status))), CellNote(p, c, e.Release.Rounding))
			out = append(out, row)
		}
	}
	return out
}

// CategoryLabel names category v of d in p's language (a nationality,
// year or area by its code), a margin as the total.
func CategoryLabel(p *i18n.Printer, d disclosure.Dimension, v int) string {
	switch c := d.Categories[max(v, 0)].Code; {
	case v == disclosure.Total:
		return p.T("statistics.release.total")
	case Literal(d.Code, c):
		return c
	}
	return p.T(CategoryKey(d.Code, d.Categories[v].Code))
}

// CellNote says how a published figure was rounded, "" when it was not.
func CellNote(p *i18n.Printer, c disclosure.ReleasedCell, base int) string {
	switch {
	case c.Recomputed:
		return p.T("statistics.release.recomputed")
	case c.Rounded:
		return p.T("statistics.release.rounded", "base", base)
	}
	return ""
}

func cellStatus(s disclosure.Status) CellStatus {
	return StatusOf(disclosure.Cell{Status: s})
}

// WriteCSV writes the sheet as CSV.
func (e ReleaseSheet) WriteCSV(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteCSV(w, e.rows(p))
}

// WriteXLSX writes the sheet as an Excel workbook, the figures as numbers
// (the value column is the third from the end).
func (e ReleaseSheet) WriteXLSX(w io.Writer, p *i18n.Printer) error {
	rows := e.rows(p)
	return spreadsheet.WriteXLSX(w, p.T("statistics.release.sheet"), rows, len(rows[0])-3)
}
