package ui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/assistance"
)

// addProviderStandard records a quality standard or accreditation a
// provider meets.
func (h *Handler) addProviderStandard(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "provider.edit_title")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderProvider(w, r, statusOf(err), v, nil)
		return
	}
	in := assistance.StandardInput{Name: r.PostFormValue("standard_name"), Issuer: r.PostFormValue("standard_issuer"),
		ValidUntil: r.PostFormValue("standard_valid_until")}
	v.Form["standard_name"], v.Form["standard_issuer"], v.Form["standard_valid_until"] = in.Name, in.Issuer, in.ValidUntil
	id := r.PathValue("provider")
	if _, err := h.assistance.AddStandard(r.Context(), actor(r), id, in); err != nil {
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
			h.fail(w, r, err)
			return
		}
		v.FormError(err)
		h.renderProvider(w, r, statusOf(err), v, nil)
		return
	}
	http.Redirect(w, r, "/providers/"+id+"?done=standard#standards", http.StatusSeeOther)
}

// removeProviderStandard removes a standard of a provider.
func (h *Handler) removeProviderStandard(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("provider")
	if err := h.assistance.RemoveStandard(r.Context(), actor(r), id, r.PathValue("standard")); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/providers/"+id+"?done=standard#standards", http.StatusSeeOther)
}
