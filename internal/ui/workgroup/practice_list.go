package workgroupui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/workgroup"
)

type practicesPage struct {
	Practices []workgroup.Practice
	Tag       string
	CanManage bool
}

// practiceList is the library of good practices, by tag.
func (h *Handler) practiceList(w http.ResponseWriter, r *http.Request) {
	tag := r.URL.Query().Get("tag")
	list, err := h.wg.Practices(r.Context(), page.Actor(r), tag)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "workgroup.practices_title")
	v.Form["tag"] = tag
	v.Data = practicesPage{Practices: list, Tag: tag, CanManage: canManage(r)}
	h.kit.Render(w, r, http.StatusOK, "workgroup_practices", v)
}
