package inspectionsui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/inspections"
	"waymark.city/waymark/internal/ui/page"
)

type listPage struct {
	inspections.Overview
	Names vocabulary
	// CanPlan offers planning and the exports to those who plan.
	CanPlan bool
}

// list is the inspections, latest first, and what the held ones found.
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	ov, err := h.inspections.List(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	names, err := h.vocabulary(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "inspections.title")
	v.Data = listPage{Overview: ov, Names: names, CanPlan: access.Can(page.Actor(r), access.ManageInspections)}
	h.kit.Render(w, r, http.StatusOK, "inspections_list", v)
}
