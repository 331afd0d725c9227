package statisticsui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
)

type releasePage struct {
	*statistics.Release
	Tables []tableView
	// CanDecide: the reader may approve or reject this prepared release
	// (a coordinator who did not prepare it).
	CanDecide bool
	Own       bool
	// Whole names the categories suppressed as a whole.
	Whole []string
}

// release shows a release: who prepared it for whom, its rules, the tables
// as they are (to be) published, and what may be done with it next.
func (h *Handler) release(w http.ResponseWriter, r *http.Request) {
	actor := page.Actor(r)
	rel, err := h.statistics.ReleaseByID(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "statistics.release.title")
	d := releasePage{Release: rel, Own: rel.PreparedBy == actor.UserID}
	d.CanDecide = rel.Status == statistics.ReleasePrepared && access.Can(actor, access.ApproveRelease) && !d.Own
	for _, t := range rel.Tables {
		d.Tables = append(d.Tables, layoutTable(v.P, rel, t))
	}
	for _, c := range rel.Sensitive {
		d.Whole = append(d.Whole, v.P.T(statistics.DimensionKey(c.Dimension))+": "+v.P.T(statistics.CategoryKey(c.Dimension, c.Category)))
	}
	v.Data = d
	h.kit.Render(w, r, http.StatusOK, "statistics_release", v)
}
