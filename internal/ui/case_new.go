package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/web"
)

// personForm is the person part of the new-case and edit forms.
type personForm struct {
	V             *web.View
	Genders       []web.Option
	AgeBands      []web.Option
	Contact       []web.Option
	Exploitations []string
}

func newPersonForm(v *web.View) personForm {
	return personForm{V: v, Genders: codeOptions("form.choose", "case.gender.", cases.Genders()),
		AgeBands: codeOptions("form.choose", "case.age.", cases.AgeBands()),
		Contact:  codeOptions("form.choose", "case.contact.", cases.ContactMethods()), Exploitations: cases.ExploitationForms()}
}

// personFields are the form fields of a person, copied into v.Form.
var personFields = []string{"given_names", "family_name", "aliases", "birth_date", "age_band", "presumed_child", "gender",
	"citizenships", "languages", "interpreter", "contact_method", "contact"}

// readPerson reads the person fields of a posted form into v.Form and the input.
func readPerson(r *http.Request, v *web.View) cases.PersonInput {
	for _, k := range personFields {
		v.Form[k] = r.PostFormValue(k)
	}
	in := cases.PersonInput{
		Person: cases.Person{GivenNames: v.Form["given_names"], FamilyName: v.Form["family_name"],
			Aliases: strings.Split(v.Form["aliases"], ","), BirthDate: v.Form["birth_date"], Contact: v.Form["contact"]},
		Gender: v.Form["gender"], AgeBand: v.Form["age_band"], PresumedChild: v.Form["presumed_child"] != "",
		Citizenships: []string{v.Form["citizenships"]}, Languages: []string{v.Form["languages"]},
		Interpreter: v.Form["interpreter"] != "", ContactMethod: v.Form["contact_method"],
		Exploitation: r.PostForm["exploitation"],
	}
	for _, e := range in.Exploitation {
		v.Form["exploitation."+e] = "1"
	}
	return in
}

type newCasePage struct {
	Person personForm
}

func (h *Handler) renderNewCase(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	v.Data = newCasePage{Person: newPersonForm(v)}
	h.shell.Render(w, r, status, "case_new", v)
}

// showNewCase is the form that opens a case for a person who came to the
// organisation directly.
func (h *Handler) showNewCase(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "cases.new")
	v.Form["contact_method"] = "through_worker"
	v.Form["group"] = r.URL.Query().Get("group")
	if r.URL.Query().Get("opened") != "" {
		v.Notice = v.P.T("cases.opened_for_org")
	}
	h.renderNewCase(w, r, http.StatusOK, v)
}

// createCase opens the case.
func (h *Handler) createCase(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "cases.new")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderNewCase(w, r, statusOf(err), v)
		return
	}
	in := readPerson(r, v)
	v.Form["new_group"], v.Form["group"] = r.PostFormValue("new_group"), r.PostFormValue("group")
	c, err := h.cases.Open(r.Context(), actor(r), cases.NewCase{Person: in, Origin: cases.Direct,
		NewGroup: v.Form["new_group"] != "" && v.Form["group"] == "", GroupID: v.Form["group"]})
	if err != nil {
		v.FormError(err)
		h.renderNewCase(w, r, statusOf(err), v)
		return
	}
	target := "/cases/" + c.ID
	if !canViewCases(r) {
		target = "/cases/new?opened=1"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
