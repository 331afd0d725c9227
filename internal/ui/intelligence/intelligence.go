// Package intelligenceui serves the intelligence channel's pages: the
// submission form and the submitter's own submissions with their status,
// and for the police contact points the inbox, an entry and its status
// form (internal/intelligence).
package intelligenceui

import (
	"context"
	"embed"
	"io/fs"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/intelligence"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Handler serves the area.
type Handler struct {
	kit          *page.Kit
	intelligence *intelligence.Service
	areas        func(context.Context) ([]geo.Area, error)
}

// New returns the area's handler; areas are the city's areas.
func New(kit *page.Kit, s *intelligence.Service, areas func(context.Context) ([]geo.Area, error)) *Handler {
	return &Handler{kit: kit, intelligence: s, areas: areas}
}

// Routes is the area's route table: staff submit and see their own
// submissions' status; only the police contact points read entries.
func (h *Handler) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /intelligence", Gate: page.SignedIn, Action: access.SubmitIntelligence, Handler: h.list},
		{Pattern: "GET /intelligence/new", Gate: page.SignedIn, Action: access.SubmitIntelligence, Handler: h.form},
		{Pattern: "POST /intelligence/new", Gate: page.SignedIn, Action: access.SubmitIntelligence, Handler: h.submit},
		{Pattern: "GET /intelligence/{id}", Gate: page.SignedIn, Action: access.ReadIntelligence, Handler: h.show},
		{Pattern: "POST /intelligence/{id}/status", Gate: page.SignedIn, Action: access.ReadIntelligence, Handler: h.mark},
	}
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the area's templates, named intelligence_*.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// names names sectors and areas in the page's language.
type names map[string]string

// Sector and Area name a code, or give it back when it has no name.
func (n names) Sector(code string) string { return n.get("sector:", code) }
func (n names) Area(code string) string   { return n.get("area:", code) }

func (n names) get(prefix, code string) string {
	if v, ok := n[prefix+code]; ok {
		return v
	}
	return code
}

// options are the sector and area options of the form and their names.
func (h *Handler) options(r *http.Request) (sectors, areas []web.Option, n names, err error) {
	n = names{}
	sectors = []web.Option{{Value: "", LabelKey: "intelligence.no_sector"}}
	for _, c := range mapping.ShippedChoices("labour_exploitation", "sector") {
		l := mapping.In(c.Label, web.Printer(r).Lang())
		sectors = append(sectors, web.Option{Value: c.Name, Label: l})
		n["sector:"+c.Name] = l
	}
	list, err := h.areas(r.Context())
	if err != nil {
		return nil, nil, nil, err
	}
	areas = []web.Option{{Value: "", LabelKey: "intelligence.no_area"}}
	for _, a := range list {
		areas = append(areas, web.Option{Value: a.Code, Label: a.Name})
		n["area:"+a.Code] = a.Name
	}
	return sectors, areas, n, nil
}
