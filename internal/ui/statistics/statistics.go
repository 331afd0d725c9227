// Package statisticsui serves the statistics dashboard of the analyst and
// the coordinator (internal/statistics): charts drawn as SVG by the
// server, each with its table and a one-sentence summary.
package statisticsui

import (
	"embed"
	"io/fs"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
)

// Handler serves the area.
type Handler struct {
	kit        *page.Kit
	statistics *statistics.Service
}

// New returns the area's handler.
func New(kit *page.Kit, s *statistics.Service) *Handler {
	return &Handler{kit: kit, statistics: s}
}

// Routes is the area's route table.
func (h *Handler) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /statistics", Gate: page.SignedIn, Action: access.ViewStatistics, Handler: h.dashboard},
	}
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the area's templates, named statistics_*.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}
