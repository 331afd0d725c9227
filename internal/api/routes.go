// Package api is Waymark's JSON API under /api/v1. routes.go is its one
// route table. It uses the same services, access policy and error
// vocabulary as the pages; errors come back as
// {"error": {"code", "message", "fields": [{"field", "message"}]}} with the
// message in the caller's language.
package api

import (
	"net/http"

	"waymark.city/waymark/internal/access"
)

// Route is one API route. Every route needs a complete session allowed the
// Action; finer decisions are made by the services.
type Route struct {
	Pattern string
	Action  access.Action
	Handler func(w http.ResponseWriter, r *http.Request) error
}

// Routes is the route table of the JSON API.
func (h *Handler) Routes() []Route {
	return []Route{
		{"GET /api/v1/me", access.ManageOwnAccount, h.getMe},
		{"GET /api/v1/organisations", access.ViewOrganisations, h.listOrganisations},
		{"POST /api/v1/organisations", access.ManageOrganisation, h.createOrganisation},
		{"POST /api/v1/organisations/{id}/reach", access.ManageOrganisation, h.setOrganisationReach},
		{"GET /api/v1/users", access.ViewUsers, h.listUsers},
		{"POST /api/v1/users", access.CreateUsers, h.createUser},
		{"GET /api/v1/users/{id}", access.ViewUsers, h.getUser},
		{"GET /api/v1/audit", access.ViewAudit, h.listAudit},
		{"GET /api/v1/indicators", access.EvaluateScreening, h.getIndicators},
		{"POST /api/v1/screenings/evaluate", access.EvaluateScreening, h.evaluateScreening},
		{"GET /api/v1/guide/local", access.EvaluateScreening, h.getLocalGuide},
		{"GET /api/v1/referrals/{id}", access.ViewReferrals, h.getReferral},
		{"GET /api/v1/cases", access.ViewCases, h.listCases},
		{"GET /api/v1/cases.csv", access.ViewCases, h.exportCasesCSV},
		{"GET /api/v1/cases.xlsx", access.ViewCases, h.exportCasesXLSX},
		{"GET /api/v1/cases/{id}", access.ViewCases, h.getCase},
		{"GET /api/v1/deadlines", access.ViewCases, h.listDeadlines},
		{"GET /api/v1/deadlines.csv", access.ViewCases, h.exportDeadlinesCSV},
		{"GET /api/v1/deadlines.xlsx", access.ViewCases, h.exportDeadlinesXLSX},
		{"GET /api/v1/cases/{id}/htcds", access.ExportCase, h.getCaseHTCDS},
		{"POST /api/v1/cases/htcds", access.OpenCase, h.importCaseHTCDS},
	}
}

// Mount registers every route on mux.
func (h *Handler) Mount(mux *http.ServeMux) {
	for _, rt := range h.Routes() {
		mux.Handle(rt.Pattern, h.gate(rt))
	}
	mux.Handle("/api/", h.gate(Route{Handler: h.notFound}))
}
