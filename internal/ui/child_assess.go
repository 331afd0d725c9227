package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/children"
)

// assessBestInterest records a best-interest assessment of a child's case.
func (h *Handler) assessBestInterest(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "child.title")
	if err := parseForm(r); err != nil {
		h.childFail(w, r, v, err)
		return
	}
	in := children.NewBestInterest{HeldOn: r.PostFormValue("held_on"), Participants: r.PostForm["participants"],
		ChildHeard: r.PostFormValue("child_heard") == "1", Decision: r.PostFormValue("decision"),
		Outcome: r.PostFormValue("outcome"), ReviewOn: r.PostFormValue("review_on")}
	id := r.PathValue("id")
	if _, err := h.children.AssessBestInterest(r.Context(), actor(r), id, in); err != nil {
		v.Form["held_on"], v.Form["participants"], v.Form["child_heard"] = in.HeldOn, strings.Join(in.Participants, " "), r.PostFormValue("child_heard")
		v.Form["decision"], v.Form["outcome"], v.Form["review_on"] = in.Decision, in.Outcome, in.ReviewOn
		h.childFail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/cases/"+id+"/child?done=assessment#assessments", http.StatusSeeOther)
}
