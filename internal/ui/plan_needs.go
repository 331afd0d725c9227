package ui

import (
	"net/http"

	"waymark.city/waymark/internal/assistance"
)

// saveNeeds records the needs assessment of a case.
func (h *Handler) saveNeeds(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "plan.title")
	if err := parseForm(r); err != nil {
		h.planFailed(w, r, v, err, nil)
		return
	}
	in := assistance.NeedsInput{Needs: map[string]string{}, Note: r.PostFormValue("needs_note")}
	for _, code := range r.PostForm["need"] {
		in.Needs[code] = r.PostFormValue("priority." + code)
	}
	v.Form["needs_note"] = in.Note
	if err := h.assistance.SaveNeeds(r.Context(), actor(r), r.PathValue("id"), in); err != nil {
		h.planFailed(w, r, v, err, nil)
		return
	}
	planDone(w, r, "needs", "needs")
}
