package ui

import (
	"net/http"

	"waymark.city/waymark/internal/legalstatus"
)

// extendLegalReflection moves the end of the reflection period later.
func (h *Handler) extendLegalReflection(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "legalstatus.title")
	if err := parseForm(r); err != nil {
		h.legalFailed(w, r, v, legalEdit{}, err)
		return
	}
	f := legalForm(v, r, "reflection_end", "reflection_reason")
	_, err := h.legalstatus.ExtendReflection(r.Context(), actor(r), r.PathValue("id"), legalstatus.ReflectionInput{End: f["reflection_end"], Reason: f["reflection_reason"]})
	if err != nil {
		h.legalFailed(w, r, v, legalEdit{}, err)
		return
	}
	legalSaved(w, r, "reflection")
}
