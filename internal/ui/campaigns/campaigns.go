// Package campaignsui serves the campaign pages: the list, a campaign's
// form, and its page with targets, materials, attribution codes and QR
// codes, reach, the funnel and the harm log (internal/campaigns). Every
// page shows counts and codes only.
package campaignsui

import (
	"embed"
	"io/fs"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Handler serves the area.
type Handler struct {
	kit       *page.Kit
	campaigns *campaigns.Service
}

// New returns the area's handler.
func New(kit *page.Kit, c *campaigns.Service) *Handler { return &Handler{kit: kit, campaigns: c} }

// Routes is the area's route table. Reading is campaigns.view (the
// coordinator and the analyst); changing is the coordinator's; survey
// responses are entered by whoever records outreach.
func (h *Handler) Routes() []page.Route {
	view, manage := access.ViewCampaigns, access.ManageCampaigns
	return []page.Route{
		{Pattern: "GET /campaigns", Gate: page.SignedIn, Action: view, Handler: h.list},
		{Pattern: "GET /campaigns/new", Gate: page.SignedIn, Action: manage, Handler: h.newForm},
		{Pattern: "POST /campaigns/new", Gate: page.SignedIn, Action: manage, Handler: h.create},
		{Pattern: "GET /campaigns/{id}", Gate: page.SignedIn, Action: view, Handler: h.show},
		{Pattern: "GET /campaigns/{id}/edit", Gate: page.SignedIn, Action: manage, Handler: h.editForm},
		{Pattern: "POST /campaigns/{id}/edit", Gate: page.SignedIn, Action: manage, Handler: h.update},
		{Pattern: "POST /campaigns/{id}/launch", Gate: page.SignedIn, Action: manage, Handler: h.launch},
		{Pattern: "POST /campaigns/{id}/end", Gate: page.SignedIn, Action: manage, Handler: h.end},
		{Pattern: "POST /campaigns/{id}/targets", Gate: page.SignedIn, Action: manage, Handler: h.addTarget},
		{Pattern: "POST /campaigns/{id}/materials", Gate: page.SignedIn, Action: manage, Handler: h.addMaterial},
		{Pattern: "GET /campaigns/{id}/materials/{material}/qr.png", Gate: page.SignedIn, Action: view, Handler: h.qr},
		{Pattern: "POST /campaigns/{id}/reach", Gate: page.SignedIn, Action: manage, Handler: h.recordReach},
		{Pattern: "POST /campaigns/{id}/harms", Gate: page.SignedIn, Action: manage, Handler: h.recordHarm},
		{Pattern: "POST /campaigns/{id}/harms/{harm}/review", Gate: page.SignedIn, Action: manage, Handler: h.reviewHarm},
		// Survey responses are entered by the coordinator or an outreach
		// worker of any organisation (outreach.record), who need not read
		// campaigns otherwise: the campaign is a choice of the form.
		{Pattern: "GET /campaigns/survey", Gate: page.SignedIn, Action: access.RecordOutreach, Handler: h.surveyNew},
		{Pattern: "POST /campaigns/survey", Gate: page.SignedIn, Action: access.RecordOutreach, Handler: h.surveyRecord},
	}
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the area's templates, named campaign_*.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

func canManage(r *http.Request) bool { return access.Can(page.Actor(r), access.ManageCampaigns) }

// keyed are options labelled by message keys prefix+code.
func keyed(prefix string, codes []string) []web.Option {
	out := make([]web.Option, len(codes))
	for i, c := range codes {
		out[i] = web.Option{Value: c, LabelKey: prefix + c}
	}
	return out
}

// languageOptions are the campaign languages by their own names.
func (h *Handler) languageOptions() []web.Option {
	var out []web.Option
	for _, l := range h.campaigns.Languages() {
		out = append(out, web.Option{Value: l.Tag, Label: l.Name})
	}
	return out
}

// languageName is a language's own name, or its tag.
func (h *Handler) languageName(tag string) string {
	for _, l := range h.campaigns.Languages() {
		if l.Tag == tag {
			return l.Name
		}
	}
	return tag
}
