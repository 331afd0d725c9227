package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/web"
)

type casePersonPage struct {
	Nav    caseNav
	P      cases.Person
	Person personForm
}

// showCasePerson reveals who the person is, to the case team after a
// step-up, with the form to correct it. The reading is audited.
func (h *Handler) showCasePerson(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "case.person_title")
	a, p, err := h.cases.RevealPerson(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c := a.Case
	v.Form = map[string]string{"given_names": p.GivenNames, "family_name": p.FamilyName, "aliases": strings.Join(p.Aliases, ", "),
		"birth_date": p.BirthDate, "contact": p.Contact, "gender": c.Gender, "citizenships": strings.Join(c.Citizenships, ", "),
		"languages": strings.Join(c.Languages, ", "), "contact_method": c.ContactMethod}
	if c.AgeEstimated {
		v.Form["age_band"] = c.AgeBand
		if c.Child && c.AgeBand != "0-11" && c.AgeBand != "12-17" {
			v.Form["presumed_child"] = "1"
		}
	}
	if c.Interpreter {
		v.Form["interpreter"] = "1"
	}
	for _, e := range c.Exploitation {
		v.Form["exploitation."+e] = "1"
	}
	h.renderCasePerson(w, r, http.StatusOK, v, a, p)
}

func (h *Handler) renderCasePerson(w http.ResponseWriter, r *http.Request, status int, v *web.View, a cases.Access, p cases.Person) {
	v.Data = casePersonPage{Nav: caseNavFor(v, a, ""), P: p, Person: newPersonForm(v)}
	h.shell.Render(w, r, status, "case_person", v)
}

// updateCasePerson corrects the identity and demographics.
func (h *Handler) updateCasePerson(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "case.person_title")
	id := r.PathValue("id")
	err := parseForm(r)
	var in cases.PersonInput
	if err == nil {
		in = readPerson(r, v)
		_, err = h.cases.UpdatePerson(r.Context(), actor(r), id, in)
	}
	switch {
	case err == nil:
		http.Redirect(w, r, "/cases/"+id, http.StatusSeeOther)
	case apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.TooLarge) || apperr.Is(err, apperr.Unsupported):
		a, gerr := h.cases.Get(r.Context(), actor(r), id)
		if gerr != nil {
			h.fail(w, r, gerr)
			return
		}
		v.FormError(err)
		h.renderCasePerson(w, r, statusOf(err), v, a, in.Person)
	default:
		h.fail(w, r, err)
	}
}
