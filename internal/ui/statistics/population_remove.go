package statisticsui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/ui/page"
)

// populationRemove removes a population entered by mistake.
func (h *Handler) populationRemove(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	year, err := strconv.Atoi(r.PostFormValue("year"))
	if err != nil {
		h.kit.Fail(w, r, apperr.New(apperr.NotFound, "statistics.error.population_missing"))
		return
	}
	if err := h.statistics.RemovePopulation(r.Context(), page.Actor(r), r.PostFormValue("area"), year); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/statistics/population?done=removed", http.StatusSeeOther)
}
