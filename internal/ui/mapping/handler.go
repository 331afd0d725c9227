// Package mappingui is the local mapping's pages: rounds, questionnaires
// (import, preview), invitations, the free-text review, answering with an
// account or through an invitation link (/m/{token}, without an account,
// cookie or JavaScript), the printable report with the locations register
// and the comparison of rounds. The rules are in internal/mapping.
package mappingui

import (
	"context"
	"embed"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/training"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Handler serves the mapping's pages.
type Handler struct {
	kit      *page.Kit
	mapping  *mapping.Service
	accounts *accounts.Service
	// plan keeps the findings a round leads to; nil shows none.
	plan *plan.Service
	// assistance lists the services available to victims and to people at
	// risk, training the training needs a round found: outputs of the
	// report (issue 12 item 3); nil shows none.
	assistance *assistance.Service
	training   *training.Service
	areas      func(context.Context) ([]geo.Area, error)
	// laidOut keeps each report section's tables and maps (see section).
	laidOut sync.Map
	// publicURL is where people reach Waymark, for invitation links; ""
	// uses the address the coordinator's request came to.
	publicURL string
}

// New returns the mapping's pages. areas lists the city's current areas
// the report's map is drawn on (geo.Service.Current); nil draws no map.
func New(kit *page.Kit, s *mapping.Service, acc *accounts.Service, p *plan.Service, as *assistance.Service, tr *training.Service,
	areas func(context.Context) ([]geo.Area, error), publicURL string) *Handler {
	return &Handler{kit: kit, mapping: s, accounts: acc, plan: p, assistance: as, training: tr, areas: areas, publicURL: strings.TrimSuffix(publicURL, "/")}
}

// base is the scheme and host invitation links start with.
func (h *Handler) base(r *http.Request) string {
	if h.publicURL != "" {
		return h.publicURL
	}
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// Paths of the routes others link to.
const (
	PathImport = "/mapping/questionnaires/import"
	PathLink   = "/m/"
)

// Routes is the mapping's route table. Results are for the coordinator and
// the analyst (access.ViewMappingReport); the restricted questionnaire's
// results have pages of their own for the coordinator and police contact
// points (access.ViewMappingRestricted); respondents answer what they were
// invited to (access.RespondMapping); the rest is the coordinator's. The
// invitation link is public: it works without an account.
func (h *Handler) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /mapping", Gate: page.SignedIn, Action: access.ViewMappingReport, Handler: h.rounds},
		{Pattern: "GET /mapping/questionnaires", Gate: page.SignedIn, Action: access.ManageMapping, Handler: h.questionnaires},
		{Pattern: "POST /mapping/questionnaires/shipped", Gate: page.SignedIn, Action: access.ManageMapping, Handler: h.addShipped},
		{Pattern: "GET " + PathImport, Gate: page.SignedIn, Action: access.ManageMapping, Handler: h.importForm},
		{Pattern: "POST " + PathImport, Gate: page.SignedIn, Action: access.ManageMapping, Handler: h.importFile},
		{Pattern: "GET /mapping/questionnaires/{id}", Gate: page.SignedIn, Action: access.ManageMapping, Handler: h.preview},
		{Pattern: "GET /mapping/rounds/new", Gate: page.SignedIn, Action: access.ManageMapping, Handler: h.newRound},
		{Pattern: "POST /mapping/rounds/new", Gate: page.SignedIn, Action: access.ManageMapping, Handler: h.createRound},
		{Pattern: "GET /mapping/rounds/{id}", Gate: page.SignedIn, Action: access.ManageMapping, Handler: h.round},
		{Pattern: "POST /mapping/rounds/{id}/open", Gate: page.SignedIn, Action: access.ManageMapping, Handler: h.openRound},
		{Pattern: "POST /mapping/rounds/{id}/close", Gate: page.SignedIn, Action: access.ManageMapping, Handler: h.closeRound},
		{Pattern: "POST /mapping/rounds/{id}/invite", Gate: page.SignedIn, Action: access.ManageMapping, Handler: h.invite},
		{Pattern: "POST /mapping/invitations/{id}/revoke", Gate: page.SignedIn, Action: access.ManageMapping, Handler: h.revoke},
		{Pattern: "POST /mapping/review/{answer}", Gate: page.SignedIn, Action: access.ManageMapping, Handler: h.review},
		{Pattern: "GET /mapping/rounds/{id}/report", Gate: page.SignedIn, Action: access.ViewMappingReport, Handler: h.report},
		{Pattern: "GET /mapping/rounds/{id}/report.pdf", Gate: page.SignedIn, Action: access.ViewMappingReport, Handler: h.reportPDF},
		{Pattern: "POST /mapping/rounds/{id}/findings", Gate: page.SignedIn, Action: access.ManagePlan, Handler: h.recordFinding},
		{Pattern: "GET /mapping/compare", Gate: page.SignedIn, Action: access.ViewMappingReport, Handler: h.compare},
		{Pattern: "GET /mapping/restricted", Gate: page.SignedIn, Action: access.ViewMappingRestricted, Handler: h.restrictedRounds},
		{Pattern: "GET /mapping/rounds/{id}/restricted", Gate: page.SignedIn, Action: access.ViewMappingRestricted, Handler: h.restrictedReport},
		{Pattern: "GET /mapping/rounds/{id}/restricted.pdf", Gate: page.SignedIn, Action: access.ViewMappingRestricted, Handler: h.restrictedReportPDF},
		{Pattern: "GET /mapping/respond", Gate: page.SignedIn, Action: access.RespondMapping, Handler: h.assigned},
		{Pattern: "GET /mapping/respond/{round}/{questionnaire}", Gate: page.SignedIn, Action: access.RespondMapping, Handler: h.answerForm},
		{Pattern: "POST /mapping/respond/{round}/{questionnaire}", Gate: page.SignedIn, Action: access.RespondMapping, Handler: h.answer},
		{Pattern: "GET " + PathLink + "{token}", Gate: page.Public, Handler: h.linkForm},
		{Pattern: "POST " + PathLink + "{token}", Gate: page.Public, Handler: h.linkAnswer},
	}
}

// TakesFiles reports whether r is the questionnaire upload, which sets its
// own, larger limit.
func (h *Handler) TakesFiles(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == PathImport
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the mapping's templates (named mapping_*).
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// respondent is who answered, as a page shows it.
func respondent(p *i18n.Printer, t mapping.RespondentType) string {
	switch {
	case t.Anonymous && t.Role != "":
		return p.T("mapping.anonymous")
	case t.Role == "":
		return p.T("mapping.actor." + t.Kind)
	}
	return p.T("orgkind."+t.Kind) + " · " + p.T("role."+t.Role)
}

// notice is the message a redirect after a change asks for.
func notice(v *web.View, r *http.Request) {
	if done := r.URL.Query().Get("done"); done != "" && !strings.ContainsAny(done, ". /") && v.P.Has("mapping.done."+done) {
		v.Notice = v.P.T("mapping.done." + done)
	}
}

// roundOptions are the rounds to choose from, newest first.
func roundOptions(rounds []mapping.Round) []web.Option {
	opts := make([]web.Option, 0, len(rounds))
	for _, r := range rounds {
		opts = append(opts, web.Option{Value: r.ID, Label: r.Title + " (" + r.PeriodStart + " – " + r.PeriodEnd + ")"})
	}
	return opts
}
