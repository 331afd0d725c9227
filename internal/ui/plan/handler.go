// Package planui is the action plan's pages: the list of measures, the
// findings and measures with their forms, progress reports, re-checks and
// the printable plan report. The rules are in internal/plan.
package planui

import (
	"embed"
	"io/fs"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Handler serves the action plan's pages.
type Handler struct {
	kit  *page.Kit
	plan *plan.Service
}

// New returns the action plan's pages.
func New(kit *page.Kit, s *plan.Service) *Handler { return &Handler{kit: kit, plan: s} }

// Routes is the action plan's route table. The plan is published to the
// partnership: its pages and report are for the municipal overview's
// readers (access.ViewMunicipal); progress reports are for those allowed
// access.ReportPlanProgress (the coordinator, and the users of owner and
// partner organisations for their own measures, which the service
// decides); everything else is the coordinator's.
func (h *Handler) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /plan", Gate: page.SignedIn, Action: access.ViewMunicipal, Handler: h.list},
		{Pattern: "GET /plan/report", Gate: page.SignedIn, Action: access.ViewMunicipal, Handler: h.report},
		{Pattern: "GET /plan/report.pdf", Gate: page.SignedIn, Action: access.ViewMunicipal, Handler: h.reportPDF},
		{Pattern: "GET /plan/findings/new", Gate: page.SignedIn, Action: access.ManagePlan, Handler: h.newFinding},
		{Pattern: "POST /plan/findings/new", Gate: page.SignedIn, Action: access.ManagePlan, Handler: h.createFinding},
		{Pattern: "GET /plan/findings/{id}", Gate: page.SignedIn, Action: access.ViewMunicipal, Handler: h.showFinding},
		{Pattern: "GET /plan/findings/{id}/edit", Gate: page.SignedIn, Action: access.ManagePlan, Handler: h.editFinding},
		{Pattern: "POST /plan/findings/{id}/edit", Gate: page.SignedIn, Action: access.ManagePlan, Handler: h.updateFinding},
		{Pattern: "POST /plan/findings/{id}/recheck", Gate: page.SignedIn, Action: access.ManagePlan, Handler: h.recheck},
		{Pattern: "GET /plan/measures/new", Gate: page.SignedIn, Action: access.ManagePlan, Handler: h.newMeasure},
		{Pattern: "POST /plan/measures/new", Gate: page.SignedIn, Action: access.ManagePlan, Handler: h.createMeasure},
		{Pattern: "GET /plan/measures/{id}", Gate: page.SignedIn, Action: access.ViewMunicipal, Handler: h.showMeasure},
		{Pattern: "POST /plan/measures/{id}", Gate: page.SignedIn, Action: access.ManagePlan, Handler: h.editMeasure},
		{Pattern: "POST /plan/measures/{id}/progress", Gate: page.SignedIn, Action: access.ReportPlanProgress, Handler: h.progress},
	}
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the action plan's templates (named actionplan_*).
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// orgOptions are the organisations to choose an owner from, after a
// "choose" entry.
func (h *Handler) orgOptions(r *http.Request) ([]web.Option, []plan.Org, error) {
	orgs, err := h.plan.Organisations(r.Context())
	if err != nil {
		return nil, nil, err
	}
	opts := []web.Option{{Value: "", LabelKey: "actionplan.choose"}}
	for _, o := range orgs {
		opts = append(opts, web.Option{Value: o.ID, Label: o.Name})
	}
	return opts, orgs, nil
}

// options turns codes into select options labelled prefix+code, after a
// "choose" entry.
func options[T ~string](prefix string, codes []T) []web.Option {
	opts := []web.Option{{Value: "", LabelKey: "actionplan.choose"}}
	for _, c := range codes {
		opts = append(opts, web.Option{Value: string(c), LabelKey: prefix + string(c)})
	}
	return opts
}

// notice is the message a redirect after a change asks for.
func notice(v *web.View, r *http.Request) {
	switch r.URL.Query().Get("done") {
	case "created":
		v.Notice = v.P.T("actionplan.created")
	case "saved":
		v.Notice = v.P.T("actionplan.saved")
	case "progress":
		v.Notice = v.P.T("actionplan.progress_saved")
	case "rechecked":
		v.Notice = v.P.T("actionplan.rechecked")
	}
}
