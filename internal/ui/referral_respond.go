package ui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
)

// acceptReferral records that the receiving organisation takes the referral on.
func (h *Handler) acceptReferral(w http.ResponseWriter, r *http.Request) {
	h.respondReferral(w, r, true)
}

// declineReferral records that it does not, with a reason.
func (h *Handler) declineReferral(w http.ResponseWriter, r *http.Request) {
	h.respondReferral(w, r, false)
}

func (h *Handler) respondReferral(w http.ResponseWriter, r *http.Request, accept bool) {
	v := h.view(r, "referral.title")
	svc := h.referrals
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderReferral(w, r, statusOf(err), v, nil)
		return
	}
	id := r.PathValue("id")
	var err error
	if accept {
		_, err = svc.Accept(r.Context(), actor(r), id)
	} else {
		v.Form["reason"] = r.PostFormValue("reason")
		_, err = svc.Decline(r.Context(), actor(r), id, v.Form["reason"])
	}
	switch {
	case apperr.Is(err, apperr.NotFound):
		h.fail(w, r, err)
	case err != nil:
		v.FormError(err)
		h.renderReferral(w, r, statusOf(err), v, nil)
	default:
		http.Redirect(w, r, "/referrals/"+id, http.StatusSeeOther)
	}
}
