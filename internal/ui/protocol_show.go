package ui

import (
	"net/http"
	"slices"
	"time"

	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/web"
)

// protocolRow is one form of exploitation of the protocol page, with a
// receiving organisation per population.
type protocolRow struct {
	Label string
	Cells []protocolCell
}

type protocolCell struct {
	Field      string // form field name, also the field's id: route.<purpose>.<population>
	Population string
}

type protocolAuthority struct {
	ID      string
	Name    string
	Kind    string
	Checked bool
}

type protocolPage struct {
	Populations []string
	Rows        []protocolRow
	// DeciderRows name the competent authority that takes the formal
	// decision per form and population, the last row the fallback.
	DeciderRows []protocolRow
	Orgs        []web.Option
	Authorities []protocolAuthority
	UpdatedAt   *time.Time
}

func routeField(purpose, population string) string { return "route." + purpose + "." + population }

// renderProtocol shows the protocol form; posted is the submitted protocol
// when re-showing it with errors, nil to show the stored one.
func (h *Handler) renderProtocol(w http.ResponseWriter, r *http.Request, status int, v *web.View, posted *identification.Protocol) {
	svc := h.referrals
	p, err := svc.Protocol(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if posted != nil {
		p.Routes, p.Authorities, p.Deciders = posted.Routes, posted.Authorities, posted.Deciders
	}
	orgs, err := h.accounts.ListOrganisations(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, lang := svc.Catalogue(), v.P.Lang()
	page := protocolPage{Orgs: []web.Option{{Value: "", LabelKey: "protocol.nobody"}}}
	page.UpdatedAt = p.UpdatedAt
	for _, po := range identification.Populations() {
		page.Populations = append(page.Populations, c.Text("population."+po, lang, nil))
	}
	for _, o := range orgs {
		if o.DisabledAt != nil {
			continue
		}
		page.Orgs = append(page.Orgs, web.Option{Value: o.ID, Label: o.Name})
		page.Authorities = append(page.Authorities, protocolAuthority{ID: o.ID, Name: o.Name, Kind: "orgkind." + string(o.Kind),
			Checked: slices.Contains(p.Authorities, o.ID)})
	}
	for _, pu := range identification.Purposes() {
		row := protocolRow{Label: v.P.T("referral.purpose." + pu)}
		for _, po := range identification.Populations() {
			f := routeField(pu, po)
			row.Cells = append(row.Cells, protocolCell{Field: f, Population: c.Text("population."+po, lang, nil)})
			v.Form[f] = p.Routes[identification.RouteKey{Purpose: pu, Population: po}]
		}
		page.Rows = append(page.Rows, row)
	}
	for _, pu := range append(identification.Purposes(), identification.AnyForm) {
		row := protocolRow{Label: v.P.T("protocol.decider_fallback")}
		if pu != identification.AnyForm {
			row.Label = v.P.T("referral.purpose." + pu)
		}
		for _, po := range identification.Populations() {
			k := identification.RouteKey{Purpose: pu, Population: po}
			f := identification.DeciderField(k)
			row.Cells = append(row.Cells, protocolCell{Field: f, Population: c.Text("population."+po, lang, nil)})
			v.Form[f] = p.Deciders[k]
		}
		page.DeciderRows = append(page.DeciderRows, row)
	}
	if r.URL.Query().Get("saved") == "1" {
		v.Notice = v.P.T("protocol.saved")
	}
	v.Data = page
	h.shell.Render(w, r, status, "protocol", v)
}

// showProtocol is the coordinator's page of the local referral protocol.
func (h *Handler) showProtocol(w http.ResponseWriter, r *http.Request) {
	h.renderProtocol(w, r, http.StatusOK, h.view(r, "protocol.title"), nil)
}

// saveProtocol replaces the local protocol with the submitted one.
func (h *Handler) saveProtocol(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "protocol.title")
	svc := h.referrals
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderProtocol(w, r, statusOf(err), v, nil)
		return
	}
	p := identification.Protocol{Routes: map[identification.RouteKey]string{}, Authorities: r.PostForm["authorities"],
		Deciders: map[identification.RouteKey]string{}}
	for _, pu := range identification.Purposes() {
		for _, po := range identification.Populations() {
			if org := r.PostFormValue(routeField(pu, po)); org != "" {
				p.Routes[identification.RouteKey{Purpose: pu, Population: po}] = org
			}
		}
	}
	for _, pu := range append(identification.Purposes(), identification.AnyForm) {
		for _, po := range identification.Populations() {
			k := identification.RouteKey{Purpose: pu, Population: po}
			if org := r.PostFormValue(identification.DeciderField(k)); org != "" {
				p.Deciders[k] = org
			}
		}
	}
	if err := svc.SetProtocol(r.Context(), actor(r), p); err != nil {
		v.FormError(err)
		h.renderProtocol(w, r, statusOf(err), v, &p)
		return
	}
	http.Redirect(w, r, "/protocol?saved=1", http.StatusSeeOther)
}
