package mappingui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/ui/page"
)

// review accepts a free-text answer with the coordinator's de-identified
// text, or rejects it, and goes back to the round.
func (h *Handler) review(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	round := r.PostFormValue("round")
	decision := r.PostFormValue("decision")
	if decision != "accept" && decision != "reject" {
		h.kit.Fail(w, r, apperr.New(apperr.Invalid, "mapping.error.decision"))
		return
	}
	err := h.mapping.Review(r.Context(), page.Actor(r), r.PathValue("answer"), decision == "accept", r.PostFormValue("text"))
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			v := h.kit.View(r, "mapping.round")
			v.FormError(err)
			h.renderRound(w, r, page.StatusOf(err), v, round, "")
			return
		}
		h.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/mapping/rounds/"+round+"?done=reviewed#review", http.StatusSeeOther)
}
