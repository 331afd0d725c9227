// Package municipality serves the overview of the municipality's own work:
// the local mapping, the action plan, the working group, training, partners
// and agreements, and the city's areas. Each of those is an area of its own
// (ui/mapping, ui/plan, …); this page links them for the roles allowed.
package municipality

import (
	"embed"
	"io/fs"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/ui/page"
)

// Handler serves the overview.
type Handler struct {
	kit *page.Kit
}

// New returns the overview's handler.
func New(kit *page.Kit) *Handler { return &Handler{kit: kit} }

// Routes is the area's route table.
func (h *Handler) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /municipality", Gate: page.SignedIn, Action: access.ViewMunicipal, Handler: h.show},
	}
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the area's templates.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}
