package trainingui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// needMet marks a need as met; a refusal is the error page.
func (h *Handler) needMet(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(r)
	if err == nil {
		err = h.training.MeetNeed(r.Context(), page.Actor(r), r.PathValue("id"))
	}
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/training?done=met", http.StatusSeeOther)
}
