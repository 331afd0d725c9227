package statisticsui

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
)

// gridCell is one cell of a preset table as the page shows it.
type gridCell struct {
	ID         string
	Status     statistics.CellStatus
	Count      int
	Would      bool // a release would suppress it (the coordinator's view)
	HasRate    bool
	RateStatus statistics.CellStatus
	Rate       float64
}

// gridRow is a row of a preset table: a category of the first dimension
// (or the total), with a cell per column.
type gridRow struct {
	Label string
	Cells []gridCell
}

// grid is a preset table of one or two dimensions laid out as rows and
// columns, margins last.
type grid struct {
	ID, TitleKey string
	RowHead      string
	Cols         []string
	Rows         []gridRow
	Rates        bool
}

type presetPage struct {
	statistics.PresetPage
	Period string
	Grids  []grid
	Would  bool // some cell would be suppressed in a release
	// Release is the link that prepares a release of these tables, for a
	// reader who may.
	Release string
}

// presetShow shows a preset's tables over the period asked for
// (?period=2026, 2026-Q3 or 2026-07; or ?from= and ?to= as dates).
func (h *Handler) presetShow(w http.ResponseWriter, r *http.Request) {
	period, err := periodParam(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	shown, err := h.statistics.ShowPreset(r.Context(), page.Actor(r), r.PathValue("id"), period)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "statistics.preset."+shown.Preset)
	p := presetPage{PresetPage: shown, Period: shown.Period.String()}
	if access.Can(page.Actor(r), access.PrepareRelease) {
		p.Release = "/statistics/releases/new?" + url.Values{"preset": {shown.Preset},
			"from": {shown.Period.From.Format(time.DateOnly)}, "to": {shown.Period.To.Format(time.DateOnly)}}.Encode()
	}
	for _, t := range shown.Tables {
		g := layout(v.P, t)
		p.Grids = append(p.Grids, g)
		p.Would = p.Would || len(t.Would) > 0
	}
	v.Data = p
	h.kit.Render(w, r, http.StatusOK, "statistics_preset", v)
}

// periodParam reads ?period= (this year when neither it nor ?from=/?to=
// is given) or ?from= and ?to= as dates.
func periodParam(r *http.Request) (statistics.Period, error) {
	q := r.URL.Query()
	if q.Get("from") != "" || q.Get("to") != "" {
		from, errFrom := time.Parse(time.DateOnly, q.Get("from"))
		to, errTo := time.Parse(time.DateOnly, q.Get("to"))
		if errFrom != nil || errTo != nil {
			return statistics.Period{}, apperr.New(apperr.Invalid, "statistics.error.period_dates")
		}
		return statistics.Period{From: from, To: to}, nil
	}
	if q.Get("period") == "" {
		return statistics.Year(time.Now().UTC().Year()), nil
	}
	return statistics.ParsePeriod(q.Get("period"))
}

// label names category cat of dimension dim of t.
func label(p *i18n.Printer, t statistics.ShownTable, dim, cat string) string {
	if statistics.Literal(dim, cat) {
		if name := t.Names[dim][cat]; name != "" {
			return name
		}
		return cat
	}
	return p.T(statistics.CategoryKey(dim, cat))
}

// layout lays a table of one or two dimensions out as rows (the first
// dimension) and columns (the second, or the count alone).
func layout(p *i18n.Printer, t statistics.ShownTable) grid {
	dims := t.Table.Dimensions()
	g := grid{ID: t.Code, TitleKey: t.Title, RowHead: p.T(statistics.DimensionKey(dims[0].Code)), Rates: t.Rates != nil}
	cols, colCodes := []int{disclosure.Total}, []string{"total"}
	if len(dims) == 2 {
		cols, colCodes = nil, nil
		for j, c := range dims[1].Categories {
			cols, colCodes = append(cols, j), append(colCodes, c.Code)
			g.Cols = append(g.Cols, label(p, t, dims[1].Code, c.Code))
		}
		cols, colCodes = append(cols, disclosure.Total), append(colCodes, "total")
		g.Cols = append(g.Cols, p.T("statistics.total"))
	} else {
		g.Cols = []string{p.T("statistics.persons")}
	}
	rows := make([]int, 0, len(dims[0].Categories)+1)
	for i := range dims[0].Categories {
		rows = append(rows, i)
	}
	rows = append(rows, disclosure.Total)
	index := cellIndex(t.Table)
	for _, i := range rows {
		row, rowCode := gridRow{Label: p.T("statistics.total")}, "total"
		if i != disclosure.Total {
			rowCode = dims[0].Categories[i].Code
			row.Label = label(p, t, dims[0].Code, rowCode)
		}
		for n, j := range cols {
			key := []int{i}
			if len(dims) == 2 {
				key = append(key, j)
			}
			k := index[keyString(key)]
			c := t.Table.At(k)
			gc := gridCell{ID: t.Code + "-" + rowCode + "-" + colCodes[n], Status: statistics.StatusOf(c), Count: c.Shown(), Would: t.Would[k]}
			if g.Rates {
				gc.HasRate, gc.RateStatus = true, t.RateStatus(k)
				gc.Rate = math.Round(t.Rates[k]*10) / 10
			}
			row.Cells = append(row.Cells, gc)
		}
		g.Rows = append(g.Rows, row)
	}
	return g
}

// cellIndex maps each cell's key (Total for a margin) to its index.
func cellIndex(t *disclosure.Table) map[string]int {
	out := make(map[string]int, t.Len())
	for i := range t.Len() {
		out[keyString(t.Key(i))] = i
	}
	return out
}

func keyString(key []int) string {
	s := ""
	for _, k := range key {
		s += strconv.Itoa(k) + ","
	}
	return s
}
