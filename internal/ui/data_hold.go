package ui

import (
	"net/http"

	"waymark.city/waymark/internal/dataprotection"
)

// setHold keeps a case from retention until a day, for a legal reason.
func (h *Handler) setHold(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "data.title")
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	in := dataprotection.HoldInput{Reason: r.PostFormValue("hold_reason"), Until: r.PostFormValue("until")}
	v.Form["hold_reason"], v.Form["until"] = in.Reason, in.Until
	id := r.PathValue("id")
	if _, err := h.dataprotection.SetHold(r.Context(), actor(r), id, in); err != nil {
		v.FormError(err)
		h.renderData(w, r, statusOf(err), v)
		return
	}
	http.Redirect(w, r, "/cases/"+id+"/data?done=held", http.StatusSeeOther)
}
