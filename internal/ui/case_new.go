package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/storage"

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

// caseCode is the form of a case code (cases.newCode).
var caseCode = regexp.MustCompile(`^C-[2-9A-Z]{4}-[2-9A-Z]{4}$`)

type newCasePage struct {
	Person personForm
	// CaseOrgs are, for a role that cannot see cases, the organisations
	// the case can go to (the protocol's receiving one by default).
	CaseOrgs []web.Option
}

func (h *Handler) renderNewCase(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	page := newCasePage{Person: newPersonForm(v)}
	if !canViewCases(r) {
		orgs, err := h.caseOrgOptions(r.Context(), actor(r))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		page.CaseOrgs = orgs
	}
	v.Data = page
	h.shell.Render(w, r, status, "case_new", v)
}

// caseOrgOptions are the organisations that can hold cases, for a role
// that cannot see cases and hands the case on; the first option leaves the
// choice to the local protocol.
func (h *Handler) caseOrgOptions(ctx context.Context, a access.Actor) ([]web.Option, error) {
	holders, err := h.cases.Holders(ctx)
	if err != nil {
		return nil, err
	}
	orgs, err := h.accounts.ListOrganisations(ctx, a)
	if err != nil {
		return nil, err
	}
	out := []web.Option{{Value: "", LabelKey: "report.case_org_protocol"}}
	for _, o := range orgs {
		if slices.Contains(holders, o.ID) {
			out = append(out, web.Option{Value: o.ID, Label: o.Name})
		}
	}
	return out, nil
}

// showNewCase is the form that opens a case for a person who came to the
// organisation directly.
func (h *Handler) showNewCase(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "cases.new")
	v.Form["contact_method"] = "through_worker"
	v.Form["group"] = r.URL.Query().Get("group")
	// Only a case code is echoed, so a crafted link cannot put words on the page.
	if code := r.URL.Query().Get("opened"); caseCode.MatchString(code) {
		v.Notice = v.P.T("cases.opened_for_org", "code", code)
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
	v.Form["new_group"], v.Form["group"], v.Form["case_org"] = r.PostFormValue("new_group"), r.PostFormValue("group"), r.PostFormValue("case_org")
	// A hotline operator's case goes to an organisation that works on
	// cases; a demographics error is reported by Open itself.
	owner := ""
	if !canViewCases(r) {
		child := false
		if d, err := in.Demographics(h.cases.Now()); err == nil {
			child = d.Child
		}
		err := h.cases.DB().Read(r.Context(), func(tx *storage.Tx) error {
			var err error
			owner, err = caseOwner(r.Context(), tx, actor(r), v.Form["case_org"], child, in.Exploitation)
			return err
		})
		if err != nil {
			v.FormError(err)
			h.renderNewCase(w, r, statusOf(err), v)
			return
		}
	}
	c, err := h.cases.Open(r.Context(), actor(r), cases.NewCase{Person: in, Origin: cases.Direct, OrgID: owner,
		NewGroup: v.Form["new_group"] != "" && v.Form["group"] == "", GroupID: v.Form["group"]})
	if err != nil {
		v.FormError(err)
		h.renderNewCase(w, r, statusOf(err), v)
		return
	}
	target := "/cases/" + c.ID
	if !canViewCases(r) {
		target = "/cases/new?opened=" + url.QueryEscape(c.Code)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
