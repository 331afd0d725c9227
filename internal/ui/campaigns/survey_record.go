package campaignsui

import (
	"net/http"
	"net/url"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// surveyForm is the page that enters one response to a campaign's survey.
type surveyForm struct {
	Campaigns []web.Option
	State     *forms.State
	// Results is the chosen campaign's page, for staff who read it; "" for
	// others.
	Results string
}

func (h *Handler) renderSurveyForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, ans forms.Answers) {
	cs, err := h.campaigns.SurveyCampaigns(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	d := surveyForm{Campaigns: []web.Option{{Value: "", LabelKey: "campaigns.survey_choose"}},
		State: campaigns.Survey().Evaluate(ans, v.P.Lang()).Show(v.P, v.FieldErrors)}
	for _, c := range cs {
		d.Campaigns = append(d.Campaigns, web.Option{Value: c.ID, Label: c.Name + " (" + v.P.T("campaigns.status."+c.Phase()) + ")"})
	}
	if id := v.Form["campaign"]; id != "" && access.Can(page.Actor(r), access.ViewCampaigns) {
		d.Results = "/campaigns/" + url.PathEscape(id) + "#campaign-survey-title"
	}
	v.Data = d
	h.kit.Render(w, r, status, "campaign_survey", v)
}

// surveyNew is the form for one survey response: the campaign (chosen in
// the address when coming from its page), the day, then the questionnaire.
func (h *Handler) surveyNew(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "campaigns.survey_title")
	if r.URL.Query().Get("done") == "recorded" {
		v.Notice = v.P.T("campaigns.done.survey")
	}
	v.Form["campaign"], v.Form["answered_on"] = r.URL.Query().Get("campaign"), h.campaigns.Today()
	h.renderSurveyForm(w, r, http.StatusOK, v, forms.Answers{})
}

// surveyRecord records the response and offers the form again, for the
// same campaign, for the next one; or shows the form with its errors.
func (h *Handler) surveyRecord(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "campaigns.survey_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Form["campaign"], v.Form["answered_on"] = r.PostFormValue("campaign"), r.PostFormValue("answered_on")
	ans, err := h.campaigns.RecordSurvey(r.Context(), page.Actor(r), v.Form["campaign"], v.Form["answered_on"], r.PostForm, v.P.Lang())
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderSurveyForm(w, r, status, v, ans) })
		return
	}
	http.Redirect(w, r, "/campaigns/survey?"+url.Values{"campaign": {v.Form["campaign"]}, "done": {"recorded"}}.Encode(), http.StatusSeeOther)
}
