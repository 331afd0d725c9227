// Package sitechecksui is the site checks' pages: the checks of a contract
// and of a site with their exports, the check form (the questionnaire,
// rendered on the server), a check with its findings, corrective actions
// and the button that screens the workers, the edit of a check's answers
// and the operator's own questionnaires (XLSForm import). The rules are in
// internal/sitechecks; contracts and sites are procurement's pages.
package sitechecksui

import (
	"embed"
	"io/fs"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Handler serves the site checks' pages.
type Handler struct {
	kit    *page.Kit
	checks *sitechecks.Service
}

// New returns the site checks' pages.
func New(kit *page.Kit, s *sitechecks.Service) *Handler { return &Handler{kit: kit, checks: s} }

// Routes is the site checks' route table: read by those allowed
// access.ViewProcurement, changed by those allowed access.ManageProcurement
// (the procurement officer, who also screens the workers).
func (h *Handler) Routes() []page.Route {
	view, manage := access.ViewProcurement, access.ManageProcurement
	return []page.Route{
		{Pattern: "GET /procurement/contracts/{id}/checks", Gate: page.SignedIn, Action: view, Handler: h.contractChecks},
		{Pattern: "GET /procurement/contracts/{id}/checks/export.csv", Gate: page.SignedIn, Action: view, Handler: h.exportCSV},
		{Pattern: "GET /procurement/contracts/{id}/checks/export.xlsx", Gate: page.SignedIn, Action: view, Handler: h.exportXLSX},
		{Pattern: "GET /procurement/sites/{id}/checks", Gate: page.SignedIn, Action: view, Handler: h.siteChecks},
		{Pattern: "GET /procurement/sites/{id}/checks/new", Gate: page.SignedIn, Action: manage, Handler: h.newCheck},
		{Pattern: "POST /procurement/sites/{id}/checks/new", Gate: page.SignedIn, Action: manage, Handler: h.createCheck},
		{Pattern: "GET /procurement/checks/{id}", Gate: page.SignedIn, Action: view, Handler: h.showCheck},
		{Pattern: "POST /procurement/checks/{id}/findings", Gate: page.SignedIn, Action: manage, Handler: h.addFinding},
		{Pattern: "POST /procurement/checks/{id}/screening", Gate: page.SignedIn, Action: manage, Handler: h.screen},
		{Pattern: "GET /procurement/checks/{id}/answers", Gate: page.SignedIn, Action: manage, Handler: h.editAnswersForm},
		{Pattern: "POST /procurement/checks/{id}/answers", Gate: page.SignedIn, Action: manage, Handler: h.editAnswers},
		{Pattern: "GET /procurement/check-forms", Gate: page.SignedIn, Action: view, Handler: h.listForms},
		{Pattern: "POST /procurement/check-forms", Gate: page.SignedIn, Action: manage, Handler: h.importForm},
		{Pattern: "GET /procurement/check-findings/{id}", Gate: page.SignedIn, Action: view, Handler: h.showFinding},
		{Pattern: "POST /procurement/check-findings/{id}", Gate: page.SignedIn, Action: manage, Handler: h.editFinding},
		{Pattern: "POST /procurement/check-findings/{id}/actions", Gate: page.SignedIn, Action: manage, Handler: h.addAction},
		{Pattern: "GET /procurement/check-actions/{id}", Gate: page.SignedIn, Action: view, Handler: h.showAction},
		{Pattern: "POST /procurement/check-actions/{id}", Gate: page.SignedIn, Action: manage, Handler: h.editAction},
	}
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the site checks' templates (named sitecheck_*).
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// options turns codes into select options labelled prefix+code, after a
// "choose" entry.
func options[T ~string](prefix string, codes []T) []web.Option {
	opts := []web.Option{{Value: "", LabelKey: "sitechecks.choose"}}
	for _, c := range codes {
		opts = append(opts, web.Option{Value: string(c), LabelKey: prefix + string(c)})
	}
	return opts
}

// notice is the message a redirect after a change asks for.
func notice(v *web.View, r *http.Request) {
	if done := r.URL.Query().Get("done"); done != "" && v.P.Has("sitechecks.done."+done) {
		v.Notice = v.P.T("sitechecks.done." + done)
	}
}
