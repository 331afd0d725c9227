package mappingui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type changeRow struct {
	Label, A, B, Change string
}

type changeView struct {
	Label  string
	NA, NB int
	Enough bool
	Rows   []changeRow
	// Maps draw a question asked from the area list in each round.
	Maps []geo.Map
}

type comparisonView struct {
	Questionnaire mapping.Questionnaire
	Questions     []changeView
}

type comparePage struct {
	A, B        mapping.Round
	K           int
	Comparisons []comparisonView
	Options     []web.Option
	// Earlier are the findings of the earlier round with how far each
	// was followed up: what the later round can show as acted on.
	Earlier *findings
}

func signed(v float64) string {
	s := number(v)
	if v > 0 {
		s = "+" + s
	}
	return s
}

func percent(v float64) string { return strconv.Itoa(int(v*100+0.5)) + " %" }

// compare shows, question by question, how the answers changed between
// two rounds, where both have at least k answers.
func (h *Handler) compare(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.compare_title")
	ctx, actor := r.Context(), page.Actor(r)
	list, err := h.mapping.Rounds(ctx, actor)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	q := r.URL.Query()
	v.Form["a"], v.Form["b"] = q.Get("a"), q.Get("b")
	d := comparePage{K: h.mapping.MinAnswers(), Options: roundOptions(list)}
	if q.Get("a") == "" && q.Get("b") == "" {
		v.Data = d
		h.kit.Render(w, r, http.StatusOK, "mapping_compare", v)
		return
	}
	a, b, cmp, err := h.mapping.Compare(ctx, actor, q.Get("a"), q.Get("b"))
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) {
			v.Data = d
			h.kit.Render(w, r, status, "mapping_compare", v)
		})
		return
	}
	d.A, d.B = a, b
	if f := h.roundFindings(r, a.ID, nil); f != nil {
		d.Earlier = &findings{List: f.List}
	}
	lang := v.P.Lang()
	areas := h.cityAreas(r)
	for ci, c := range cmp {
		cv := comparisonView{Questionnaire: c.Questionnaire}
		for _, qc := range c.Questions {
			ch := changeView{Label: qc.LabelIn(lang), NA: qc.NA, NB: qc.NB, Enough: qc.Enough}
			if qc.AreasA != nil && len(areas) > 0 {
				for i, side := range []struct {
					round  mapping.Round
					counts map[string]int
				}{{a, qc.AreasA}, {b, qc.AreasB}} {
					ch.Maps = append(ch.Maps, geo.Render(v.P, geo.Spec{ID: "area-map-" + strconv.Itoa(ci) + "-" + qc.Field.Name + "-" + strconv.Itoa(i),
						Title: v.P.T("mapping.map_round", "question", ch.Label, "round", side.round.Title), Areas: areas,
						Counts: &geo.Counts{Label: v.P.T("mapping.map_answers"), ByArea: side.counts}}))
				}
			}
			if qc.Enough {
				if qc.Numeric() {
					ch.Rows = append(ch.Rows,
						changeRow{Label: v.P.T("mapping.mean"), A: number(qc.MeanA), B: number(qc.MeanB), Change: signed(qc.MeanB - qc.MeanA)},
						changeRow{Label: v.P.T("mapping.median"), A: number(qc.MedianA), B: number(qc.MedianB), Change: signed(qc.MedianB - qc.MedianA)})
				}
				for _, cc := range qc.Choices {
					ch.Rows = append(ch.Rows, changeRow{Label: mapping.In(cc.Choice.Label, lang), A: percent(cc.ShareA), B: percent(cc.ShareB),
						Change: v.P.T("mapping.points", "n", signed(cc.Points))})
				}
			}
			cv.Questions = append(cv.Questions, ch)
		}
		d.Comparisons = append(d.Comparisons, cv)
	}
	v.Data = d
	h.kit.Render(w, r, http.StatusOK, "mapping_compare", v)
}
