package statisticsui

import (
	"net/http"

	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
)

// populationSave enters or corrects the population of an area in a year;
// bad input shows the form again with its errors and stores nothing.
func (h *Handler) populationSave(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "statistics.population.title")
	render := func(status int) { h.renderPopulation(w, r, status, v) }
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, render)
		return
	}
	for _, k := range []string{"area", "year", "population", "source"} {
		v.Form[k] = r.PostFormValue(k)
	}
	if _, err := h.statistics.SetPopulation(r.Context(), page.Actor(r), statistics.PopulationInput{Area: v.Form["area"], Year: v.Form["year"],
		Population: v.Form["population"], Source: v.Form["source"]}); err != nil {
		h.kit.FormFailed(w, r, v, err, render)
		return
	}
	http.Redirect(w, r, "/statistics/population?done=saved", http.StatusSeeOther)
}
