package statisticsui

import (
	"net/http"

	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// populationRow is an entered population with its area's name.
type populationRow struct {
	statistics.Population
	AreaName string
}

type populationPage struct {
	Rows  []populationRow
	Areas []web.Option
	Done  string
}

// renderPopulation shows the populations entered and the form to enter
// one.
func (h *Handler) renderPopulation(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	list, areas, err := h.statistics.Populations(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p := populationPage{Areas: []web.Option{{Value: "", LabelKey: "statistics.population.city"}}, Done: r.URL.Query().Get("done")}
	names := map[string]string{}
	for _, a := range areas {
		names[a.Code] = a.Name
		p.Areas = append(p.Areas, web.Option{Value: a.Code, Label: a.Name})
	}
	for _, e := range list {
		row := populationRow{Population: e, AreaName: names[e.Area]}
		if row.AreaName == "" {
			row.AreaName = e.Area
		}
		p.Rows = append(p.Rows, row)
	}
	v.Data = p
	h.kit.Render(w, r, status, "statistics_population", v)
}

// population shows the population table the coordinator keeps for SDG
// 16.2.2's rates.
func (h *Handler) population(w http.ResponseWriter, r *http.Request) {
	h.renderPopulation(w, r, http.StatusOK, h.kit.View(r, "statistics.population.title"))
}
