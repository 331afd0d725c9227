package mappingui

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/printout"
)

// reportPDF is the mapping report as a PDF file, with the sections of the
// page built from the same data.
func (h *Handler) reportPDF(w http.ResponseWriter, r *http.Request) {
	h.writeReportPDF(w, r, false)
}

// restrictedReportPDF is the restricted report as a PDF file.
func (h *Handler) restrictedReportPDF(w http.ResponseWriter, r *http.Request) {
	h.writeReportPDF(w, r, true)
}

func (h *Handler) writeReportPDF(w http.ResponseWriter, r *http.Request, restricted bool) {
	p := h.kit.View(r, "mapping.report").P
	d, err := h.reportData(r, p, r.PathValue("id"), restricted)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	zone := h.kit.Shell().Zone()
	doc := reportDocument(p, d, zone)
	var buf bytes.Buffer
	if err := doc.Write(&buf, time.Now(), zone); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	printout.Serve(w, p.T("mapping.report")+" "+d.Round.Title, buf.Bytes())
}

// reportDocument lays the report out as the page does: each
// questionnaire's results (tables, maps, accepted free text), the
// locations register, the findings, the services (shelters counted, never
// named: assistance.Services keeps them out of the list) and the training
// needs; the restricted report has its questionnaires alone.
func reportDocument(p *i18n.Printer, d reportPage, zone *time.Location) *printout.Document {
	r := d.Round
	title := r.Title
	if d.Restricted {
		title = p.T("mapping.restricted_title") + ": " + title
	}
	doc := printout.New(p, title)
	scope := p.T("mapping.whole_city")
	if len(r.Areas) > 0 {
		scope = strings.Join(r.Areas, ", ")
	}
	doc.Line(p.T("mapping.period") + ": " + printout.Day(p, r.PeriodStart) + " – " + printout.Day(p, r.PeriodEnd))
	doc.Line(p.T("mapping.status") + ": " + p.T("mapping.status."+r.Status) + " · " + p.T("mapping.scope") + ": " + scope)
	doc.Note(p.T("mapping.report_hint"))
	if d.Withheld > 0 {
		doc.Note(p.N("mapping.withheld", d.Withheld))
	}
	for _, s := range d.Sections {
		resultsSection(doc, p, s)
	}
	if len(d.Sections) == 0 {
		doc.Text(p.T("mapping.no_results"))
	}
	if !d.Restricted {
		doc.Heading(1, p.T("mapping.locations_title"))
		doc.Note(p.T("mapping.locations_hint"))
		doc.Map(d.Map)
		if len(d.Locations) == 0 {
			doc.Text(p.T("mapping.no_locations"))
		} else {
			t := printout.Table{Header: []string{p.T("mapping.location_type"), p.T("mapping.area"), p.T("mapping.seen"), p.T("mapping.when")}}
			for _, l := range d.Locations {
				seen := strings.Join(l.Seen, "; ")
				if l.Observation != "" {
					seen += "\n" + l.Observation
				}
				when := l.Period
				if len(l.Times) > 0 {
					when += " (" + strings.Join(l.Times, ", ") + ")"
				}
				when += ", " + p.T("mapping.reported", "date", p.Date(l.SubmittedAt, zone))
				t.Rows = append(t.Rows, []string{l.TypeLabel, l.AreaLabel, seen, when})
			}
			doc.Table(t)
		}
	}
	if f := d.Findings; f != nil {
		doc.Heading(1, p.T("mapping.findings_title"))
		doc.Note(p.T("mapping.findings_hint"))
		for _, x := range f.List {
			doc.Text(x.Title + " · " + p.T("actionplan.priority."+string(x.Priority)) + " · " + p.T("actionplan.follow."+string(x.FollowUp)))
		}
		if len(f.List) == 0 {
			doc.Text(p.T("mapping.no_findings"))
		}
	}
	if d.Restricted {
		return doc
	}
	if len(d.Services) > 0 {
		doc.Heading(1, p.T("mapping.services_title"))
		doc.Note(p.T("mapping.services_hint"))
		for _, sf := range d.Services {
			doc.Heading(2, p.T("provider.audience."+sf.Audience))
			if len(sf.Providers) == 0 {
				doc.Text(p.T("mapping.no_providers"))
			} else {
				t := printout.Table{Header: []string{p.T("mapping.provider"), p.T("mapping.provider_types"), p.T("mapping.provider_languages")}}
				for _, pr := range sf.Providers {
					var types []string
					for _, ty := range pr.Types {
						types = append(types, p.T("provider.type."+ty))
					}
					langs := strings.Join(pr.Languages, ", ")
					if langs == "" {
						langs = "–"
					}
					t.Rows = append(t.Rows, []string{pr.Name, strings.Join(types, ", "), langs})
				}
				doc.Table(t)
			}
			if sf.Shelters > 0 {
				doc.Text(p.N("mapping.shelters_n", sf.Shelters, "places", sf.ShelterPlaces))
			}
		}
	}
	if d.ShowNeeds {
		doc.Heading(1, p.T("mapping.needs_title"))
		doc.Note(p.T("mapping.needs_hint"))
		if len(d.Needs) == 0 {
			doc.Text(p.T("mapping.no_needs"))
		} else {
			t := printout.Table{Header: []string{p.T("mapping.need_org"), p.T("mapping.need_role"), p.T("mapping.need_topic"), p.T("mapping.need_priority")}}
			for _, n := range d.Needs {
				org := n.OrgName
				if org == "" {
					org = p.T("training.group." + n.Group)
				}
				role := n.Role
				if role == "" {
					role = "–"
				}
				topic := n.Topic
				if n.Status == "met" {
					topic += " (" + p.T("mapping.need_met") + ")"
				}
				t.Rows = append(t.Rows, []string{org, role, topic, p.T("training.priority." + n.Priority)})
			}
			doc.Table(t)
		}
	}
	return doc
}

