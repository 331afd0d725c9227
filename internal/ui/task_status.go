package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/apperr"
)

// setTaskStatus marks a crisis-unit task done or cancelled, then goes back
// to the page the button was on (the case's crisis-unit tab by default).
func (h *Handler) setTaskStatus(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	n := conferenceNumber(r, "task")
	if n == 0 {
		h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	caseID := r.PathValue("id")
	if _, err := h.crisisunit.SetTaskStatus(r.Context(), actor(r), caseID, n, r.PostFormValue("status")); err != nil {
		h.fail(w, r, err)
		return
	}
	back := "/cases/" + caseID + "/conferences"
	if b := safeNext(r.PostFormValue("back")); b == "/tasks" || strings.HasPrefix(b, back) {
		back = b
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
