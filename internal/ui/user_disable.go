package ui

import "net/http"

func (h *Handler) disableUser(w http.ResponseWriter, r *http.Request) { h.setUserDisabled(w, r, true) }

func (h *Handler) enableUser(w http.ResponseWriter, r *http.Request) { h.setUserDisabled(w, r, false) }

// setUserDisabled disables (ending all sessions) or re-enables an account.
func (h *Handler) setUserDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	id := r.PathValue("id")
	if err := h.accounts.SetDisabled(r.Context(), actor(r), id, disabled); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users/"+id, http.StatusSeeOther)
}
