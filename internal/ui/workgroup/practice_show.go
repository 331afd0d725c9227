package workgroupui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// practiceShow is one good practice of the library.
func (h *Handler) practiceShow(w http.ResponseWriter, r *http.Request) {
	p, err := h.wg.Practice(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "workgroup.practice_title")
	if r.URL.Query().Get("done") == "created" {
		v.Notice = v.P.T("workgroup.done_practice")
	}
	v.Data = p
	h.kit.Render(w, r, http.StatusOK, "workgroup_practice", v)
}
