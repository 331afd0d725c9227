package statisticsui

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/printout"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
)

type releaseReport struct {
	*statistics.Release
	Title  string
	Lines  []string
	Tables []tableView
}

// report is what the printable report and the PDF show of an approved
// release: its title, the lines saying what it covers, and each table
// with its chart.
func report(p *i18n.Printer, rel *statistics.Release, zone *time.Location) releaseReport {
	d := releaseReport{Release: rel, Title: p.T("statistics.preset."+rel.Preset) + " " + rel.Period.String()}
	to := rel.Recipient
	if rel.Organisation != "" {
		to += ", " + rel.Organisation
	}
	d.Lines = []string{
		p.T("statistics.release.line.recipient", "recipient", to),
		p.T("statistics.release.line.period", "from", p.Date(rel.Period.From, time.UTC), "to", p.Date(rel.Period.To, time.UTC)),
		p.T("statistics.release.line.rules", "n", rel.Threshold),
	}
	if rel.Rounding > 0 {
		d.Lines = append(d.Lines, p.T("statistics.release.line.rounding", "base", rel.Rounding))
	}
	d.Lines = append(d.Lines, p.T("statistics.release.line.approved", "preparer", rel.PreparerName, "approver", rel.DeciderName,
		"on", p.Date(rel.DecidedAt, zone)))
	for _, t := range rel.Tables {
		d.Tables = append(d.Tables, layoutTable(p, rel, t))
	}
	return d
}

// releaseReportPage is the printable report of an approved release: no
// form, charts as SVG, each with its table.
func (h *Handler) releaseReportPage(w http.ResponseWriter, r *http.Request) {
	rel, err := h.statistics.Published(r.Context(), page.Actor(r), r.PathValue("id"), "report")
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "statistics.release.report_title")
	d := report(v.P, rel, h.kit.Shell().Zone())
	v.Title = d.Title
	v.Data = d
	h.kit.Render(w, r, http.StatusOK, "statistics_release_report", v)
}

// releasePDF is the same report as a PDF file.
func (h *Handler) releasePDF(w http.ResponseWriter, r *http.Request) {
	rel, err := h.statistics.Published(r.Context(), page.Actor(r), r.PathValue("id"), "pdf")
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p := h.kit.View(r, "statistics.release.report_title").P
	d := report(p, rel, h.kit.Shell().Zone())
	doc := printout.New(p, d.Title)
	for _, l := range d.Lines {
		doc.Line(l)
	}
	for _, t := range d.Tables {
		doc.Heading(2, t.Title)
		doc.Note(t.Summary)
		pt := printout.Table{Header: append([]string{t.Corner}, t.Columns...), Figures: true}
		for _, row := range t.Rows {
			cells := []string{row.Label}
			for _, c := range row.Cells {
				text := c.Text
				if c.Note != "" {
					text += " (" + c.Note + ")"
				}
				cells = append(cells, text)
			}
			pt.Rows = append(pt.Rows, cells)
		}
		doc.Table(pt)
	}
	doc.Note(p.T("statistics.release.report_note", "n", strconv.Itoa(rel.Threshold)))
	var buf bytes.Buffer
	if err := doc.Write(&buf, time.Now(), h.kit.Shell().Zone()); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	printout.Serve(w, d.Title, buf.Bytes())
}
