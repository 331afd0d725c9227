package ui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/web"
)

// answerServiceReferral records a provider's answer: from the list of
// referrals the provider's organisation received, or by the referring
// worker for a provider outside Waymark.
func (h *Handler) answerServiceReferral(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "plan.title")
	if err := parseForm(r); err != nil {
		h.referralActionFailed(w, r, v, err)
		return
	}
	ans := assistance.Answer{Accept: r.PostFormValue("answer") == "accept", Reason: r.PostFormValue("reason")}
	_, err := h.assistance.AnswerReferral(r.Context(), actor(r), r.PathValue("id"), r.PathValue("ref"), ans)
	if err != nil {
		h.referralActionFailed(w, r, v, err)
		return
	}
	h.referralActionDone(w, r, "answered")
}

// endServiceReferral ends or withdraws a referral; a placement frees its place.
func (h *Handler) endServiceReferral(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "plan.title")
	if err := parseForm(r); err != nil {
		h.referralActionFailed(w, r, v, err)
		return
	}
	_, err := h.assistance.EndReferral(r.Context(), actor(r), r.PathValue("id"), r.PathValue("ref"), r.PostFormValue("end_reason"))
	if err != nil {
		h.referralActionFailed(w, r, v, err)
		return
	}
	h.referralActionDone(w, r, "ended")
}

// fromIncoming reports whether the form was sent from the list of
// incoming referrals, where the answer goes back to.
func fromIncoming(r *http.Request) bool { return r.PostFormValue("back") == "incoming" }

func (h *Handler) referralActionDone(w http.ResponseWriter, r *http.Request, done string) {
	if fromIncoming(r) {
		http.Redirect(w, r, "/service-referrals?done="+done, http.StatusSeeOther)
		return
	}
	planDone(w, r, done, "referrals")
}

func (h *Handler) referralActionFailed(w http.ResponseWriter, r *http.Request, v *web.View, err error) {
	if !fromIncoming(r) {
		h.planFailed(w, r, v, err, nil)
		return
	}
	if apperr.Is(err, apperr.NotFound) {
		h.fail(w, r, err)
		return
	}
	v = h.view(r, "plan.incoming_title")
	v.FormError(err)
	h.renderIncoming(w, r, statusOf(err), v)
}
