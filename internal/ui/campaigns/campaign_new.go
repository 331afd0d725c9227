package campaignsui

import (
	"net/http"

	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// formPage is what campaign_form.html receives: the choice lists and
// which of them are ticked.
type formPage struct {
	// Action is where the form posts; ID is "" for a new campaign.
	Action, ID string
	// Audience are the populations, sectors and location types.
	Audience            []group
	Languages, Channels group
}

// group is a fieldset of checkboxes.
type group struct {
	P         *i18n.Printer
	Name      string
	LegendKey string
	Error     string
	Choices   []choice
}

// choice is one checkbox.
type choice struct {
	Value, Label, LabelKey string
	Checked                bool
}

// input reads the campaign form.
func input(r *http.Request, v *web.View) campaigns.Input {
	for _, k := range []string{"name", "starts_on", "ends_on", "cta_text", "cta_report", "cta_phone"} {
		v.Form[k] = r.PostFormValue(k)
	}
	return campaigns.Input{Name: v.Form["name"], Populations: r.PostForm["populations"], Sectors: r.PostForm["sectors"],
		LocationTypes: r.PostForm["location_types"], Languages: r.PostForm["languages"], Channels: r.PostForm["channels"],
		StartsOn: v.Form["starts_on"], EndsOn: v.Form["ends_on"], CTAText: v.Form["cta_text"], CTAReport: v.Form["cta_report"] != "",
		CTAPhone: v.Form["cta_phone"]}
}

// fill puts a campaign's values into the form.
func fill(v *web.View, c campaigns.Campaign) campaigns.Input {
	v.Form["name"], v.Form["starts_on"], v.Form["ends_on"] = c.Name, c.StartsOn, c.EndsOn
	v.Form["cta_text"], v.Form["cta_phone"] = c.CTA.Text, c.CTA.Phone
	if c.CTA.Report {
		v.Form["cta_report"] = "on"
	}
	return campaigns.Input{Populations: c.Populations, Sectors: c.Sectors, LocationTypes: c.LocationTypes, Languages: c.Languages, Channels: c.Channels}
}

func ticked(list []string) map[string]bool {
	out := map[string]bool{}
	for _, v := range list {
		out[v] = true
	}
	return out
}

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, id string, in campaigns.Input) {
	lang := v.P.Lang()
	aud := h.campaigns.Audience()
	newGroup := func(name string) group {
		return group{P: v.P, Name: name, LegendKey: "campaigns." + name, Error: v.FieldErrors[name]}
	}
	from := func(name string, list []campaigns.Choice, on []string) group {
		g, t := newGroup(name), ticked(on)
		for _, c := range list {
			g.Choices = append(g.Choices, choice{Value: c.Name, Label: c.LabelIn(lang), Checked: t[c.Name]})
		}
		return g
	}
	p := formPage{Action: "/campaigns/new", ID: id, Audience: []group{from("populations", aud.Populations, in.Populations),
		from("sectors", aud.Sectors, in.Sectors), from("location_types", aud.LocationTypes, in.LocationTypes)},
		Languages: newGroup("languages"), Channels: newGroup("channels")}
	if id != "" {
		p.Action = "/campaigns/" + id + "/edit"
	}
	langs := ticked(in.Languages)
	for _, o := range h.languageOptions() {
		p.Languages.Choices = append(p.Languages.Choices, choice{Value: o.Value, Label: o.Label, Checked: langs[o.Value]})
	}
	chans := ticked(in.Channels)
	for _, c := range campaigns.Channels() {
		p.Channels.Choices = append(p.Channels.Choices, choice{Value: c, LabelKey: "campaigns.channel." + c, Checked: chans[c]})
	}
	v.Data = p
	h.kit.Render(w, r, status, "campaign_form", v)
}

// newForm starts a campaign; the call to action defaults to the public
// report form.
func (h *Handler) newForm(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "campaigns.new_title")
	v.Form["cta_report"] = "on"
	h.renderForm(w, r, http.StatusOK, v, "", campaigns.Input{})
}

// create records a draft campaign and shows it.
func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "campaigns.new_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderForm(w, r, status, v, "", campaigns.Input{}) })
		return
	}
	in := input(r, v)
	c, err := h.campaigns.Create(r.Context(), page.Actor(r), in)
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderForm(w, r, status, v, "", in) })
		return
	}
	http.Redirect(w, r, "/campaigns/"+c.ID+"?done=created", http.StatusSeeOther)
}
