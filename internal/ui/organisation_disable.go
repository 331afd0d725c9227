package ui

import "net/http"

func (h *Handler) disableOrganisation(w http.ResponseWriter, r *http.Request) {
	h.setOrganisationDisabled(w, r, true)
}

func (h *Handler) enableOrganisation(w http.ResponseWriter, r *http.Request) {
	h.setOrganisationDisabled(w, r, false)
}

// setOrganisationDisabled disables (signing out all its users) or re-enables
// a partner organisation.
func (h *Handler) setOrganisationDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	if err := h.accounts.SetOrganisationDisabled(r.Context(), actor(r), r.PathValue("org"), disabled); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/organisations", http.StatusSeeOther)
}
