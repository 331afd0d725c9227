package statisticsui

import (
	"net/http"
	"strconv"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
)

// presetsPage lists the rapporteur presets, each one link for last year and
// one for this year so far.
type presetsPage struct {
	Presets    []string
	ThisYear   string
	LastYear   string
	Population bool // the reader may enter the population SDG 16.2.2 divides by
}

// presets lists the rapporteur presets, one click each.
func (h *Handler) presets(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "statistics.preset.title")
	year := time.Now().UTC().Year()
	v.Data = presetsPage{Presets: statistics.Presets(), ThisYear: strconv.Itoa(year), LastYear: strconv.Itoa(year - 1),
		Population: access.Can(page.Actor(r), access.ManagePopulation)}
	h.kit.Render(w, r, http.StatusOK, "statistics_presets", v)
}
