package campaignsui

import (
	"net/http"

	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// addMaterial adds a material, which gets its attribution code.
func (h *Handler) addMaterial(w http.ResponseWriter, r *http.Request) {
	h.posted(w, r, []string{"title", "channel", "language"}, "material", func(v *web.View) error {
		_, err := h.campaigns.AddMaterial(r.Context(), page.Actor(r), r.PathValue("id"), campaigns.MaterialInput{
			Title: v.Form["title"], Channel: v.Form["channel"], Language: v.Form["language"]})
		return err
	})
}
