package campaignsui

import (
	"net/http"

	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// recordHarm adds an entry to the harm log.
func (h *Handler) recordHarm(w http.ResponseWriter, r *http.Request) {
	h.posted(w, r, []string{"kind", "severity", "happened_on", "description"}, "harm", func(v *web.View) error {
		return h.campaigns.RecordHarm(r.Context(), page.Actor(r), r.PathValue("id"), campaigns.HarmInput{
			Kind: v.Form["kind"], Severity: v.Form["severity"], HappenedOn: v.Form["happened_on"], Description: v.Form["description"]})
	})
}
