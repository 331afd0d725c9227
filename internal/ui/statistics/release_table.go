package statisticsui

import (
	"strconv"
	"strings"

	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/statistics"
)

// cellView is a published cell as a page shows it.
type cellView struct {
	Text       string
	Suppressed bool
	Unknown    bool
	Note       string
}

// rowView is a row of a released table: its label and cells.
type rowView struct {
	Label string
	Cells []cellView
}

// barView is a bar of a table's chart: its category and the first
// dimension's margin drawn.
type barView struct {
	Label                            string
	Cell                             cellView
	Y, LabelY, ValueY, Width, ValueX int
}

// tableView is a released table laid out: a cross table of the first two
// dimensions with their totals (a list for one dimension, or more than
// two), and a chart of the first dimension's totals.
type tableView struct {
	P         *i18n.Printer
	ID, Title string
	Corner    string
	Columns   []string
	Rows      []rowView
	Bars      []barView
	Height    int
	// Summary says in one sentence what the chart draws, for screen
	// readers and print.
	Summary string
}

func cell(p *i18n.Printer, c disclosure.ReleasedCell, base int) cellView {
	v := cellView{Note: statistics.CellNote(p, c, base)}
	switch c.Status {
	case disclosure.Suppressed:
		v.Suppressed, v.Text = true, p.T("statistics.release.cell.suppressed")
	case disclosure.Unknown:
		v.Unknown, v.Text = true, p.T("statistics.release.cell.unknown")
	default:
		v.Text = strconv.Itoa(c.Shown)
	}
	return v
}

// values are a dimension's category indices followed by its total.
func values(d disclosure.Dimension) []int {
	out := make([]int, 0, len(d.Categories)+1)
	for i := range d.Categories {
		out = append(out, i)
	}
	return append(out, disclosure.Total)
}

func layoutTable(p *i18n.Printer, rel *statistics.Release, t statistics.ReleasedTable) tableView {
	dims := t.Dimensions()
	v := tableView{P: p, ID: t.Code, Title: p.T(t.TitleKey())}
	labels := func(key []int) string {
		parts := make([]string, len(key))
		for d, k := range key {
			parts[d] = statistics.CategoryLabel(p, dims[d], k)
		}
		return strings.Join(parts, " × ")
	}
	switch len(dims) {
	case 2:
		v.Corner = p.T(statistics.DimensionKey(dims[0].Code)) + " / " + p.T(statistics.DimensionKey(dims[1].Code))
		for _, c := range values(dims[1]) {
			v.Columns = append(v.Columns, statistics.CategoryLabel(p, dims[1], c))
		}
		for _, r := range values(dims[0]) {
			row := rowView{Label: statistics.CategoryLabel(p, dims[0], r)}
			for _, c := range values(dims[1]) {
				rc, _ := t.Cell(r, c)
				row.Cells = append(row.Cells, cell(p, rc, rel.Rounding))
			}
			v.Rows = append(v.Rows, row)
		}
	default:
		names := make([]string, len(dims))
		for d, dim := range dims {
			names[d] = p.T(statistics.DimensionKey(dim.Code))
		}
		v.Corner = strings.Join(names, " × ")
		v.Columns = []string{p.T("statistics.release.col.value")}
		for _, c := range t.Cells() {
			v.Rows = append(v.Rows, rowView{Label: labels(c.Key), Cells: []cellView{cell(p, c, rel.Rounding)}})
		}
	}
	v.chart(p, rel, t)
	return v
}

// chart draws the first dimension's totals as bars, in the dashboard's
// geometry (barMax wide, rowHeight a row).
func (v *tableView) chart(p *i18n.Printer, rel *statistics.Release, t statistics.ReleasedTable) {
	dims := t.Dimensions()
	key := make([]int, len(dims))
	for d := range key {
		key[d] = disclosure.Total
	}
	var cells []disclosure.ReleasedCell
	top := 0
	for i := range dims[0].Categories {
		key[0] = i
		c, _ := t.Cell(key...)
		cells = append(cells, c)
		if c.Status == disclosure.Value {
			top = max(top, c.Shown)
		}
	}
	for i, c := range cells {
		y := i * rowHeight
		b := barView{Label: statistics.CategoryLabel(p, dims[0], i), Cell: cell(p, c, rel.Rounding), LabelY: y + 12, Y: y + 16, ValueY: y + 26}
		if top > 0 && c.Status == disclosure.Value {
			b.Width = max(c.Shown*barMax/top, 2)
		}
		b.ValueX = b.Width + 6
		v.Bars = append(v.Bars, b)
	}
	v.Height = len(cells) * rowHeight
	parts := make([]string, len(v.Bars))
	for i, b := range v.Bars {
		parts[i] = b.Label + ": " + b.Cell.Text
	}
	v.Summary = p.T("statistics.release.chart_summary", "dimension", p.T(statistics.DimensionKey(dims[0].Code)), "values", strings.Join(parts, "; "))
}
