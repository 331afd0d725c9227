package ui

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/web"
)

// providerTypeChoice is one checkbox of the provider's types or audiences.
type providerTypeChoice struct {
	Code    string
	Checked bool
}

type providerFormPage struct {
	// Provider is set when editing.
	Provider  *assistance.Provider
	Types     []providerTypeChoice
	Audiences []providerTypeChoice
	// Checked are the type and audience codes ticked (the two sets of
	// codes do not overlap).
	Checked   []string
	Orgs      []web.Option
	Genders   []web.Option
	Ages      []web.Option
	Action    string
	Active    bool
	CanManage bool
	// Quality is the provider's standards and feedback counted; Today
	// tells which standards expire soon.
	Quality *assistance.Quality
	Today   time.Time
}

// providerForm fills the provider form's choices; page.Checked are the
// types and audiences ticked.
func (h *Handler) providerForm(r *http.Request, page *providerFormPage) error {
	orgs, err := h.assistance.Organisations(r.Context(), actor(r))
	if err != nil {
		return err
	}
	page.Types = nil
	for _, t := range assistance.ProviderTypes() {
		page.Types = append(page.Types, providerTypeChoice{Code: t, Checked: slices.Contains(page.Checked, t)})
	}
	page.Audiences = nil
	for _, a := range assistance.ProviderAudiences() {
		page.Audiences = append(page.Audiences, providerTypeChoice{Code: a, Checked: slices.Contains(page.Checked, a)})
	}
	page.Orgs = []web.Option{{Value: "", LabelKey: "provider.no_org"}}
	for _, o := range orgs {
		page.Orgs = append(page.Orgs, web.Option{Value: o.ID, Label: o.Name})
	}
	for _, g := range assistance.PlaceGenders() {
		page.Genders = append(page.Genders, web.Option{Value: g, LabelKey: "shelter.gender." + g})
	}
	for _, a := range assistance.PlaceAges() {
		page.Ages = append(page.Ages, web.Option{Value: a, LabelKey: "shelter.age." + a})
	}
	return nil
}

// showNewProvider is the form that adds a provider to the directory.
func (h *Handler) showNewProvider(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "provider.new_title")
	v.Form["places_total"], v.Form["places_external"] = "0", "0"
	h.renderProviderForm(w, r, http.StatusOK, v, &providerFormPage{Action: "/providers", Active: true, Checked: []string{"victims"}})
}

func (h *Handler) renderProviderForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, page *providerFormPage) {
	if err := h.providerForm(r, page); err != nil {
		h.fail(w, r, err)
		return
	}
	v.Data = page
	page.CanManage = access.Can(actor(r), access.ManageProviders)
	// One page for a provider and the new-provider form: both are the form.
	h.shell.Render(w, r, status, "provider_show", v)
}

// providerInput reads the provider form; a number it cannot read becomes -1,
// which the service refuses with a message.
func providerInput(r *http.Request, v *web.View) (assistance.ProviderInput, []string) {
	num := func(name string) int {
		s := strings.TrimSpace(r.PostFormValue(name))
		v.Form[name] = s
		if s == "" {
			return 0
		}
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' || n > 100000 {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	in := assistance.ProviderInput{Name: r.PostFormValue("name"), Types: r.PostForm["types"], Audiences: r.PostForm["audiences"],
		Languages: []string{r.PostFormValue("languages")}, CapacityNote: r.PostFormValue("capacity_note"),
		Phone: r.PostFormValue("phone"), Email: r.PostFormValue("email"), Address: r.PostFormValue("address"),
		OrgID: r.PostFormValue("org"), Active: r.PostFormValue("active") == "1",
		PlacesTotal: num("places_total"), PlacesExternal: num("places_external"),
		PlaceGender: r.PostFormValue("place_gender"), PlaceAge: r.PostFormValue("place_age")}
	for _, k := range []string{"name", "languages", "capacity_note", "phone", "email", "address", "org", "place_gender", "place_age"} {
		v.Form[k] = r.PostFormValue(k)
	}
	return in, slices.Concat(in.Types, in.Audiences)
}
