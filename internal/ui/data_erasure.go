package ui

import (
	"net/http"

	"waymark.city/waymark/internal/dataprotection"
)

// requestErasure records that the person asked for their data to be erased.
func (h *Handler) requestErasure(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "data.title")
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	in := dataprotection.ErasureInput{ReceivedOn: r.PostFormValue("received_on"), Channel: r.PostFormValue("channel")}
	v.Form["received_on"], v.Form["channel"] = in.ReceivedOn, in.Channel
	id := r.PathValue("id")
	if _, err := h.dataprotection.RequestErasure(r.Context(), actor(r), id, in); err != nil {
		v.FormError(err)
		h.renderData(w, r, statusOf(err), v)
		return
	}
	http.Redirect(w, r, "/cases/"+id+"/data?done=requested", http.StatusSeeOther)
}
