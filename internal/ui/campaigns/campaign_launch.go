package campaignsui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// launch starts the campaign; without a target or a call to action the
// page says what is missing.
func (h *Handler) launch(w http.ResponseWriter, r *http.Request) {
	h.posted(w, r, nil, "launched", func(*web.View) error {
		return h.campaigns.Launch(r.Context(), page.Actor(r), r.PathValue("id"))
	})
}

// end ends a running campaign.
func (h *Handler) end(w http.ResponseWriter, r *http.Request) {
	h.posted(w, r, nil, "ended", func(*web.View) error {
		return h.campaigns.End(r.Context(), page.Actor(r), r.PathValue("id"))
	})
}
