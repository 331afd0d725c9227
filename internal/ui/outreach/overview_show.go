package outreachui

import (
	"fmt"
	"net/http"

	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/outreach"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type overviewPage struct {
	outreach.Aggregates
	Groups []string
	Rows   []row
	Chart  chart
	Recent []recent
	// PerOptions are month and quarter.
	PerOptions []web.Option
	// Map counts the contacts per area of the city; nil when the city has
	// no areas.
	Map *geo.Map
}

// row is an aggregate row with its place named.
type row struct {
	outreach.Row
	Place string
}

type recent struct {
	outreach.Session
	Place string
}

// overview adds up the sessions per period and place, with the chart.
func (h *Handler) overview(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := h.kit.View(r, "outreach.title")
	for _, k := range []string{"per", "from", "to"} {
		v.Form[k] = q.Get(k)
	}
	agg, err := h.outreach.Aggregates(r.Context(), page.Actor(r), q.Get("per"), q.Get("from"), q.Get("to"))
	status := http.StatusOK
	if err != nil {
		if page.StatusOf(err) != http.StatusUnprocessableEntity {
			h.kit.Fail(w, r, err)
			return
		}
		v.FormError(err)
		status = http.StatusUnprocessableEntity
		if agg, err = h.outreach.Aggregates(r.Context(), page.Actor(r), q.Get("per"), "", ""); err != nil {
			h.kit.Fail(w, r, err)
			return
		}
	}
	pl, err := h.places(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p := overviewPage{Aggregates: agg, Groups: outreach.Groups(),
		PerOptions: []web.Option{{Value: outreach.Month, LabelKey: "outreach.per.month"}, {Value: outreach.Quarter, LabelKey: "outreach.per.quarter"}}}
	v.Form["per"], v.Form["from"], v.Form["to"] = agg.Per, agg.From, agg.To
	var bars []bar
	for _, rw := range agg.Rows {
		named := row{Row: rw, Place: pl.label(rw.AreaCode, rw.LocationType)}
		p.Rows = append(p.Rows, named)
		bars = append(bars, bar{Label: fmt.Sprintf("%s · %s", rw.Period, pl.chartLabel(rw.AreaCode, rw.LocationType)), Value: rw.Contacted})
	}
	p.Chart = barChart(bars)
	if p.Map, err = h.contactsMap(r, agg.Rows); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	for _, s := range agg.Recent {
		p.Recent = append(p.Recent, recent{Session: s, Place: pl.label(s.AreaCode, s.LocationType)})
	}
	v.Data = p
	h.kit.Render(w, r, status, "outreach_overview", v)
}

// contactsMap draws the contacts made in each area of the city; sessions
// at a kind of place only are in no area and left out.
func (h *Handler) contactsMap(r *http.Request, rows []outreach.Row) (*geo.Map, error) {
	areas, err := h.areas(r.Context())
	if err != nil || len(areas) == 0 {
		return nil, err
	}
	byArea := map[string]int{}
	for _, rw := range rows {
		if rw.AreaCode != "" {
			byArea[rw.AreaCode] += rw.Contacted
		}
	}
	p := web.Printer(r)
	m := geo.Render(p, geo.Spec{ID: "outreach-map", Title: p.T("outreach.map_title"), Areas: areas,
		Counts: &geo.Counts{Label: p.T("outreach.contacted"), ByArea: byArea}})
	return &m, nil
}

type showPage struct {
	outreach.Session
	Place  string
	Groups []string
	// Mediators name the session's mediators: a name where the reader may
	// see it, else "".
	Mediators []string
}

// show is one session.
func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	s, err := h.outreach.Session(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	pl, err := h.places(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	register, err := h.mediators(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	names := map[string]string{}
	for _, m := range register {
		names[m.ID] = m.Name
	}
	p := showPage{Session: s, Place: pl.label(s.AreaCode, s.LocationType), Groups: outreach.Groups()}
	for _, id := range s.Mediators {
		p.Mediators = append(p.Mediators, names[id])
	}
	v := h.kit.View(r, "outreach.session_title")
	if r.URL.Query().Get("done") == "created" {
		v.Notice = v.P.T("outreach.done_created")
	}
	v.Data = p
	h.kit.Render(w, r, http.StatusOK, "outreach_session", v)
}
