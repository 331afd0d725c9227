package workgroupui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// memberLeave records that a member left the group; a refusal shows the
// overview with the error.
func (h *Handler) memberLeave(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(r)
	if err == nil {
		_, err = h.wg.Leave(r.Context(), page.Actor(r), r.PathValue("id"), r.PostFormValue("left_on"))
	}
	if err != nil {
		v := h.kit.View(r, "workgroup.title")
		h.kit.FormFailed(w, r, v, err, func(status int) {
			ov, oerr := h.wg.Overview(r.Context(), page.Actor(r))
			if oerr != nil {
				h.kit.Fail(w, r, oerr)
				return
			}
			v.Data = overviewPage{Overview: ov, CanManage: canManage(r)}
			h.kit.Render(w, r, status, "workgroup_overview", v)
		})
		return
	}
	http.Redirect(w, r, "/workgroup?done=left", http.StatusSeeOther)
}
