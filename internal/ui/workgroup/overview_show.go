package workgroupui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/workgroup"
)

type overviewPage struct {
	workgroup.Overview
	CanManage bool
	Done      string
}

// overview is the group: members, coming and past meetings, open action
// items.
func (h *Handler) overview(w http.ResponseWriter, r *http.Request) {
	ov, err := h.wg.Overview(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "workgroup.title")
	if done := r.URL.Query().Get("done"); done == "member" || done == "left" {
		v.Notice = v.P.T("workgroup.done_" + done)
	}
	v.Data = overviewPage{Overview: ov, CanManage: canManage(r)}
	h.kit.Render(w, r, http.StatusOK, "workgroup_overview", v)
}
