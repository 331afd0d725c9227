package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/web"
)

type newUserPage struct {
	Orgs  []web.Option
	Roles []web.Option
	Langs []web.Option
}

func (h *Handler) renderNewUser(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	orgs, err := h.accounts.ListOrganisations(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a := actor(r)
	page := newUserPage{Orgs: []web.Option{{Value: "", LabelKey: "form.choose"}}, Roles: []web.Option{{Value: "", LabelKey: "form.choose"}}}
	ownOnly := access.ReachOf(a.Role, access.CreateUsers) == access.OwnOrg
	for _, o := range orgs {
		if o.DisabledAt == nil && (!ownOnly || o.ID == a.OrgID) {
			page.Orgs = append(page.Orgs, web.Option{Value: o.ID, Label: o.Name})
		}
	}
	page.Roles = append(page.Roles, roleOptions()...)
	for _, l := range h.shell.Catalog().Languages() {
		page.Langs = append(page.Langs, web.Option{Value: l.Tag, Label: l.Name})
	}
	v.Data = page
	h.shell.Render(w, r, status, "user_new", v)
}

func (h *Handler) showNewUser(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "users.new_title")
	v.Form["org"] = r.URL.Query().Get("org")
	if v.Form["org"] == "" {
		v.Form["org"] = actor(r).OrgID
	}
	v.Form["language"] = v.P.Lang()
	h.renderNewUser(w, r, http.StatusOK, v)
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "users.new_title")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderNewUser(w, r, statusOf(err), v)
		return
	}
	for _, k := range []string{"org", "username", "role", "language", "name", "email", "phone"} {
		v.Form[k] = r.PostFormValue(k)
	}
	u, link, err := h.accounts.CreateUser(r.Context(), actor(r), accounts.NewUser{
		OrgID: v.Form["org"], Username: v.Form["username"], Role: access.Role(v.Form["role"]),
		// A password posted anyway is refused: the owner sets it.
		Password: r.PostFormValue("password"), Language: v.Form["language"],
		Profile: accounts.Profile{DisplayName: v.Form["name"], Email: v.Form["email"], Phone: v.Form["phone"]},
	})
	if apperr.Is(err, apperr.Forbidden) {
		h.fail(w, r, err)
		return
	}
	if err != nil {
		v.FormError(err)
		h.renderNewUser(w, r, statusOf(err), v)
		return
	}
	h.showActivationLink(w, r, u, link, "users.created")
}

func roleOptions() []web.Option {
	var opts []web.Option
	for _, role := range access.Roles {
		opts = append(opts, web.Option{Value: string(role), LabelKey: "role." + string(role)})
	}
	return opts
}
