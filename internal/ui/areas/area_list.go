package areasui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/ui/page"
)

type listData struct {
	Areas     []geo.Area
	Map       geo.Map
	CanManage bool
	// Basemap is set when the operator configured one; shown to those
	// who manage the areas, to check it covers the city.
	Basemap *geo.BasemapInfo
}

// list shows the map of all current areas and the table of them.
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "areas.title")
	areas, err := h.geo.Current(r.Context())
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	d := listData{Areas: areas, CanManage: access.Can(page.Actor(r), access.ManageAreas),
		Map: geo.Render(v.P, geo.Spec{ID: "areas-map", Title: v.P.T("areas.map_title"), Areas: areas})}
	if d.CanManage && h.basemap != nil {
		info := h.basemap.Info()
		d.Basemap = &info
	}
	// After an upload the redirect says what it did; the numbers are only
	// ever shown, so anything unparsable is simply not a notice.
	q := r.URL.Query()
	if q.Has("added") {
		n := func(k string) int { i, _ := strconv.Atoi(q.Get(k)); return i }
		v.Notice = v.P.T("areas.uploaded", "added", n("added"), "changed", n("changed"), "retired", n("retired"), "unchanged", n("unchanged"))
	}
	v.Data = d
	h.kit.Render(w, r, http.StatusOK, "areas_list", v)
}
