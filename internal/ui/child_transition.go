package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/children"
)

// planTransition saves the plan for a child's transition at 18.
func (h *Handler) planTransition(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "child.title")
	if err := parseForm(r); err != nil {
		h.childFail(w, r, v, err)
		return
	}
	in := children.TransitionInput{Options: r.PostForm["options"], Notes: r.PostFormValue("notes"), Status: r.PostFormValue("status")}
	id := r.PathValue("id")
	if _, err := h.children.PlanTransition(r.Context(), actor(r), id, in); err != nil {
		v.Form["options"], v.Form["notes"], v.Form["status"] = strings.Join(in.Options, " "), in.Notes, in.Status
		h.childFail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/cases/"+id+"/child?done=transition#transition", http.StatusSeeOther)
}
