package ui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/risk"
)

// recordRiskIncident records an event that changes a case's risk and asks
// for a new assessment.
func (h *Handler) recordRiskIncident(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "risk.title")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderRisk(w, r, statusOf(err), v)
		return
	}
	in := risk.NewIncident{Kind: r.PostFormValue("kind"), OccurredOn: r.PostFormValue("occurred_on"), Note: r.PostFormValue("note")}
	id := r.PathValue("id")
	_, err := h.risk.RecordIncident(r.Context(), actor(r), id, in)
	switch {
	case apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden):
		h.fail(w, r, err)
	case err != nil:
		v.Form["kind"], v.Form["occurred_on"], v.Form["note"] = in.Kind, in.OccurredOn, in.Note
		v.FormError(err)
		h.renderRisk(w, r, statusOf(err), v)
	default:
		http.Redirect(w, r, "/cases/"+id+"/risk?done=incident#incidents", http.StatusSeeOther)
	}
}
