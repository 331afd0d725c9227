package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/risk"
)

// assessRisk records a new risk assessment of a case.
func (h *Handler) assessRisk(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "risk.title")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderRisk(w, r, statusOf(err), v)
		return
	}
	in := risk.NewAssessment{Level: r.PostFormValue("level"), Factors: r.PostForm["factors"],
		Summary: r.PostFormValue("summary"), ReviewOn: r.PostFormValue("review_on")}
	id := r.PathValue("id")
	_, err := h.risk.Assess(r.Context(), actor(r), id, in)
	switch {
	case apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden):
		h.fail(w, r, err)
	case err != nil:
		v.Form["level"], v.Form["factors"], v.Form["summary"], v.Form["review_on"] = in.Level, strings.Join(in.Factors, " "), in.Summary, in.ReviewOn
		v.FormError(err)
		h.renderRisk(w, r, statusOf(err), v)
	default:
		http.Redirect(w, r, "/cases/"+id+"/risk?done=assessed#current", http.StatusSeeOther)
	}
}
