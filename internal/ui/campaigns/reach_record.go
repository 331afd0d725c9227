package campaignsui

import (
	"net/http"

	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// recordReach records how many people a material or channel reached.
func (h *Handler) recordReach(w http.ResponseWriter, r *http.Request) {
	h.posted(w, r, []string{"material", "reach_channel", "people", "counted_on"}, "reach", func(v *web.View) error {
		return h.campaigns.RecordReach(r.Context(), page.Actor(r), r.PathValue("id"), campaigns.ReachInput{
			MaterialID: v.Form["material"], Channel: v.Form["reach_channel"], People: v.Form["people"], CountedOn: v.Form["counted_on"]})
	})
}
