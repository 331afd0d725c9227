package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
)

type usersPage struct {
	Users         []accounts.User
	Organisations []accounts.Organisation
	OrgID         string
	CanManage     bool
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "users.title")
	a := actor(r)
	f := accounts.UserFilter{OrgID: r.URL.Query().Get("org"), IncludeDisabled: true}
	users, err := h.accounts.ListUsers(r.Context(), a, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	orgs, err := h.accounts.ListOrganisations(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Data = usersPage{Users: users, Organisations: orgs, OrgID: f.OrgID, CanManage: access.Can(a, access.ManageUsers)}
	h.shell.Render(w, r, http.StatusOK, "users", v)
}
