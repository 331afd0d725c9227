package mappingui

import (
	"bytes"
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/assistance"

	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/training"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// cell is one figure of a results table, formatted.
type cell struct{ Text string }

// resultRow is one line of a question's table: a choice, or a statistic
// of a number; Cells are the whole round first, then each respondent type.
type resultRow struct {
	Label string
	Cells []cell
}

type questionView struct {
	// ID names the question's heading, which labels its table.
	ID, Label string
	// Table is the question's results table, made by results_table.html
	// from Results, which the PDF sets as a table of its own.
	Table   template.HTML
	Results tableData
	// Map draws the answers of a question asked from the area list.
	Map *geo.Map
}

type sectionView struct {
	Questionnaire mapping.Questionnaire
	Responses     int
	Questions     []questionView
	Texts         []mapping.AcceptedText
	// HTML is the section's answers laid out (the mapping_section partial).
	HTML template.HTML
}

// A report lays out every question of a round as a table of up to a dozen
// columns (about 130 KiB for 60 questions): executing that through the
// page's template for each reader took most of a report request's time
// under load (docs/issue12-progress/bench.md). The tables are made once
// per version of the sums (mapping.Aggregate.Version) with this small
// template and kept, with the maps, in Handler.laidOut.
//
//go:embed fragments/results_table.html
var resultsTableSource string

var resultsTable = template.Must(template.New("results_table").Parse(resultsTableSource))

type tableData struct {
	ID, Answer, All string
	// Types head the columns after "all".
	Types []string
	Rows  []resultRow
}

// laidOut is a section as laid out for one version of its report and of
// the city's areas.
type laidOut struct {
	version   string
	questions []questionView
	html      template.HTML
}

type reportPage struct {
	Round     mapping.Round
	Sections  []sectionView
	Withheld  int
	Locations []mapping.Location
	// PlanInspection links each place of the register to a joint
	// inspection planned there.
	PlanInspection bool
	Map            *geo.Map
	Restricted     bool
	Findings       *findings
	// Services are what the partnership offers victims and people at risk.
	Services []assistance.ServicesFor
	// Needs are the training needs recorded from the round, by
	// organisation and role; RecordNeed offers the form to record one.
	Needs                 []training.Need
	ShowNeeds, RecordNeed bool
}

func number(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func share(count, n int) string {
	if n == 0 {
		return "0"
	}
	return strconv.Itoa(count) + " (" + strconv.Itoa(int(math.Round(100*float64(count)/float64(n)))) + " %)"
}

// section lays a questionnaire's results out, the si-th section of the
// page, keeping the tables, maps and accepted texts while the report (its
// Version) and the city's areas are the same.
func (h *Handler) section(p *i18n.Printer, si int, s mapping.Section, reportVersion string, areas []geo.Area) (sectionView, error) {
	sv := sectionView{Questionnaire: s.Questionnaire, Responses: s.Responses, Texts: s.Texts}
	key := s.Round.ID + "|" + s.Questionnaire.ID + "|" + strconv.Itoa(si) + "|" + p.Lang()
	var version strings.Builder
	version.WriteString(reportVersion)
	for _, a := range areas {
		version.WriteString("|" + a.ID)
	}
	if c, ok := h.laidOut.Load(key); ok && reportVersion != "" && c.(laidOut).version == version.String() {
		sv.Questions, sv.HTML = c.(laidOut).questions, c.(laidOut).html
		return sv, nil
	}
	qs, err := questionsOf(p, si, s, areas)
	if err != nil {
		return sv, err
	}
	sv.Questions = qs
	if sv.HTML, err = h.kit.Shell().Fragment("mapping_section", struct {
		P       *i18n.Printer
		Section sectionView
	}{p, sv}); err != nil {
		return sv, err
	}
	h.laidOut.Store(key, laidOut{version: version.String(), questions: qs, html: sv.HTML})
	return sv, nil
}

// questionsOf lays a questionnaire's results out as tables, with a map
// beside each question asked from the area list (areas nil draws none).
func questionsOf(p *i18n.Printer, si int, s mapping.Section, areas []geo.Area) ([]questionView, error) {
	lang := p.Lang()
	var out []questionView
	var keys, types []string
	for _, t := range s.Types {
		keys = append(keys, t.Type.Key())
		types = append(types, respondent(p, t.Type)+" ("+strconv.Itoa(t.N)+")")
	}
	var buf bytes.Buffer
	for qi, q := range s.Questions {
		qv := questionView{ID: "q-" + strconv.Itoa(si) + "-" + strconv.Itoa(qi), Label: q.LabelIn(lang)}
		table := tableData{ID: qv.ID, Answer: p.T("mapping.answer"), All: p.T("mapping.all"), Types: types}
		if i := slices.IndexFunc(s.Areas, func(a mapping.AreaCounts) bool { return a.Field.Name == q.Field.Name }); i >= 0 && len(areas) > 0 {
			m := geo.Render(p, geo.Spec{ID: "area-map-" + strconv.Itoa(si) + "-" + q.Field.Name, Title: qv.Label, Areas: areas,
				Counts: &geo.Counts{Label: p.T("mapping.map_answers"), ByArea: s.Areas[i].ByArea}})
			qv.Map = &m
		}
		tallies := []*mapping.Tally{q.All}
		for _, k := range keys {
			tallies = append(tallies, q.ByType[k])
		}
		row := func(label string, f func(t *mapping.Tally) string) {
			r := resultRow{Label: label}
			for _, t := range tallies {
				if t == nil || t.N == 0 {
					r.Cells = append(r.Cells, cell{Text: "–"})
					continue
				}
				r.Cells = append(r.Cells, cell{Text: f(t)})
			}
			table.Rows = append(table.Rows, r)
		}
		row(p.T("mapping.answered"), func(t *mapping.Tally) string { return strconv.Itoa(t.N) })
		switch {
		case q.Select():
			for _, c := range q.Field.Choices {
				row(mapping.In(c.Label, lang), func(t *mapping.Tally) string { return share(t.Counts[c.Name], t.N) })
			}
		case q.Numeric():
			row(p.T("mapping.sum"), func(t *mapping.Tally) string { return number(t.Sum) })
			row(p.T("mapping.mean"), func(t *mapping.Tally) string { return number(t.Mean) })
			row(p.T("mapping.median"), func(t *mapping.Tally) string { return number(t.Median) })
			row(p.T("mapping.range"), func(t *mapping.Tally) string { return number(t.Min) + " – " + number(t.Max) })
		}
		qv.Results = table
		buf.Reset()
		if err := resultsTable.Execute(&buf, table); err != nil {
			return nil, fmt.Errorf("lay out the results of %s: %w", q.Field.Name, err)
		}
		qv.Table = template.HTML(buf.String())
		out = append(out, qv)
	}
	return out, nil
}

// report is the printable mapping report of a round.
func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	h.renderReport(w, r, false)
}

// restrictedReport shows only the restricted questionnaire's results, for
// police contact points (and the coordinator).
func (h *Handler) restrictedReport(w http.ResponseWriter, r *http.Request) {
	h.renderReport(w, r, true)
}

func (h *Handler) renderReport(w http.ResponseWriter, r *http.Request, restricted bool) {
	v := h.kit.View(r, "mapping.report")
	v.Form["priority"] = string(plan.Medium)
	h.renderReportView(w, r, http.StatusOK, v, r.PathValue("id"), restricted)
}

func (h *Handler) renderReportView(w http.ResponseWriter, r *http.Request, status int, v *web.View, id string, restricted bool) {
	d, err := h.reportData(r, v.P, id, restricted)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Data = d
	h.kit.Render(w, r, status, "mapping_report", v)
}

// reportData is what the report shows, the page and the PDF alike.
func (h *Handler) reportData(r *http.Request, p *i18n.Printer, id string, restricted bool) (reportPage, error) {
	rep, err := h.mapping.Report(r.Context(), page.Actor(r), id, p.Lang())
	if err != nil {
		return reportPage{}, err
	}
	// The restricted page shows the restricted questionnaires alone: what
	// the reader may not see elsewhere is no concern of this page.
	d := reportPage{Round: rep.Round, Restricted: restricted}
	if !restricted {
		d.Withheld = rep.Withheld
	}
	areas := h.cityAreas(r)
	for _, s := range rep.Sections {
		if restricted && !s.Questionnaire.Restricted {
			continue
		}
		sv, err := h.section(p, len(d.Sections), s, rep.Version, areas)
		if err != nil {
			return reportPage{}, err
		}
		d.Sections = append(d.Sections, sv)
	}
	if !restricted {
		d.Locations = rep.Locations
		d.PlanInspection = access.Can(page.Actor(r), access.ManageInspections)
		d.Map = placesMap(p, areas, rep.PlacesByArea)
		d.Findings = h.roundFindings(r, rep.Round.ID, rep.Round.Areas)
		if err := h.outputs(r, &d); err != nil {
			return reportPage{}, err
		}
	}
	return d, nil
}

// cityAreas are the city's current areas the maps are drawn on; none
// when there are none or they cannot be read (the tables still show the
// answers).
func (h *Handler) cityAreas(r *http.Request) []geo.Area {
	if h.areas == nil {
		return nil
	}
	areas, err := h.areas(r.Context())
	if err != nil {
		h.kit.Log().Error("load areas for the mapping report", "err", err)
		return nil
	}
	return areas
}

// placesMap draws the register's places per area on the city's areas;
// nil when the city has no areas.
func placesMap(p *i18n.Printer, areas []geo.Area, byArea map[string]int) *geo.Map {
	if len(areas) == 0 {
		return nil
	}
	m := geo.Render(p, geo.Spec{ID: "places-map", Title: p.T("mapping.map_title"), Areas: areas,
		Counts: &geo.Counts{Label: p.T("mapping.map_label"), ByArea: byArea}})
	return &m
}

// outputs adds what the mapping informs beyond its answers (issue 12 item
// 3): the services available to victims and to people at risk, and the
// training needs recorded from the round by organisation and role.
func (h *Handler) outputs(r *http.Request, d *reportPage) error {
	ctx, actor := r.Context(), page.Actor(r)
	if h.assistance != nil {
		services, err := h.assistance.Services(ctx, actor)
		if err != nil {
			return err
		}
		d.Services = services
	}
	if h.training != nil {
		needs, err := h.training.NeedsFrom(ctx, actor, training.FromMapping, d.Round.ID)
		if err != nil {
			return err
		}
		slices.SortStableFunc(needs, func(a, b training.Need) int {
			return cmp.Or(strings.Compare(a.OrgName, b.OrgName), strings.Compare(a.Group, b.Group), strings.Compare(a.Role, b.Role))
		})
		d.Needs, d.ShowNeeds = needs, true
		d.RecordNeed = access.Can(actor, access.ManageTraining)
	}
	return nil
}
