package ui

import (
	"net/http"

	"waymark.city/waymark/internal/assistance"
)

// createServiceReferral refers a case to a service provider; the service
// checks the person's consent before anything is stored.
func (h *Handler) createServiceReferral(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "plan.title")
	if err := parseForm(r); err != nil {
		h.planFailed(w, r, v, err, nil)
		return
	}
	in := assistance.ReferralInput{ProviderID: r.PostFormValue("provider"), Services: r.PostForm["services"],
		Placement: r.PostFormValue("placement") == "1", ActivityID: r.PostFormValue("activity")}
	v.Form["provider"], v.Form["activity"] = in.ProviderID, in.ActivityID
	if in.Placement {
		v.Form["placement"] = "1"
	}
	if _, err := h.assistance.Refer(r.Context(), actor(r), r.PathValue("id"), in); err != nil {
		h.planFailed(w, r, v, err, nil)
		return
	}
	planDone(w, r, "referred", "referrals")
}
