// Package outreachui serves the outreach pages: the sessions added up per
// area and period with a bar chart beside the table, the form that records
// a session, and a session (internal/outreach).
package outreachui

import (
	"context"
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/interpreters"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/outreach"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Handler serves the area.
type Handler struct {
	kit          *page.Kit
	outreach     *outreach.Service
	accounts     *accounts.Service
	interpreters *interpreters.Service
	areas        func(context.Context) ([]geo.Area, error)
}

// New returns the area's handler: accounts lists the team's organisations,
// interpreters the register's mediators, areas the city's areas.
func New(kit *page.Kit, o *outreach.Service, acc *accounts.Service, interp *interpreters.Service, areas func(context.Context) ([]geo.Area, error)) *Handler {
	return &Handler{kit: kit, outreach: o, accounts: acc, interpreters: interp, areas: areas}
}

// Routes is the area's route table: the coordinator records and reads
// every organisation's sessions, a case worker their own organisation's.
func (h *Handler) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /outreach", Gate: page.SignedIn, Action: access.RecordOutreach, Handler: h.overview},
		{Pattern: "GET /outreach.csv", Gate: page.SignedIn, Action: access.RecordOutreach, Handler: h.exportCSV},
		{Pattern: "GET /outreach.xlsx", Gate: page.SignedIn, Action: access.RecordOutreach, Handler: h.exportXLSX},
		{Pattern: "GET /outreach/new", Gate: page.SignedIn, Action: access.RecordOutreach, Handler: h.form},
		{Pattern: "POST /outreach/new", Gate: page.SignedIn, Action: access.RecordOutreach, Handler: h.create},
		{Pattern: "GET /outreach/{id}", Gate: page.SignedIn, Action: access.RecordOutreach, Handler: h.show},
	}
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the area's templates, named outreach_*.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// places names areas and kinds of place in the page's language.
type places struct {
	areas map[string]string
	types map[string]string
}

func (h *Handler) places(r *http.Request) (places, error) {
	out := places{areas: map[string]string{}, types: map[string]string{}}
	areas, err := h.areas(r.Context())
	if err != nil {
		return out, err
	}
	for _, a := range areas {
		out.areas[a.Code] = a.Name
	}
	lang := web.Printer(r).Lang()
	for _, c := range mapping.ShippedChoices("locations", "location_type") {
		out.types[c.Name] = mapping.In(c.Label, lang)
	}
	return out, nil
}

// label is where a session or row was: the area's name, the kind of place,
// or both.
func (p places) label(area, place string) string {
	t := p.types[place]
	if t == "" {
		t = place
	}
	return join(p.areaName(area), t)
}

// areaName is an area's name, or its code when it is no current area.
func (p places) areaName(code string) string {
	if a := p.areas[code]; a != "" {
		return a
	}
	return code
}

// join names a place by its area, its kind or both.
func join(a, t string) string {
	switch {
	case a == "":
		return t
	case t == "":
		return a
	}
	return a + " · " + t
}

// chartLabel is label for a chart's one line: the kind of place up to its
// first colon, comma or bracket (the mapping's labels go on with
// examples), and no longer than a phone's width shows.
func (p places) chartLabel(area, place string) string {
	t := p.types[place]
	if i := strings.IndexAny(t, ":,("); i > 0 {
		t = strings.TrimSpace(t[:i])
	}
	if t == "" {
		t = place
	}
	s := join(p.areaName(area), t)
	const most = 40
	if r := []rune(s); len(r) > most {
		return string(r[:most-1]) + "…"
	}
	return s
}

// mediators are the register's entries a user may choose, by id, labelled
// with the name where the interpreters capability shows it.
func (h *Handler) mediators(r *http.Request) ([]interpreters.Interpreter, error) {
	actor := page.Actor(r)
	if !access.Can(actor, access.ViewInterpreters) {
		return nil, nil
	}
	all, err := h.interpreters.List(r.Context(), actor, interpreters.Filter{All: true})
	if err != nil {
		return nil, err
	}
	return all, nil
}
