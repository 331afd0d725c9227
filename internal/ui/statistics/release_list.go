package statisticsui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
)

type releaseListPage struct {
	Releases   []statistics.ReleaseSummary
	CanPrepare bool
}

// releases lists the releases, newest first, with the way to prepare one.
func (h *Handler) releases(w http.ResponseWriter, r *http.Request) {
	actor := page.Actor(r)
	list, err := h.statistics.Releases(r.Context(), actor)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "statistics.release.list_title")
	v.Data = releaseListPage{Releases: list, CanPrepare: access.Can(actor, access.PrepareRelease)}
	h.kit.Render(w, r, http.StatusOK, "statistics_releases", v)
}
