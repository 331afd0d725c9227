package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/crisisunit"
)

type calendarPage struct {
	Feed crisisunit.FeedInfo
	// URL is the new feed address, shown once right after it was made.
	URL string
}

// baseURL is where staff reach Waymark: the configured public URL, or the
// request's own host.
func (h *Handler) baseURL(r *http.Request) string {
	if h.publicURL != "" {
		return strings.TrimRight(h.publicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h *Handler) renderCalendar(w http.ResponseWriter, r *http.Request, url string) {
	v := h.view(r, "crisisunit.calendar_title")
	info, err := h.crisisunit.Feed(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Data = calendarPage{Feed: info, URL: url}
	h.shell.Render(w, r, http.StatusOK, "calendar_show", v)
}

// showCalendar is the page of the user's calendar feed.
func (h *Handler) showCalendar(w http.ResponseWriter, r *http.Request) {
	h.renderCalendar(w, r, "")
}

// createCalendar makes a new feed address (the old one stops working) and
// shows it once: only its hash is kept.
func (h *Handler) createCalendar(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	token, err := h.crisisunit.NewFeedToken(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderCalendar(w, r, h.baseURL(r)+"/calendar/"+token+".ics")
}
