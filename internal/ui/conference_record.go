package ui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/apperr"
)

// recordConference records the outcome of a conference: minutes,
// decisions and tasks.
func (h *Handler) recordConference(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "crisisunit.conferences_title")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderConference(w, r, statusOf(err), v)
		return
	}
	n := conferenceNumber(r, "conf")
	if n == 0 {
		h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	out := parseOutcome(r, formValues(v.Form))
	var err error
	if len(out.parseErrors) > 0 {
		err = apperr.Validation(out.parseErrors...)
	} else {
		err = h.crisisunit.RecordOutcome(r.Context(), actor(r), r.PathValue("id"), n, out.outcome)
	}
	switch {
	case apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden):
		h.fail(w, r, err)
	case err != nil:
		v.FormError(out.remap(err))
		h.renderConference(w, r, statusOf(err), v)
	default:
		http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/conferences/"+strconv.Itoa(n), http.StatusSeeOther)
	}
}
