package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/web"
)

type organisationsPage struct {
	Organisations []accounts.Organisation
	CanManage     bool
	Kinds         []web.Option
	OwnOrg        string
}

func kindOptions() []web.Option {
	opts := []web.Option{{Value: "", LabelKey: "form.choose"}}
	for _, k := range accounts.OrgKinds {
		opts = append(opts, web.Option{Value: string(k), LabelKey: "orgkind." + string(k)})
	}
	return opts
}

func (h *Handler) listOrganisations(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "orgs.title")
	if r.URL.Query().Get("reach") == "1" {
		v.Notice = v.P.T("orgs.reach_saved")
	}
	h.renderOrganisations(w, r, http.StatusOK, v)
}

func (h *Handler) renderOrganisations(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	orgs, err := h.accounts.ListOrganisations(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Data = organisationsPage{Organisations: orgs, CanManage: access.Can(actor(r), access.ManageOrganisation), Kinds: kindOptions(), OwnOrg: actor(r).OrgID}
	h.shell.Render(w, r, status, "organisations", v)
}
