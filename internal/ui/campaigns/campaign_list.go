package campaignsui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/ui/page"
)

type listPage struct {
	Campaigns []campaigns.Campaign
	CanManage bool
	// CanSurvey is true for staff who enter survey responses.
	CanSurvey bool
}

// list is every campaign, running ones first.
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	cs, err := h.campaigns.List(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "campaigns.list_title")
	v.Data = listPage{Campaigns: cs, CanManage: canManage(r), CanSurvey: access.Can(page.Actor(r), access.RecordOutreach)}
	h.kit.Render(w, r, http.StatusOK, "campaign_list", v)
}
