package ui

import (
	"net/http"

	"waymark.city/waymark/internal/accounts"
)

func (h *Handler) createOrganisation(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "orgs.title")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderOrganisations(w, r, statusOf(err), v)
		return
	}
	in := accounts.NewOrganisation{Name: r.PostFormValue("name"), Kind: accounts.OrgKind(r.PostFormValue("kind")),
		Reach: accounts.Reach{Phone: r.PostFormValue("phone"), Hours: r.PostFormValue("hours")}}
	v.Form["name"], v.Form["kind"], v.Form["phone"], v.Form["hours"] = in.Name, string(in.Kind), in.Phone, in.Hours
	org, err := h.accounts.CreateOrganisation(r.Context(), actor(r), in)
	if err != nil {
		v.FormError(err)
		h.renderOrganisations(w, r, statusOf(err), v)
		return
	}
	v.Form = map[string]string{}
	v.Notice = v.P.T("orgs.created", "name", org.Name)
	h.renderOrganisations(w, r, http.StatusCreated, v)
}