// resultsSection adds a questionnaire's results: per question its table
// (answer by the whole round and each respondent type) and map, then the
// accepted free text with the type of who wrote it, never their name.
func resultsSection(doc *printout.Document, p *i18n.Printer, s sectionView) {
	doc.Heading(1, s.Questionnaire.TitleIn(p))
	if s.Responses == 0 {
		doc.Text(p.T("mapping.no_answers_yet"))
	} else {
		questions(doc, p, s)
	}
	if len(s.Texts) > 0 {
		doc.Heading(2, p.T("mapping.accepted_texts"))
		for _, t := range s.Texts {
			doc.Text(t.Question + ": " + t.Text + " (" + textSource(p, t.Respondent) + ")")
		}
	}
}

// questions adds the answers to each question of a questionnaire.
func questions(doc *printout.Document, p *i18n.Printer, s sectionView) {
	doc.Text(p.N("mapping.responses_n", s.Responses))
	for _, q := range s.Questions {
		doc.Heading(2, q.Label)
		t := printout.Table{Header: append([]string{q.Results.Answer, q.Results.All}, q.Results.Types...), Figures: true}
		for _, row := range q.Results.Rows {
			cells := []string{row.Label}
			for _, c := range row.Cells {
				cells = append(cells, c.Text)
			}
			t.Rows = append(t.Rows, cells)
		}
		doc.Table(t)
		doc.Map(q.Map)
	}
}

// textSource is who wrote an accepted text, as the page says it: the kind
// of organisation or actor, "anonymous" for an anonymous respondent.
func textSource(p *i18n.Printer, t mapping.RespondentType) string {
	switch {
	case t.Anonymous:
		return p.T("mapping.anonymous")
	case t.Role != "":
		return p.T("orgkind." + t.Kind)
	}
	return p.T("mapping.actor." + t.Kind)
}
