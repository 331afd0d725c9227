package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/web"
)

type timelinePage struct {
	Nav     caseNav
	Entries []cases.Entry
	// Notes is true when the notes' text is shown (an audited read).
	Notes   bool
	CanNote bool
	MaxNote int
}

// showTimeline lists what happened on the case; notes show that they exist.
func (h *Handler) showTimeline(w http.ResponseWriter, r *http.Request) {
	h.renderTimeline(w, r, http.StatusOK, h.view(r, "timeline.title"), false)
}

// showNotes is the timeline with the text of the notes, an audited read.
func (h *Handler) showNotes(w http.ResponseWriter, r *http.Request) {
	h.renderTimeline(w, r, http.StatusOK, h.view(r, "timeline.title"), true)
}

func (h *Handler) renderTimeline(w http.ResponseWriter, r *http.Request, status int, v *web.View, notes bool) {
	a, entries, err := h.cases.Timeline(r.Context(), actor(r), r.PathValue("id"), notes, 0)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Data = timelinePage{Nav: caseNavFor(v, a, "/timeline"), Entries: entries, Notes: notes, MaxNote: cases.MaxNote,
		CanNote: a.Owner && access.Can(actor(r), access.ManageCases) && a.Case.Stage != cases.Closed && a.Case.AnonymisedAt == nil}
	h.shell.Render(w, r, status, "case_timeline", v)
}

// addNote adds an encrypted note to the case.
func (h *Handler) addNote(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "timeline.title")
	err := parseForm(r)
	if err == nil {
		v.Form["note"] = r.PostFormValue("note")
		_, err = h.cases.AddNote(r.Context(), actor(r), r.PathValue("id"), v.Form["note"])
	}
	switch {
	case err == nil:
		http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/notes", http.StatusSeeOther)
	case apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden):
		h.fail(w, r, err)
	default:
		v.FormError(err)
		h.renderTimeline(w, r, statusOf(err), v, false)
	}
}
