package outreachui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/outreach"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// teamRows is how many rows the team form offers.
const teamRows = 4

type formPage struct {
	Areas     []web.Option
	Types     []web.Option
	Orgs      []web.Option
	Groups    []string
	Team      []teamRow
	Mediators []mediatorOption
	Chosen    map[string]bool
}

// teamRow is one row of the team form.
type teamRow struct {
	Index                int
	OrgField, StaffField string
}

// mediatorOption is a mediator to tick: the name where the reader may see
// it, else the languages.
type mediatorOption struct {
	ID, Name, Languages string
}

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, chosen []string) {
	p := formPage{Groups: outreach.Groups(), Chosen: map[string]bool{}}
	for _, c := range chosen {
		p.Chosen[c] = true
	}
	areas, err := h.areas(r.Context())
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p.Areas = []web.Option{{Value: "", LabelKey: "outreach.no_area"}}
	for _, a := range areas {
		p.Areas = append(p.Areas, web.Option{Value: a.Code, Label: a.Name})
	}
	p.Types = []web.Option{{Value: "", LabelKey: "outreach.no_location_type"}}
	for _, c := range mapping.ShippedChoices("locations", "location_type") {
		p.Types = append(p.Types, web.Option{Value: c.Name, Label: mapping.In(c.Label, v.P.Lang())})
	}
	orgs, err := h.accounts.ListOrganisations(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p.Orgs = []web.Option{{Value: "", LabelKey: "outreach.choose"}}
	for _, o := range orgs {
		if o.DisabledAt == nil {
			p.Orgs = append(p.Orgs, web.Option{Value: o.ID, Label: o.Name})
		}
	}
	for i := range teamRows {
		n := strconv.Itoa(i)
		p.Team = append(p.Team, teamRow{Index: i, OrgField: "team_org_" + n, StaffField: "team_staff_" + n})
	}
	register, err := h.mediators(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	for _, m := range register {
		if m.Active && (m.Kind == "mediator" || m.Kind == "both") {
			langs := ""
			for i, l := range m.Languages {
				if i > 0 {
					langs += ", "
				}
				langs += l
			}
			p.Mediators = append(p.Mediators, mediatorOption{ID: m.ID, Name: m.Name, Languages: langs})
		}
	}
	v.Data = p
	h.kit.Render(w, r, status, "outreach_session_new", v)
}

// form records a session.
func (h *Handler) form(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "outreach.session_new_title")
	v.Form["team_org_0"] = page.Actor(r).OrgID
	h.renderForm(w, r, http.StatusOK, v, nil)
}

// create records the session and shows it.
func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "outreach.session_new_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderForm(w, r, status, v, nil) })
		return
	}
	for k := range r.PostForm {
		v.Form[k] = r.PostFormValue(k)
	}
	in := outreach.Input{HeldOn: v.Form["held_on"], AreaCode: v.Form["area"], LocationType: v.Form["location_type"],
		Mediators: r.PostForm["mediators"], Materials: v.Form["materials"], MaterialCode: v.Form["material_code"],
		Referrals: v.Form["referrals"], Contacts: map[string]string{}}
	for _, g := range outreach.Groups() {
		in.Contacts[g] = v.Form["contacts_"+g]
	}
	for i := range teamRows {
		n := strconv.Itoa(i)
		in.Team = append(in.Team, outreach.TeamRow{Index: i, OrgID: v.Form["team_org_"+n], Staff: v.Form["team_staff_"+n]})
	}
	s, err := h.outreach.Create(r.Context(), page.Actor(r), in)
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderForm(w, r, status, v, r.PostForm["mediators"]) })
		return
	}
	http.Redirect(w, r, "/outreach/"+s.ID+"?done=created", http.StatusSeeOther)
}

// Number is the row's number as people count, from 1.
func (t teamRow) Number() int { return t.Index + 1 }
