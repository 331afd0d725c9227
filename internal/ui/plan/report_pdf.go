package planui

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/printout"
	"waymark.city/waymark/internal/ui/page"
)

// reportPDF is the plan report as a PDF file: the same findings, measures,
// owners, dates, indicators and status as the page.
func (h *Handler) reportPDF(w http.ResponseWriter, r *http.Request) {
	p := h.kit.View(r, "actionplan.report").P
	rep, err := h.plan.Report(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	d := planDocument(p, rep)
	var buf bytes.Buffer
	if err := d.Write(&buf, time.Now(), h.kit.Shell().Zone()); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	printout.Serve(w, p.T("actionplan.report"), buf.Bytes())
}

// planDocument lays the plan report out as the page does.
func planDocument(p *i18n.Printer, rep plan.Report) *printout.Document {
	d := printout.New(p, p.T("actionplan.report"))
	var summary []string
	for _, s := range plan.Statuses() {
		summary = append(summary, p.T("actionplan.status."+string(s))+": "+strconv.Itoa(rep.ByStatus[s]))
	}
	d.Line(strings.Join(summary, " · ") + " · " + p.T("actionplan.overdue") + ": " + strconv.Itoa(rep.Overdue))
	for _, f := range rep.Findings {
		d.Heading(1, f.Title)
		about := p.T("actionplan.topic."+string(f.Topic)) + " · " + p.T("actionplan.priority."+string(f.Priority)) + " · " +
			p.T("actionplan.follow."+string(f.FollowUp))
		if f.Latest != nil {
			about += " (" + p.T("actionplan.result."+string(f.Latest.Result)) + ", " + printout.Day(p, f.Latest.CheckedOn) + ")"
		}
		d.Text(about)
		if f.Description != "" {
			d.Text(f.Description)
		}
		if len(f.Measures) == 0 {
			d.Text(p.T("actionplan.no_measures"))
		}
		for _, m := range f.Measures {
			measure(d, p, m)
		}
	}
	if len(rep.Unlinked) > 0 {
		d.Heading(1, p.T("actionplan.unlinked"))
		for _, m := range rep.Unlinked {
			measure(d, p, m)
		}
	}
	if len(rep.Findings) == 0 && len(rep.Unlinked) == 0 {
		d.Text(p.T("actionplan.no_measures"))
	}
	return d
}

// measure adds a measure: its facts, then its indicators with baseline,
// target and the newest value.
func measure(d *printout.Document, p *i18n.Printer, m plan.Measure) {
	d.Heading(2, m.Objective)
	status := p.T("actionplan.status." + string(m.Status))
	if m.DroppedReason != "" {
		status += ": " + m.DroppedReason
	}
	if m.Overdue {
		status += " ⚠ " + p.T("actionplan.overdue")
	}
	facts := printout.Table{Header: []string{p.T("actionplan.status"), p.T("actionplan.owner")}, Rows: [][]string{{status, m.OwnerName}}}
	fact := func(label, value string) {
		facts.Header = append(facts.Header, label)
		facts.Rows[0] = append(facts.Rows[0], value)
	}
	if len(m.Partners) > 0 {
		var names []string
		for _, o := range m.Partners {
			names = append(names, o.Name)
		}
		fact(p.T("actionplan.partners"), strings.Join(names, ", "))
	}
	fact(p.T("actionplan.dates"), printout.Day(p, m.StartOn)+" – "+printout.Day(p, m.DueOn))
	if m.NextReviewOn != "" {
		fact(p.T("actionplan.next_review_on"), printout.Day(p, m.NextReviewOn))
	}
	if m.Programme != "" {
		fact(p.T("actionplan.programme"), m.Programme)
	}
	d.Table(facts)
	list := indicators{}.Indicators(p, m.Indicators)
	if len(list.Items) == 0 {
		d.Text(p.T("actionplan.no_indicators"))
		return
	}
	t := printout.Table{Header: []string{p.T("actionplan.indicator_name"), p.T("actionplan.indicator_unit"), p.T("actionplan.baseline"),
		p.T("actionplan.target"), p.T("actionplan.measured_values")}}
	for _, ind := range list.Items {
		latest := p.T("actionplan.indicator_none")
		if ind.Measured {
			latest = p.T("actionplan.indicator_latest", "value", ind.Latest, "date", printout.Day(p, ind.LatestOn), "percent", ind.Percent)
		}
		t.Rows = append(t.Rows, []string{ind.Name, ind.Unit, ind.Baseline, ind.Target, latest})
	}
	d.Table(t)
}
