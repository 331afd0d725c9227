package ui

import (
	"net/http"
)

// createProvider adds a provider to the directory.
func (h *Handler) createProvider(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "provider.new_title")
	page := &providerFormPage{Action: "/providers", Active: true}
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderProviderForm(w, r, statusOf(err), v, page)
		return
	}
	in, checked := providerInput(r, v)
	p, err := h.assistance.CreateProvider(r.Context(), actor(r), in)
	if err != nil {
		page.Checked, page.Active = checked, in.Active
		v.FormError(err)
		h.renderProviderForm(w, r, statusOf(err), v, page)
		return
	}
	http.Redirect(w, r, "/providers/"+p.ID+"?done=created", http.StatusSeeOther)
}
