package campaignsui

import (
	"net/http"

	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/ui/page"
)

// surveyList is the campaigns that take survey responses, for staff and
// outreach workers who enter them.
func (h *Handler) surveyList(w http.ResponseWriter, r *http.Request) {
	cs, err := h.campaigns.SurveyCampaigns(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "campaigns.surveys_title")
	v.Data = struct{ Campaigns []campaigns.Campaign }{cs}
	h.kit.Render(w, r, http.StatusOK, "campaign_surveys", v)
}
