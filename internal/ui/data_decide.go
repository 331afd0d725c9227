package ui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/dataprotection"
)

// decideErasure carries out or refuses an erasure request.
func (h *Handler) decideErasure(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "data.title")
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("req"))
	if err != nil || n < 1 {
		h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	decision := r.PostFormValue("decision")
	d := dataprotection.Decision{CarryOut: decision == "carry_out", Reason: r.PostFormValue("reason"),
		Informed: r.PostFormValue("informed") == "1", DecidedOn: r.PostFormValue("decided_on")}
	v.Form["decision"], v.Form["reason"], v.Form["decided_on"] = decision, d.Reason, d.DecidedOn
	if d.Informed {
		v.Form["informed"] = "1"
	}
	if decision != "carry_out" && decision != "refuse" {
		err = apperr.Validation(apperr.FieldError{Field: "decision", Key: "error.data.decision"})
	} else {
		err = h.dataprotection.DecideErasure(r.Context(), actor(r), r.PathValue("id"), n, d)
	}
	if err != nil {
		v.FormError(err)
		h.renderData(w, r, statusOf(err), v)
		return
	}
	done := "refused"
	if d.CarryOut {
		done = "erased"
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/data?done="+done, http.StatusSeeOther)
}
