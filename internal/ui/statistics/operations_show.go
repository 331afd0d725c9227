package statisticsui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
)

// servicesPage is the operations figures of a year with their drawings.
type servicesPage struct {
	statistics.OperationsPage
	Placed, Triage, FollowUps                 chartView
	Sessions, Participants, ParticipantsBy    chartView
	Reach, CampaignReports, Rounds, Responses chartView
}

// drawCounted draws a chart whose rows count unit (a message key), with
// the summary's words for counts other than persons.
func drawCounted(p *i18n.Printer, c statistics.Chart, unit string) chartView {
	v := draw(p, c)
	v.Words, v.Unit = "statistics.ops", unit
	return v
}

// yearParam is the year asked for (?year=), 0 for the current one.
func yearParam(r *http.Request) (int, error) {
	q := r.URL.Query().Get("year")
	if q == "" {
		return 0, nil
	}
	y, err := strconv.Atoi(q)
	if err != nil {
		return 0, apperr.New(apperr.Invalid, "statistics.error.year")
	}
	return y, nil
}

// services shows how the services worked in the year asked for: shelter
// occupancy, triage against its deadlines, return follow-ups, training,
// campaigns and the mapping.
func (h *Handler) services(w http.ResponseWriter, r *http.Request) {
	year, err := yearParam(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	o, err := h.operations.Year(r.Context(), page.Actor(r), year)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "statistics.ops.title")
	v.Data = servicesPage{
		OperationsPage:  o,
		Placed:          drawCounted(v.P, o.Placed, "statistics.persons"),
		Triage:          drawCounted(v.P, o.Triage, "statistics.ops.unit.reports"),
		FollowUps:       drawCounted(v.P, o.FollowUps, "statistics.ops.unit.followups"),
		Sessions:        drawCounted(v.P, o.Sessions, "statistics.ops.unit.sessions"),
		Participants:    drawCounted(v.P, o.Participants, "statistics.ops.unit.participants"),
		ParticipantsBy:  drawCounted(v.P, o.ParticipantsBy, "statistics.ops.unit.participants"),
		Reach:           drawCounted(v.P, o.Reach, "statistics.ops.unit.reached"),
		CampaignReports: drawCounted(v.P, o.CampaignReports, "statistics.ops.unit.reports"),
		Rounds:          drawCounted(v.P, o.Rounds, "statistics.ops.unit.rounds"),
		Responses:       drawCounted(v.P, o.Responses, "statistics.ops.unit.responses"),
	}
	h.kit.Render(w, r, http.StatusOK, "statistics_services", v)
}
