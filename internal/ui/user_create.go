package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
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
	page := newUserPage{Orgs: []web.Option{{Value: "", LabelKey: "form.choose"}}, Roles: []web.Option{{Value: "", LabelKey: "form.choose"}}}
	for _, o := range orgs {
		if o.DisabledAt == nil {
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
	u, err := h.accounts.CreateUser(r.Context(), actor(r), accounts.NewUser{
		OrgID: v.Form["org"], Username: v.Form["username"], Role: access.Role(v.Form["role"]),
		Password: r.PostFormValue("password"), Language: v.Form["language"],
		Profile: accounts.Profile{DisplayName: v.Form["name"], Email: v.Form["email"], Phone: v.Form["phone"]},
	})
	if err != nil {
		v.FormError(err)
		h.renderNewUser(w, r, statusOf(err), v)
		return
	}
	http.Redirect(w, r, "/users/"+u.ID+"?created=1", http.StatusSeeOther)
}

func roleOptions() []web.Option {
	var opts []web.Option
	for _, role := range access.Roles {
		opts = append(opts, web.Option{Value: string(role), LabelKey: "role." + string(role)})
	}
	return opts
}
