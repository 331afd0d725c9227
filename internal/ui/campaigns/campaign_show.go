package campaignsui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// showPage is what campaign_show.html receives.
type showPage struct {
	campaigns.Campaign
	Funnel campaigns.Funnel
	Chart  chart
	Harms  campaigns.HarmLog
	// Survey is the survey's results, a row per question with the targets
	// declared on it.
	Survey     campaigns.SurveyResults
	SurveyRows []surveyRow
	// CanSurvey is true for staff who enter survey responses.
	CanSurvey bool
	// Audience are the labels of the audience's choices.
	Populations, Sectors, LocationTypes []string
	LanguageNames                       []string
	// LanguageOf is each language's own name by tag.
	LanguageOf map[string]string
	// ReportURL is the public form's address of each material, by id.
	ReportURL map[string]string
	// QR is false while the call to action does not lead to the report
	// form: no QR code is drawn.
	QR        bool
	CanManage bool
	// The coordinator's forms.
	Measures, ChannelOptions, HarmKinds, Severities, MaterialLanguages, ReachMaterials []web.Option
}

// surveyRow is a survey question's results and the targets on it.
type surveyRow struct {
	campaigns.QuestionResult
	Targets []campaigns.Progress
}

// show is a campaign with its materials, funnel and harm log.
func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "campaigns.show_title")
	if done := r.URL.Query().Get("done"); done != "" {
		switch done {
		case "created", "updated", "launched", "ended", "target", "material", "reach", "harm", "reviewed":
			v.Notice = v.P.T("campaigns.done." + done)
		}
	}
	h.renderShow(w, r, http.StatusOK, v)
}

// renderShow shows the campaign of the request's path.
func (h *Handler) renderShow(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	ctx, actor, id := r.Context(), page.Actor(r), r.PathValue("id")
	c, err := h.campaigns.Campaign(ctx, actor, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	f, err := h.campaigns.Funnel(ctx, actor, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	harms, err := h.campaigns.Harms(ctx, actor, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	survey, err := h.campaigns.SurveyResults(ctx, actor, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	lang := v.P.Lang()
	aud := h.campaigns.Audience()
	labels := func(list []campaigns.Choice, names []string) []string {
		var out []string
		for _, n := range names {
			for _, c := range list {
				if c.Name == n {
					out = append(out, c.LabelIn(lang))
				}
			}
		}
		return out
	}
	p := &showPage{Campaign: c, Funnel: f, Chart: funnelChart(f), Harms: harms, CanManage: canManage(r),
		Populations: labels(aud.Populations, c.Populations), Sectors: labels(aud.Sectors, c.Sectors),
		LocationTypes: labels(aud.LocationTypes, c.LocationTypes), ReportURL: map[string]string{},
		QR: c.CTA.Set() && c.CTA.Report, Survey: survey, CanSurvey: c.Status != campaigns.Ended && access.Can(actor, access.RecordOutreach)}
	for _, q := range survey.Questions {
		row := surveyRow{QuestionResult: q}
		for _, t := range f.Targets {
			if t.Measure == q.Measure {
				row.Targets = append(row.Targets, t)
			}
		}
		p.SurveyRows = append(p.SurveyRows, row)
	}
	p.LanguageOf = map[string]string{}
	for _, l := range c.Languages {
		p.LanguageNames = append(p.LanguageNames, h.languageName(l))
		p.LanguageOf[l] = h.languageName(l)
	}
	for _, m := range c.Materials {
		p.ReportURL[m.ID] = h.campaigns.ReportURL(m, requestBase(r))
	}
	if p.CanManage {
		p.Measures = keyed("campaigns.measure.", append(campaigns.Measures(), campaigns.SurveyMeasures()...))
		p.ChannelOptions = keyed("campaigns.channel.", c.Channels)
		p.HarmKinds = keyed("campaigns.harm.", campaigns.HarmKinds())
		p.Severities = keyed("campaigns.severity.", campaigns.Severities())
		for _, l := range c.Languages {
			p.MaterialLanguages = append(p.MaterialLanguages, web.Option{Value: l, Label: h.languageName(l)})
		}
		p.ReachMaterials = []web.Option{{Value: "", LabelKey: "campaigns.reach_whole_channel"}}
		for _, m := range c.Materials {
			p.ReachMaterials = append(p.ReachMaterials, web.Option{Value: m.ID, Label: m.Title + " (" + m.Code + ")"})
		}
	}
	v.Data = p
	h.kit.Render(w, r, status, "campaign_show", v)
}

// posted runs a change of the coordinator's from a form on the campaign's
// page: success goes back to the page with a notice; an error shows the
// page again with the form's values and messages.
func (h *Handler) posted(w http.ResponseWriter, r *http.Request, names []string, done string, fn func(v *web.View) error) {
	v := h.kit.View(r, "campaigns.show_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	for _, k := range names {
		v.Form[k] = r.PostFormValue(k)
	}
	if err := fn(v); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderShow(w, r, status, v) })
		return
	}
	http.Redirect(w, r, "/campaigns/"+r.PathValue("id")+"?done="+done, http.StatusSeeOther)
}
