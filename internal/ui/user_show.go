package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/web"
)

type userPage struct {
	User      accounts.User
	Contact   *accounts.Profile
	CanManage bool
	CanReveal bool
	// CanActivate offers a new activation link for an account not yet activated.
	CanActivate bool
	IsYourself  bool
	Roles       []web.Option
}

func (h *Handler) renderUser(w http.ResponseWriter, r *http.Request, contact *accounts.Profile) {
	v := h.view(r, "users.show_title")
	a := actor(r)
	u, err := h.accounts.GetUser(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if key, ok := activationNotice(r.URL.Query().Get("activation")); ok {
		v.Notice = v.P.T(key, "name", u.Username)
	}
	// Only an administrator changes an administrator's account.
	mayChange := u.Role != access.Administrator || access.Can(a, access.ManageAdmins)
	createScope, err := access.Authorize(a, access.CreateUsers)
	v.Data = userPage{User: u, Contact: contact, CanManage: access.Can(a, access.ManageUsers) && mayChange,
		CanReveal: access.Can(a, access.RevealContact), IsYourself: u.ID == a.UserID, Roles: roleOptions(),
		CanActivate: u.Pending && err == nil && createScope.Includes(u.OrgID) && mayChange}
	v.Form["role"] = string(u.Role)
	h.shell.Render(w, r, http.StatusOK, "user", v)
}

func (h *Handler) showUser(w http.ResponseWriter, r *http.Request) { h.renderUser(w, r, nil) }

// revealUserContact shows a user's name and contact details after step-up.
func (h *Handler) revealUserContact(w http.ResponseWriter, r *http.Request) {
	p, err := h.accounts.RevealProfile(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderUser(w, r, &p)
}
