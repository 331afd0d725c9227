package ui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
)

type usersPage struct {
	Users         []accounts.User
	Organisations []accounts.Organisation
	OrgID         string
	CanCreate     bool
	Total         int
	// CreatedElsewhere are accounts created in the viewer's organisation
	// by someone of another organisation.
	CreatedElsewhere []accounts.CreatedElsewhere
	Prev, Next       string
}

const usersPageSize = 100

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "users.title")
	a := actor(r)
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f := accounts.UserFilter{OrgID: q.Get("org"), IncludeDisabled: true, Limit: usersPageSize, Offset: (page - 1) * usersPageSize}
	users, err := h.accounts.ListUsers(r.Context(), a, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	total, err := h.accounts.CountUsers(r.Context(), a, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	orgs, err := h.accounts.ListOrganisations(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	elsewhere, err := h.accounts.CreatedElsewhere(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := usersPage{Users: users, Organisations: orgs, OrgID: f.OrgID, CanCreate: access.Can(a, access.CreateUsers), Total: total,
		CreatedElsewhere: elsewhere}
	if page > 1 {
		data.Prev = pageLink("/users", q, page-1)
	}
	if f.Offset+len(users) < total {
		data.Next = pageLink("/users", q, page+1)
	}
	v.Data = data
	h.shell.Render(w, r, http.StatusOK, "users", v)
}
