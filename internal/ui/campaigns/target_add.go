package campaignsui

import (
	"net/http"

	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// addTarget declares a target before launch.
func (h *Handler) addTarget(w http.ResponseWriter, r *http.Request) {
	h.posted(w, r, []string{"measure", "target", "due_on"}, "target", func(v *web.View) error {
		return h.campaigns.AddTarget(r.Context(), page.Actor(r), r.PathValue("id"), campaigns.TargetInput{
			Measure: v.Form["measure"], Target: v.Form["target"], DueOn: v.Form["due_on"]})
	})
}
