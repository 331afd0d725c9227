package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/web"
)

type incomingPage struct {
	Referrals []assistance.Referral
	CanAnswer bool
	Status    string
	Statuses  []web.Option
	Declines  []web.Option
	Ends      []web.Option
}

// renderIncoming lists referrals to the providers linked to the reader's
// organisation, by case code only, with the answer forms.
func (h *Handler) renderIncoming(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	a := actor(r)
	page := incomingPage{Status: r.URL.Query().Get("status"), CanAnswer: access.Can(a, access.ManageCases)}
	list, err := h.assistance.IncomingReferrals(r.Context(), a, page.Status)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page.Referrals = list
	page.Statuses = []web.Option{{Value: "", LabelKey: "plan.all"}}
	for _, s := range []string{assistance.Pending, assistance.Accepted, assistance.Declined, assistance.Withdrawn, assistance.Ended} {
		page.Statuses = append(page.Statuses, web.Option{Value: s, LabelKey: "service_referral.status." + s})
	}
	page.Declines = []web.Option{{Value: "", LabelKey: "plan.choose"}}
	for _, reason := range assistance.DeclineReasons() {
		page.Declines = append(page.Declines, web.Option{Value: reason, LabelKey: "service_referral.reason." + reason})
	}
	page.Ends = []web.Option{{Value: "", LabelKey: "plan.choose"}}
	for _, reason := range assistance.EndReasons() {
		page.Ends = append(page.Ends, web.Option{Value: reason, LabelKey: "service_referral.reason." + reason})
	}
	v.Form["status"] = page.Status
	switch r.URL.Query().Get("done") {
	case "answered":
		v.Notice = v.P.T("plan.answered")
	case "ended":
		v.Notice = v.P.T("plan.ended")
	}
	v.Data = page
	h.shell.Render(w, r, status, "plan_incoming", v)
}

// listIncomingReferrals is the receiving organisation's list of referrals.
func (h *Handler) listIncomingReferrals(w http.ResponseWriter, r *http.Request) {
	h.renderIncoming(w, r, http.StatusOK, h.view(r, "plan.incoming_title"))
}
