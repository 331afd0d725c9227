package ui

import (
	"net/http"

	"waymark.city/waymark/internal/returns"
)

// planReturnFollowUp adds a follow-up contact after the return, which
// becomes a deadline of the case.
func (h *Handler) planReturnFollowUp(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "return.title")
	err := parseForm(r)
	if err == nil {
		v.Form["due_on"] = r.PostFormValue("due_on")
		_, err = h.returns.PlanFollowUp(r.Context(), actor(r), r.PathValue("id"), v.Form["due_on"])
	}
	h.afterReturn(w, r, v, err, "followup", "#followups")
}

// recordReturnFollowUp records what a follow-up contact found.
func (h *Handler) recordReturnFollowUp(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "return.title")
	err := parseForm(r)
	if err == nil {
		for _, k := range []string{"done_on", "outcome", "note"} {
			v.Form[k] = r.PostFormValue(k)
		}
		err = h.returns.RecordFollowUp(r.Context(), actor(r), r.PathValue("id"), r.PathValue("followup"),
			returns.FollowUpResult{DoneOn: v.Form["done_on"], Outcome: v.Form["outcome"], Note: v.Form["note"]})
	}
	h.afterReturn(w, r, v, err, "followup", "#followups")
}
