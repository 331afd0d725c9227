package ui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/crisisunit"
	"waymark.city/waymark/internal/web"
)

type conferencePage struct {
	Nav        caseNav
	CanEdit    bool
	Conference crisisunit.Conference
	Tasks      []taskView
	Outcome    outcomeRows
}

// renderConference shows one case conference with its minutes, decisions
// and tasks (an audited read) and the form to record its outcome.
func (h *Handler) renderConference(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	a := actor(r)
	n := conferenceNumber(r, "conf")
	if n == 0 {
		h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	cv, err := h.crisisunit.Conference(r.Context(), a, r.PathValue("id"), n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	edit := canEditUnit(a, cv.Access)
	page := conferencePage{Nav: caseNavFor(v, cv.Access, "/conferences"), CanEdit: edit, Conference: cv.Conference,
		Tasks: taskViews(a, cv.Access, cv.Conference.Tasks, edit)}
	if edit {
		var orgs []web.Option
		for _, o := range cv.Conference.Orgs {
			orgs = append(orgs, web.Option{Value: o.ID, Label: o.Name})
		}
		page.Outcome = h.outcomeRowsFor(r.Context(), v, a, orgs)
	}
	v.Data = page
	h.shell.Render(w, r, status, "conference_show", v)
}

// showConference is the page of one case conference.
func (h *Handler) showConference(w http.ResponseWriter, r *http.Request) {
	h.renderConference(w, r, http.StatusOK, h.view(r, "crisisunit.conferences_title"))
}
