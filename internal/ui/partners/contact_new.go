package partnersui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// contactPage is the form of a contact person; ID is "" on the new form.
type contactPage struct {
	ID     string
	Action string
	Orgs   []web.Option
}

// renderContact renders the form; the organisation in it stays a choice
// even when disabled since (the person's own).
func (h *Handler) renderContact(w http.ResponseWriter, r *http.Request, status int, v *web.View, name string, p *contactPage) {
	orgs, err := h.orgOptions(r, []string{v.Form["org"]})
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p.Orgs = append([]web.Option{{Value: "", LabelKey: "agreements.choose"}}, orgs...)
	v.Data = p
	h.kit.Render(w, r, status, name, v)
}

// showNewContact is the form that adds a contact person; ?org= preselects
// the organisation.
func (h *Handler) showNewContact(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "contacts.new_title")
	v.Form["org"] = r.URL.Query().Get("org")
	h.renderContact(w, r, http.StatusOK, v, "contact_new", &contactPage{Action: "/partners/contacts/new"})
}

// readContact reads the contact person form into v.Form and the input.
func readContact(r *http.Request, v *web.View) agreements.ContactInput {
	for _, k := range []string{"org", "name", "job_title", "phone", "email", "hours", "languages"} {
		v.Form[k] = r.PostFormValue(k)
	}
	return agreements.ContactInput{OrgID: v.Form["org"], Name: v.Form["name"], JobTitle: v.Form["job_title"], Phone: v.Form["phone"],
		Email: v.Form["email"], Hours: v.Form["hours"], Languages: strings.Split(v.Form["languages"], ",")}
}

// createContact adds a contact person.
func (h *Handler) createContact(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "contacts.new_title")
	p := &contactPage{Action: "/partners/contacts/new"}
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderContact(w, r, status, v, "contact_new", p) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	c, err := h.agreements.CreateContact(r.Context(), page.Actor(r), readContact(r, v))
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/partners/contacts?done=saved#contact-"+c.ID, http.StatusSeeOther)
}
