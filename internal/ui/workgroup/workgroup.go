// Package workgroupui serves the working group's pages: members, meetings
// with minutes, decisions and action items, and the library of good
// practices (internal/workgroup).
package workgroupui

import (
	"embed"
	"io/fs"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
	"waymark.city/waymark/internal/workgroup"
)

// Handler serves the area.
type Handler struct {
	kit      *page.Kit
	wg       *workgroup.Service
	accounts *accounts.Service
}

// New returns the area's handler; accounts lists the organisations a form
// offers.
func New(kit *page.Kit, wg *workgroup.Service, acc *accounts.Service) *Handler {
	return &Handler{kit: kit, wg: wg, accounts: acc}
}

// Routes is the area's route table.
func (h *Handler) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /workgroup", Gate: page.SignedIn, Action: access.ViewWorkingGroup, Handler: h.overview},
		{Pattern: "GET /workgroup/members/new", Gate: page.SignedIn, Action: access.ManageWorkingGroup, Handler: h.memberForm},
		{Pattern: "POST /workgroup/members/new", Gate: page.SignedIn, Action: access.ManageWorkingGroup, Handler: h.memberCreate},
		{Pattern: "POST /workgroup/members/{id}", Gate: page.SignedIn, Action: access.ManageWorkingGroup, Handler: h.memberLeave},
		{Pattern: "GET /workgroup/meetings/new", Gate: page.SignedIn, Action: access.ManageWorkingGroup, Handler: h.meetingForm},
		{Pattern: "POST /workgroup/meetings/new", Gate: page.SignedIn, Action: access.ManageWorkingGroup, Handler: h.meetingCreate},
		{Pattern: "GET /workgroup/meetings/{id}", Gate: page.SignedIn, Action: access.ViewWorkingGroup, Handler: h.meetingShow},
		{Pattern: "POST /workgroup/meetings/{id}", Gate: page.SignedIn, Action: access.ManageWorkingGroup, Handler: h.meetingRecord},
		{Pattern: "POST /workgroup/actions/{id}/measure", Gate: page.SignedIn, Action: access.ManageWorkingGroup, Handler: h.actionMeasure},
		{Pattern: "GET /workgroup/practices", Gate: page.SignedIn, Action: access.ViewWorkingGroup, Handler: h.practiceList},
		{Pattern: "GET /workgroup/practices/new", Gate: page.SignedIn, Action: access.ManageWorkingGroup, Handler: h.practiceForm},
		{Pattern: "POST /workgroup/practices/new", Gate: page.SignedIn, Action: access.ManageWorkingGroup, Handler: h.practiceCreate},
		{Pattern: "GET /workgroup/practices/{id}", Gate: page.SignedIn, Action: access.ViewWorkingGroup, Handler: h.practiceShow},
	}
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the area's templates, named workgroup_*.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// orgOptions are the active organisations for a select, after a "choose"
// option.
func (h *Handler) orgOptions(r *http.Request) ([]web.Option, error) {
	orgs, err := h.accounts.ListOrganisations(r.Context(), page.Actor(r))
	if err != nil {
		return nil, err
	}
	out := []web.Option{{Value: "", LabelKey: "workgroup.choose"}}
	for _, o := range orgs {
		if o.DisabledAt == nil {
			out = append(out, web.Option{Value: o.ID, Label: o.Name})
		}
	}
	return out, nil
}

// canManage reports whether the signed-in user runs the group.
func canManage(r *http.Request) bool { return access.Can(page.Actor(r), access.ManageWorkingGroup) }
