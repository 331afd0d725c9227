package ui

import (
	"net/http"

	"waymark.city/waymark/internal/assistance"
)

// recordReferralFeedback records how a referral that ended went.
func (h *Handler) recordReferralFeedback(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "plan.title")
	if err := parseForm(r); err != nil {
		h.planFailed(w, r, v, err, nil)
		return
	}
	in := assistance.FeedbackInput{Delivered: r.PostFormValue("delivered"), Timeliness: r.PostFormValue("timeliness"),
		Satisfaction: r.PostFormValue("satisfaction"), Comment: r.PostFormValue("comment")}
	if err := h.assistance.RecordFeedback(r.Context(), actor(r), r.PathValue("id"), r.PathValue("ref"), in); err != nil {
		h.planFailed(w, r, v, err, nil)
		return
	}
	planDone(w, r, "feedback", "referrals")
}
