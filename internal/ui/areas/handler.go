// Package areasui serves the city's areas: the map of all areas with its
// table, the GeoJSON upload that replaces them, and the operator's
// basemap file. Its "geo_map" partial shows any geo.Map (SVG, legend and
// table) on any page.
package areasui

import (
	"embed"
	"io/fs"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/ui/page"
)

// Handler serves the areas' pages.
type Handler struct {
	kit *page.Kit
	geo *geo.Service
	// basemap is nil when the operator configured none.
	basemap *geo.Basemap
}

// New returns the areas' handler.
func New(kit *page.Kit, g *geo.Service, basemap *geo.Basemap) *Handler {
	return &Handler{kit: kit, geo: g, basemap: basemap}
}

// uploadPath is the upload form and its POST.
const uploadPath = "/areas/upload"

// Routes is the area's route table. Viewing maps is municipal work; only
// the coordinator replaces the areas. The basemap's path exists only when
// the operator configured one.
func (h *Handler) Routes() []page.Route {
	routes := []page.Route{
		{Pattern: "GET /areas", Gate: page.SignedIn, Action: access.ViewMunicipal, Handler: h.list},
		{Pattern: "GET " + uploadPath, Gate: page.SignedIn, Action: access.ManageAreas, Handler: h.uploadForm},
		{Pattern: "POST " + uploadPath, Gate: page.SignedIn, Action: access.ManageAreas, Handler: h.upload},
	}
	if h.basemap != nil {
		routes = append(routes, page.Route{Pattern: "GET " + geo.BasemapPath, Gate: page.SignedIn, Action: access.ViewMunicipal,
			Handler: h.basemap.ServeHTTP})
	}
	return routes
}

// TakesFiles reports whether r is the upload's POST, which sets its own
// limit (geo.MaxUpload) instead of the site-wide one.
func (h *Handler) TakesFiles(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == uploadPath
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the area's templates and the "geo_map" partial.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}
