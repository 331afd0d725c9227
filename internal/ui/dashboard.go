package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
)

type dashboardPage struct {
	Organisations int
	Users         int
	CanManage     bool
}

func (h *Handler) showDashboard(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "dashboard.title")
	a := actor(r)
	var page dashboardPage
	if orgs, err := h.accounts.ListOrganisations(r.Context(), a); err == nil {
		page.Organisations = len(orgs)
	}
	if access.Can(a, access.ViewUsers) {
		n, err := h.accounts.CountUsers(r.Context(), a, accounts.UserFilter{})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		page.Users = n
	}
	page.CanManage = access.Can(a, access.ManageUsers)
	v.Data = page
	h.shell.Render(w, r, http.StatusOK, "dashboard", v)
}
