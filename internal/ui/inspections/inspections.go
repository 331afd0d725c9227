// Package inspectionsui serves the joint inspections' pages: the list with
// what the held ones found, the planning form (from the mapping's kinds of
// place, the city's areas and the mapping's sectors) and an inspection
// with its outcome form (internal/inspections).
package inspectionsui

import (
	"context"
	"embed"
	"io/fs"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/inspections"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Handler serves the area.
type Handler struct {
	kit         *page.Kit
	inspections *inspections.Service
	accounts    *accounts.Service
	mapping     *mapping.Service
	areas       func(context.Context) ([]geo.Area, error)
}

// New returns the area's handler; accounts lists the agencies, mapping
// gives the locations register inspections are planned from, areas are
// the city's areas.
func New(kit *page.Kit, s *inspections.Service, acc *accounts.Service, m *mapping.Service, areas func(context.Context) ([]geo.Area, error)) *Handler {
	return &Handler{kit: kit, inspections: s, accounts: acc, mapping: m, areas: areas}
}

// Routes is the area's route table: the coordinator and the police
// contact points plan inspections and export them; the staff of an agency
// taking part read theirs, record the outcome and screen workers met.
func (h *Handler) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /inspections", Gate: page.SignedIn, Action: access.TakePartInInspections, Handler: h.list},
		{Pattern: "GET /inspections.csv", Gate: page.SignedIn, Action: access.ManageInspections, Handler: h.exportCSV},
		{Pattern: "GET /inspections.xlsx", Gate: page.SignedIn, Action: access.ManageInspections, Handler: h.exportXLSX},
		{Pattern: "GET /inspections/new", Gate: page.SignedIn, Action: access.ManageInspections, Handler: h.form},
		{Pattern: "POST /inspections/new", Gate: page.SignedIn, Action: access.ManageInspections, Handler: h.create},
		{Pattern: "GET /inspections/{id}", Gate: page.SignedIn, Action: access.TakePartInInspections, Handler: h.show},
		{Pattern: "POST /inspections/{id}/outcome", Gate: page.SignedIn, Action: access.TakePartInInspections, Handler: h.outcome},
		{Pattern: "POST /inspections/{id}/screening", Gate: page.SignedIn, Action: access.TakePartInInspections, Handler: h.screen},
	}
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the area's templates, named inspections_*.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// vocabulary names the kinds of place, sectors and areas in the page's
// language.
type vocabulary struct {
	Types, Sectors, Areas []web.Option
	names                 map[string]string
}

func (h *Handler) vocabulary(r *http.Request) (vocabulary, error) {
	lang := web.Printer(r).Lang()
	out := vocabulary{names: map[string]string{}}
	out.Types = []web.Option{{Value: "", LabelKey: "inspections.choose"}}
	for _, c := range mapping.ShippedChoices("locations", "location_type") {
		l := mapping.In(c.Label, lang)
		out.Types = append(out.Types, web.Option{Value: c.Name, Label: l})
		out.names["type:"+c.Name] = l
	}
	out.Sectors = []web.Option{{Value: "", LabelKey: "inspections.choose"}}
	for _, c := range mapping.ShippedChoices("labour_exploitation", "sector") {
		l := mapping.In(c.Label, lang)
		out.Sectors = append(out.Sectors, web.Option{Value: c.Name, Label: l})
		out.names["sector:"+c.Name] = l
	}
	areas, err := h.areas(r.Context())
	if err != nil {
		return out, err
	}
	out.Areas = []web.Option{{Value: "", LabelKey: "inspections.whole_city"}}
	for _, a := range areas {
		out.Areas = append(out.Areas, web.Option{Value: a.Code, Label: a.Name})
		out.names["area:"+a.Code] = a.Name
	}
	return out, nil
}

// Type, Sector and Area name a code, or give it back when it has no name.
func (v vocabulary) Type(code string) string   { return v.name("type:", code) }
func (v vocabulary) Sector(code string) string { return v.name("sector:", code) }
func (v vocabulary) Area(code string) string   { return v.name("area:", code) }

func (v vocabulary) name(prefix, code string) string {
	if n, ok := v.names[prefix+code]; ok {
		return n
	}
	return code
}
