package trainingui

import (
	"net/http"
	"time"

	"waymark.city/waymark/internal/training"
	"waymark.city/waymark/internal/ui/page"
)

type overviewPage struct {
	training.Overview
	CanManage bool
	Today     string
}

// overview is the coverage table, the open needs, the coming and recent
// sessions and the trained contact points.
func (h *Handler) overview(w http.ResponseWriter, r *http.Request) {
	ov, err := h.training.Overview(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "training.title")
	switch r.URL.Query().Get("done") {
	case "need":
		v.Notice = v.P.T("training.done_need")
	case "met":
		v.Notice = v.P.T("training.done_met")
	}
	v.Data = overviewPage{Overview: ov, CanManage: canManage(r), Today: time.Now().Format(time.DateOnly)}
	h.kit.Render(w, r, http.StatusOK, "training_overview", v)
}
