package ui

import (
	"net/http"
	"slices"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/screening"
)

type guideLocation struct {
	ID    string
	Name  string
	Where string
	// Lang is the language of a local place's texts; Source is set for a
	// local place only.
	Lang   string
	Source *guideSource
}

type guideIndicator struct {
	Label    string
	Question string
	Help     string
	// Mark is set when the question is marked as locally relevant.
	Mark *guideMark
}

type guideLocationPage struct {
	Name       guideText
	Where      guideText
	LookFor    []string
	LookLang   string
	Indicators []guideIndicator
	Settings   []guideSetting
	// Signs are the local signs that belong here; Source is set when the
	// place itself is a local addition.
	Signs  []guideSign
	Source *guideSource
}

// guidePage is the field guide's front page: the catalogue's places, then
// the city's own, the local signs that belong to no one place and the
// questions marked as locally relevant.
type guidePage struct {
	Places    []guideLocation
	Local     []guideLocation
	Signs     []guideSign
	Marks     []guideMark
	CanManage bool
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
	local, err := h.fieldguide.Current(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := guidePage{CanManage: access.Can(actor(r), access.ManageLocalGuide)}
	for _, l := range c.FieldGuide {
		page.Places = append(page.Places, guideLocation{ID: l.ID, Name: l.Name[lang], Where: l.Where[lang]})
	}
	for _, p := range local.Places {
		name, where := localText(p.Name, v.P.Lang()), localText(p.Where, v.P.Lang())
		src := localSource(v, p.Added, p.Latest)
		page.Local = append(page.Local, guideLocation{ID: p.ID, Name: name.Text, Where: where.Text, Lang: name.Lang, Source: &src})
	}
	for _, s := range local.Signs {
		if s.PlaceID == "" {
			page.Signs = append(page.Signs, localSign(v, c, s))
		}
	}
	for _, m := range local.Marks {
		page.Marks = append(page.Marks, localMark(v, c, m))
	}
	v.Data = page
	h.shell.Render(w, r, http.StatusOK, "guide", v)
}

// showGuideLocation is where to look and what to look for at one kind of
// place, with the indicator questions that fit it and the local signs that
// belong there; a local place shows its own texts and signs.
func (h *Handler) showGuideLocation(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "guide.title")
	store := h.screenings
	c := store.Catalogue()
	lang := c.Lang(v.P.Lang())
	local, err := h.fieldguide.Current(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	id := r.PathValue("location")
	i := slices.IndexFunc(c.FieldGuide, func(l screening.Location) bool { return l.ID == id })
	if i < 0 {
		p, ok := local.Place(id)
		if !ok {
			h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
			return
		}
		v.Data = localPlacePage(v, c, local, p)
		h.shell.Render(w, r, http.StatusOK, "guide_location", v)
		return
	}
	l := c.FieldGuide[i]
	page := guideLocationPage{Name: guideText{l.Name[lang], lang}, Where: guideText{l.Where[lang], lang}, LookFor: l.LookFor[lang], LookLang: lang}
	for _, id := range l.Indicators {
		if ind, ok := c.Indicator(id); ok {
			gi := guideIndicator{Label: ind.Label[lang], Question: ind.Question[lang], Help: ind.Help[lang]}
			if m, ok := local.Mark(id); ok {
				gm := localMark(v, c, m)
				gi.Mark = &gm
			}
			page.Indicators = append(page.Indicators, gi)
		}
	}
	for _, s := range local.SignsAt(l.ID, l.Indicators) {
		page.Signs = append(page.Signs, localSign(v, c, s))
	}
	// Version 1 named the settings a place is met in; since version 2 the
	// place is itself a setting to screen in.
	settings := l.Settings
	if len(settings) == 0 {
		settings = []string{l.ID}
	}
	for _, s := range settings {
		page.Settings = append(page.Settings, guideSetting{ID: s, Name: c.SettingName(s, lang)})
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
	accounts.Prosecution, accounts.MigrationAuthority, accounts.FireInspectorate, accounts.TaxInspectorate,
	accounts.HealthInspectorate, accounts.EmploymentService, accounts.School, accounts.TradeUnion,
	accounts.FaithBased, accounts.MigrantCommunity, accounts.BusinessAssociation, accounts.OtherKind,
}

type contactGroup struct {
	KindKey  string
	Partners []accounts.Organisation
	// Persons are the partners' named contact persons, by organisation.
	Persons map[string][]agreements.Contact
}

// showGuideContacts lists the active partner organisations by type, with
// their phone numbers and hours.
func (h *Handler) showGuideContacts(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "guide.contacts_title")
	orgs, err := h.accounts.ListOrganisations(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var orgIDs []string
	for _, o := range orgs {
		if o.DisabledAt == nil {
			orgIDs = append(orgIDs, o.ID)
		}
	}
	persons, err := h.contactPersons(r, orgIDs)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var groups []contactGroup
	for _, kind := range contactKinds {
		g := contactGroup{KindKey: "orgkind." + string(kind), Persons: persons}
		for _, o := range orgs {
			if o.Kind == kind && o.DisabledAt == nil {
				g.Partners = append(g.Partners, o)
			}
		}
		if len(g.Partners) > 0 {
			groups = append(groups, g)
		}
	}
	v.Data = groups
	h.shell.Render(w, r, http.StatusOK, "guide_contacts", v)
}
