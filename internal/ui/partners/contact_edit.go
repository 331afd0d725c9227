package partnersui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/ui/page"
)

// showContact is the form that changes or removes a contact person.
func (h *Handler) showContact(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "contacts.edit_title")
	c, err := h.agreements.Contact(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Form["org"], v.Form["name"], v.Form["job_title"], v.Form["phone"] = c.OrgID, c.Name, c.JobTitle, c.Phone
	v.Form["email"], v.Form["hours"], v.Form["languages"] = c.Email, c.Hours, strings.Join(c.Languages, ", ")
	h.renderContact(w, r, http.StatusOK, v, "contact_edit", &contactPage{ID: c.ID, Action: "/partners/contacts/" + c.ID})
}

// changeContact saves the form, or removes the person when the remove
// button was pressed.
func (h *Handler) changeContact(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "contacts.edit_title")
	id := r.PathValue("id")
	p := &contactPage{ID: id, Action: "/partners/contacts/" + id}
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderContact(w, r, status, v, "contact_edit", p) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	if r.PostFormValue("remove") == "1" {
		if err := h.agreements.RemoveContact(r.Context(), page.Actor(r), id); err != nil {
			failed(err)
			return
		}
		http.Redirect(w, r, "/partners/contacts?done=removed", http.StatusSeeOther)
		return
	}
	if _, err := h.agreements.UpdateContact(r.Context(), page.Actor(r), id, readContact(r, v)); err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/partners/contacts?done=saved#contact-"+id, http.StatusSeeOther)
}
