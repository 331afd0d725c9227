package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/crisisunit"
)

// showCalendarFeed serves a user's deadlines as iCalendar. Calendar apps
// cannot sign in, so the route is public and the random token in the path
// authenticates; the events name case codes and kinds of deadline only.
func (h *Handler) showCalendarFeed(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(r.PathValue("id"), ".ics")
	if !ok {
		h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	owner, deadlines, err := h.crisisunit.FeedDeadlines(r.Context(), token)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cat := h.shell.Catalog()
	p := cat.For(cat.Match(owner.Language, ""))
	base := h.baseURL(r)
	host := strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")
	cal := crisisunit.Calendar{Name: p.T("crisisunit.calendar_name"), Stamp: h.cases.Now()}
	for _, d := range deadlines {
		kind := p.T("crisisunit.kind." + d.Kind)
		cal.Events = append(cal.Events, crisisunit.Event{
			UID: d.Kind + "-" + d.RefID + "@" + host, Day: d.Due,
			Summary:     d.CaseCode + ": " + kind,
			Description: p.T("crisisunit.feed_description", "code", d.CaseCode, "kind", kind),
			URL:         base + d.Path(),
		})
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="waymark.ics"`)
	_, _ = w.Write(cal.Marshal())
}
