package statisticsui

import (
	"html/template"
	"net/http"
	"sync"
	"unicode/utf8"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Bar geometry of a chart, in the SVG's own units (320 wide, the
// template's viewBox, which scales it to the screen): a label line, then
// the bar, per row.
const (
	barMax    = 250
	rowHeight = 34
	// A label longer than labelRunes characters would run past the
	// chart's edge at its font size (about 6.6 units a character); it is
	// drawn squeezed into labelWidth instead. The table has it in full.
	labelRunes = 46
	labelWidth = 316
)

// bar is one row of a chart as drawn; LabelFit is the width a long label
// is squeezed into, 0 for one that fits.
type bar struct {
	statistics.Row
	Y, LabelY, ValueY, ValueX, Width, LabelFit int
}

// chartView is a chart with its drawing.
type chartView struct {
	statistics.Chart
	P      *i18n.Printer
	Bars   []bar
	Height int
	Top    statistics.Row
	HasTop bool
	// Words is the prefix of the summary's message keys (statistics: "Most
	// persons: …") and Unit the message key of what is counted, the
	// table's column.
	Words, Unit string
}

type dashboardPage struct {
	statistics.Dashboard
	Month  chartView
	Charts []chartView
	Other  []chartView
}

func draw(p *i18n.Printer, c statistics.Chart) chartView {
	v := chartView{Chart: c, P: p, Height: len(c.Rows) * rowHeight, Words: "statistics", Unit: "statistics.persons"}
	v.Top, v.HasTop = c.Top()
	top := c.Max()
	for i, r := range c.Rows {
		w := 0
		if top > 0 {
			w = r.Cell.Shown() * barMax / top
		}
		if r.Cell.Shown() > 0 {
			w = max(w, 2)
		}
		y := i * rowHeight
		b := bar{Row: r, LabelY: y + 12, Y: y + 16, ValueY: y + 26, Width: w, ValueX: w + 6}
		if utf8.RuneCountInString(p.T(r.LabelKey)) > labelRunes {
			b.LabelFit = labelWidth
		}
		v.Bars = append(v.Bars, b)
	}
	return v
}

// dashboard shows the figures of the year asked for (?year=), the current
// one by default.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	year, err := yearParam(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	d, err := h.statistics.Dashboard(r.Context(), page.Actor(r), year)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "statistics.title")
	key := bodyKey{lang: v.P.Lang(), year: d.Year, protected: d.Protected, version: d.Version, month: d.Month}
	body, ok := h.bodies.get(key)
	if !ok {
		p := dashboardPage{Dashboard: d, Month: draw(v.P, d.ByMonth)}
		for _, c := range d.Charts {
			p.Charts = append(p.Charts, draw(v.P, c))
		}
		p.Other = []chartView{draw(v.P, d.Referrals), draw(v.P, d.Returns)}
		if body, err = h.kit.Shell().Fragment("statistics_dashboard_body", &web.View{P: v.P, Data: p}); err != nil {
			h.kit.Fail(w, r, err)
			return
		}
		h.bodies.put(key, body)
	}
	v.Data = body
	h.kit.Render(w, r, http.StatusOK, "statistics_dashboard", v)
}

// bodyKey names a dashboard as drawn: its figures (year, reader class,
// version of the facts, month computed) in one language.
type bodyKey struct {
	lang      string
	year      int
	protected bool
	version   int64
	month     string
}

// bodies keeps the dashboards as drawn: drawing forty charts and tables
// was most of a request's work (a profile at 100,000 cases: the template
// took 72% of the handler's time), and the figures change only with the
// facts. A newer version of the facts drops the older drawings.
type bodies struct {
	mu    sync.Mutex
	drawn map[bodyKey]template.HTML
}

// maxBodies bounds the drawings kept: years × reader classes × languages
// of one version of the facts.
const maxBodies = 64

func (b *bodies) get(k bodyKey) (template.HTML, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h, ok := b.drawn[k]
	return h, ok
}

func (b *bodies) put(k bodyKey, h template.HTML) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for old := range b.drawn {
		if old.version != k.version {
			delete(b.drawn, old)
		}
	}
	if len(b.drawn) >= maxBodies {
		clear(b.drawn)
	}
	b.drawn[k] = h
}
