package workgroupui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// actionMeasure turns an action item into a measure of the action plan
// and opens the measure; a refusal is the error page.
func (h *Handler) actionMeasure(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	measure, err := h.wg.MakeMeasure(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/plan/measures/"+measure.ID, http.StatusSeeOther)
}
