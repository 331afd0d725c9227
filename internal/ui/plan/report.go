package planui

import (
	"net/http"

	"waymark.city/waymark/internal/i18n"

	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/ui/page"
)

type reportPage struct {
	indicators
	plan.Report
	Statuses []plan.Status
}

// report is the printable plan: findings, the measures taken on them, their
// owners, dates, indicators with progress towards the target, and status.
func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "actionplan.report")
	rep, err := h.plan.Report(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Data = reportPage{Report: rep, Statuses: plan.Statuses()}
	h.kit.Render(w, r, http.StatusOK, "actionplan_report", v)
}

// reportMeasure is what the "actionplan_report_measure" partial renders.
type reportMeasure struct {
	P          *i18n.Printer
	Measure    plan.Measure
	Indicators indicatorList
}

// Row prepares a measure for the report.
func (d reportPage) Row(p *i18n.Printer, m plan.Measure) reportMeasure {
	return reportMeasure{P: p, Measure: m, Indicators: d.Indicators(p, m.Indicators)}
}
