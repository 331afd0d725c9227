package ui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
)

// forwardReferral forwards a referral with reasonable grounds to the
// competent authority for the formal decision.
func (h *Handler) forwardReferral(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "referral.title")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderReferral(w, r, statusOf(err), v, nil)
		return
	}
	v.Form["authority"] = r.PostFormValue("authority")
	id := r.PathValue("id")
	_, err := h.referrals.ForwardTo(r.Context(), actor(r), id, v.Form["authority"])
	switch {
	case apperr.Is(err, apperr.NotFound):
		h.fail(w, r, err)
	case err != nil:
		v.FormError(err)
		h.renderReferral(w, r, statusOf(err), v, nil)
	default:
		http.Redirect(w, r, "/referrals/"+id+"#forwards", http.StatusSeeOther)
	}
}
