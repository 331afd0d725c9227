package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
)

// changeUserRole gives an account another role.
func (h *Handler) changeUserRole(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	if err := h.accounts.SetRole(r.Context(), actor(r), id, access.Role(r.PostFormValue("role"))); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users/"+id, http.StatusSeeOther)
}
