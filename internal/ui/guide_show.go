package ui

import (
	"net/http"
	"slices"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/screening"
)

type guideLocation struct {
	ID    string
	Name  string
	Where string
}

type guideIndicator struct {
	Label    string
	Question string
	Help     string
}

type guideLocationPage struct {
	Name       string
	Where      string
	LookFor    []string
	Indicators []guideIndicator
	Settings   []guideSetting
}

type guideSetting struct {
	ID   string
	Name string
}

// showGuide lists the places of the field guide, with the pages on rights
// and on whom to call.
func (h *Handler) showGuide(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "guide.title")
	store := h.screenings
	c := store.Catalogue()
	lang := c.Lang(v.P.Lang())
	var locs []guideLocation
	for _, l := range c.FieldGuide {
		locs = append(locs, guideLocation{ID: l.ID, Name: l.Name[lang], Where: l.Where[lang]})
	}
	v.Data = locs
	h.shell.Render(w, r, http.StatusOK, "guide", v)
}

// showGuideLocation is where to look and what to look for at one kind of
// place, with the indicator questions that fit it.
func (h *Handler) showGuideLocation(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "guide.title")
	store := h.screenings
	c := store.Catalogue()
	lang := c.Lang(v.P.Lang())
	i := slices.IndexFunc(c.FieldGuide, func(l screening.Location) bool { return l.ID == r.PathValue("location") })
	if i < 0 {
		h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	l := c.FieldGuide[i]
	page := guideLocationPage{Name: l.Name[lang], Where: l.Where[lang], LookFor: l.LookFor[lang]}
	for _, id := range l.Indicators {
		if ind, ok := c.Indicator(id); ok {
			page.Indicators = append(page.Indicators, guideIndicator{Label: ind.Label[lang], Question: ind.Question[lang], Help: ind.Help[lang]})
		}
	}
	for _, s := range l.Settings {
		page.Settings = append(page.Settings, guideSetting{ID: s, Name: c.Text("setting."+s, lang, nil)})
	}
	v.Data = page
	h.shell.Render(w, r, http.StatusOK, "guide_location", v)
}

// showGuideRights is the page on the rights of presumed victims and what
// to do next; its texts are in the message catalogue.
func (h *Handler) showGuideRights(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "guide.rights_title")
	h.shell.Render(w, r, http.StatusOK, "guide_rights", v)
}

// contactKinds are the organisation types a frontline worker calls, in the
// order they are needed: help lines first, then specialist support, police,
// and the public services.
var contactKinds = []accounts.OrgKind{
	accounts.Hotline, accounts.NGO, accounts.Shelter, accounts.Police, accounts.ChildProtection,
	accounts.SocialServices, accounts.LabourInspectorate, accounts.HealthService, accounts.Municipality,
	accounts.Prosecution, accounts.MigrationAuthority, accounts.OtherKind,
}

type contactGroup struct {
	KindKey string
	Names   []string
}

// showGuideContacts lists the active partner organisations by type.
func (h *Handler) showGuideContacts(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "guide.contacts_title")
	orgs, err := h.accounts.ListOrganisations(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var groups []contactGroup
	for _, kind := range contactKinds {
		g := contactGroup{KindKey: "orgkind." + string(kind)}
		for _, o := range orgs {
			if o.Kind == kind && o.DisabledAt == nil {
				g.Names = append(g.Names, o.Name)
			}
		}
		if len(g.Names) > 0 {
			groups = append(groups, g)
		}
	}
	v.Data = groups
	h.shell.Render(w, r, http.StatusOK, "guide_contacts", v)
}
