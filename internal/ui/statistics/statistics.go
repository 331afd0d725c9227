// Package statisticsui serves the statistics dashboard of the analyst and
// the coordinator (internal/statistics): charts drawn as SVG by the
// server, each with its table and a one-sentence summary.
package statisticsui

import (
	"embed"
	"html/template"
	"io/fs"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
)

// Handler serves the area.
type Handler struct {
	kit        *page.Kit
	statistics *statistics.Service
	operations *statistics.Operations
	// bodies are dashboards as drawn, kept while their figures stand.
	bodies *bodies
}

// New returns the area's handler.
func New(kit *page.Kit, s *statistics.Service, ops *statistics.Operations) *Handler {
	return &Handler{kit: kit, statistics: s, operations: ops, bodies: &bodies{drawn: map[bodyKey]template.HTML{}}}
}

// Routes is the area's route table.
func (h *Handler) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /statistics", Gate: page.SignedIn, Action: access.ViewStatistics, Handler: h.dashboard},
		{Pattern: "GET /statistics/services", Gate: page.SignedIn, Action: access.ViewStatistics, Handler: h.services},
		{Pattern: "GET /statistics/releases", Gate: page.SignedIn, Action: access.ViewStatistics, Handler: h.releases},
		{Pattern: "GET /statistics/releases/new", Gate: page.SignedIn, Action: access.PrepareRelease, Handler: h.showReleaseNew},
		{Pattern: "POST /statistics/releases/new", Gate: page.SignedIn, Action: access.PrepareRelease, Handler: h.createRelease},
		{Pattern: "GET /statistics/releases/{id}", Gate: page.SignedIn, Action: access.ViewStatistics, Handler: h.release},
		{Pattern: "GET /statistics/releases/{id}/approve", Gate: page.SignedIn, Action: access.ApproveRelease, Handler: h.askDecision(true)},
		{Pattern: "POST /statistics/releases/{id}/approve", Gate: page.SignedIn, Action: access.ApproveRelease, Handler: h.decide(true)},
		{Pattern: "GET /statistics/releases/{id}/reject", Gate: page.SignedIn, Action: access.ApproveRelease, Handler: h.askDecision(false)},
		{Pattern: "POST /statistics/releases/{id}/reject", Gate: page.SignedIn, Action: access.ApproveRelease, Handler: h.decide(false)},
		{Pattern: "GET /statistics/releases/{id}/csv", Gate: page.SignedIn, Action: access.ViewStatistics, Handler: h.downloadSheet("csv")},
		{Pattern: "GET /statistics/releases/{id}/xlsx", Gate: page.SignedIn, Action: access.ViewStatistics, Handler: h.downloadSheet("xlsx")},
		{Pattern: "GET /statistics/releases/{id}/sdmx", Gate: page.SignedIn, Action: access.ViewStatistics, Handler: h.downloadSDMX},
		{Pattern: "GET /statistics/releases/{id}/report", Gate: page.SignedIn, Action: access.ViewStatistics, Handler: h.releaseReportPage},
		{Pattern: "GET /statistics/releases/{id}/pdf", Gate: page.SignedIn, Action: access.ViewStatistics, Handler: h.releasePDF},
		{Pattern: "GET /statistics/presets", Gate: page.SignedIn, Action: access.ViewStatistics, Handler: h.presets},
		{Pattern: "GET /statistics/presets/{id}", Gate: page.SignedIn, Action: access.ViewStatistics, Handler: h.presetShow},
		{Pattern: "GET /statistics/population", Gate: page.SignedIn, Action: access.ManagePopulation, Handler: h.population},
		{Pattern: "POST /statistics/population", Gate: page.SignedIn, Action: access.ManagePopulation, Handler: h.populationSave},
		{Pattern: "POST /statistics/population/remove", Gate: page.SignedIn, Action: access.ManagePopulation, Handler: h.populationRemove},
	}
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the area's templates, named statistics_*.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}
