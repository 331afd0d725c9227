package inspectionsui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// screen starts a screening of a worker met at the inspection, linked to
// it, and continues at the screening's questions.
func (h *Handler) screen(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	sc, err := h.inspections.StartScreening(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/screenings/"+sc.ID+"/questions?page=1", http.StatusSeeOther)
}
