package campaignsui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// surveyForm is the page that enters one response to a campaign's survey.
type surveyForm struct {
	Campaign campaigns.Campaign
	State    *forms.State
	// CanView is true for staff who read the campaign's page and results.
	CanView bool
}

func (h *Handler) renderSurveyForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, c campaigns.Campaign, ans forms.Answers) {
	v.Data = surveyForm{Campaign: c, State: campaigns.Survey().Evaluate(ans, v.P.Lang()).Show(v.P, v.FieldErrors),
		CanView: access.Can(page.Actor(r), access.ViewCampaigns)}
	h.kit.Render(w, r, status, "campaign_survey", v)
}

// surveyNew is the form for one survey response: the day, then the
// questionnaire.
func (h *Handler) surveyNew(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "campaigns.survey_title")
	c, err := h.campaigns.SurveyTarget(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	if r.URL.Query().Get("done") == "recorded" {
		v.Notice = v.P.T("campaigns.done.survey")
	}
	v.Form["answered_on"] = h.campaigns.Today()
	h.renderSurveyForm(w, r, http.StatusOK, v, c, forms.Answers{})
}

// surveyRecord records the response and offers the form again for the
// next one, or shows the form with its errors.
func (h *Handler) surveyRecord(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "campaigns.survey_title")
	ctx, actor, id := r.Context(), page.Actor(r), r.PathValue("id")
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	c, err := h.campaigns.SurveyTarget(ctx, actor, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Form["answered_on"] = r.PostFormValue("answered_on")
	ans, err := h.campaigns.RecordSurvey(ctx, actor, id, v.Form["answered_on"], r.PostForm, v.P.Lang())
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderSurveyForm(w, r, status, v, c, ans) })
		return
	}
	http.Redirect(w, r, "/campaigns/"+id+"/survey?done=recorded", http.StatusSeeOther)
}
