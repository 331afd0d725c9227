package ui

import (
	"net/http"

	"waymark.city/waymark/internal/children"
)

// saveGuardian records a child's guardian or, with action=end, the end of
// a guardianship.
func (h *Handler) saveGuardian(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "child.title")
	if err := parseForm(r); err != nil {
		h.childFail(w, r, v, err)
		return
	}
	id := r.PathValue("id")
	if r.PostFormValue("action") == "end" {
		v.Form["end_on"] = r.PostFormValue("end_on")
		if err := h.children.EndGuardian(r.Context(), actor(r), id, r.PostFormValue("guardian"), r.PostFormValue("end_on")); err != nil {
			h.childFail(w, r, v, err)
			return
		}
		http.Redirect(w, r, "/cases/"+id+"/child?done=ended#guardian", http.StatusSeeOther)
		return
	}
	in := children.NewGuardian{Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name"), Organisation: r.PostFormValue("organisation"),
		Contact: r.PostFormValue("contact"), AppointedOn: r.PostFormValue("appointed_on"), EndedOn: r.PostFormValue("ended_on")}
	if _, err := h.children.AppointGuardian(r.Context(), actor(r), id, in); err != nil {
		for k, val := range map[string]string{"kind": in.Kind, "name": in.Name, "organisation": in.Organisation, "contact": in.Contact,
			"appointed_on": in.AppointedOn, "ended_on": in.EndedOn} {
			v.Form[k] = val
		}
		h.childFail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/cases/"+id+"/child?done=guardian#guardian", http.StatusSeeOther)
}
