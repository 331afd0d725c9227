// Package trainingui serves the training pages: coverage of the
// identifying actors, needs, sessions with their attendance and trained
// contact points (internal/training).
package trainingui

import (
	"embed"
	"io/fs"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/training"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Handler serves the area.
type Handler struct {
	kit      *page.Kit
	training *training.Service
	accounts *accounts.Service
}

// New returns the area's handler; accounts lists the organisations a form
// offers.
func New(kit *page.Kit, t *training.Service, acc *accounts.Service) *Handler {
	return &Handler{kit: kit, training: t, accounts: acc}
}

// Routes is the area's route table. Reading is the municipal overview's
// (the coordinator and the analyst, who sees counts only); changing is the
// coordinator's.
func (h *Handler) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /training", Gate: page.SignedIn, Action: access.ViewMunicipal, Handler: h.overview},
		{Pattern: "GET /training/needs/new", Gate: page.SignedIn, Action: access.ManageTraining, Handler: h.needForm},
		{Pattern: "POST /training/needs/new", Gate: page.SignedIn, Action: access.ManageTraining, Handler: h.needCreate},
		{Pattern: "POST /training/needs/{id}", Gate: page.SignedIn, Action: access.ManageTraining, Handler: h.needMet},
		{Pattern: "GET /training/sessions/new", Gate: page.SignedIn, Action: access.ManageTraining, Handler: h.sessionForm},
		{Pattern: "POST /training/sessions/new", Gate: page.SignedIn, Action: access.ManageTraining, Handler: h.sessionCreate},
		{Pattern: "GET /training/sessions/{id}", Gate: page.SignedIn, Action: access.ViewMunicipal, Handler: h.sessionShow},
		{Pattern: "POST /training/sessions/{id}/attendance", Gate: page.SignedIn, Action: access.ManageTraining, Handler: h.attendanceRecord},
	}
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the area's templates, named training_*.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// orgOptions are the active organisations for a select, after an option
// labelled by firstKey with the value "".
func (h *Handler) orgOptions(r *http.Request, firstKey string) ([]web.Option, error) {
	orgs, err := h.accounts.ListOrganisations(r.Context(), page.Actor(r))
	if err != nil {
		return nil, err
	}
	out := []web.Option{{Value: "", LabelKey: firstKey}}
	for _, o := range orgs {
		if o.DisabledAt == nil {
			out = append(out, web.Option{Value: o.ID, Label: o.Name})
		}
	}
	return out, nil
}

// groupOptions are the actor groups after an option labelled by firstKey.
func groupOptions(firstKey string) []web.Option {
	out := []web.Option{{Value: "", LabelKey: firstKey}}
	for _, g := range training.Groups() {
		out = append(out, web.Option{Value: g, LabelKey: "training.group." + g})
	}
	return out
}

func canManage(r *http.Request) bool { return access.Can(page.Actor(r), access.ManageTraining) }
