package campaignsui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// reviewHarm records the coordinator's review of a harm log entry.
func (h *Handler) reviewHarm(w http.ResponseWriter, r *http.Request) {
	h.posted(w, r, nil, "reviewed", func(*web.View) error {
		return h.campaigns.ReviewHarm(r.Context(), page.Actor(r), r.PathValue("id"), r.PathValue("harm"), r.PostFormValue("action_taken"))
	})
}
