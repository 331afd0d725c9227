package businessesui

import (
	"net/http"

	"waymark.city/waymark/internal/businesses"
	"waymark.city/waymark/internal/ui/page"
)

type listPage struct {
	businesses.Overview
	Sectors map[string]string
}

// list is every business and association, and the follow-ups due.
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	ov, err := h.businesses.List(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p := listPage{Overview: ov, Sectors: map[string]string{}}
	for _, b := range ov.Records {
		p.Sectors[b.Sector] = sectorName(r, b.Sector)
	}
	v := h.kit.View(r, "businesses.title")
	v.Data = p
	h.kit.Render(w, r, http.StatusOK, "businesses_list", v)
}
