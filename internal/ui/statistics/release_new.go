package statisticsui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// sensitiveGroup is a dimension whose categories the form offers to
// suppress as a whole.
type sensitiveGroup struct {
	Code       string
	LegendKey  string
	Categories []sensitiveChoice
}

type sensitiveChoice struct {
	Value, LabelKey string
	Checked         bool
}

type releaseNewPage struct {
	Presets   []web.Option
	Roundings []web.Option
	Sensitive []sensitiveGroup
}

// renderReleaseNew shows the form with the presets' dimensions as the
// categories that can be suppressed whole, checked as the form says.
func (h *Handler) renderReleaseNew(w http.ResponseWriter, r *http.Request, status int, v *web.View, checked []string) {
	d := releaseNewPage{Roundings: []web.Option{{Value: "0", LabelKey: "statistics.release.rounding_none"},
		{Value: "5", LabelKey: "statistics.release.rounding_5"}, {Value: "10", LabelKey: "statistics.release.rounding_10"}}}
	for _, id := range statistics.Presets() {
		d.Presets = append(d.Presets, web.Option{Value: id, LabelKey: "statistics.preset." + id})
		tables, err := h.statistics.PresetShapes(id, statistics.Year(time.Now().Year()))
		if err != nil {
			h.kit.Fail(w, r, err)
			return
		}
		for _, t := range tables {
			for _, dim := range t.Table.Dimensions() {
				// Nationalities, years and areas are the period's own
				// categories; the form offers those every period has.
				if slices.ContainsFunc(d.Sensitive, func(g sensitiveGroup) bool { return g.Code == dim.Code }) ||
					slices.ContainsFunc(dim.Categories, func(c disclosure.Category) bool { return statistics.Literal(dim.Code, c.Code) }) {
					continue
				}
				g := sensitiveGroup{Code: dim.Code, LegendKey: statistics.DimensionKey(dim.Code)}
				for _, c := range dim.Categories {
					val := dim.Code + ":" + c.Code
					g.Categories = append(g.Categories, sensitiveChoice{Value: val, LabelKey: statistics.CategoryKey(dim.Code, c.Code),
						Checked: slices.Contains(checked, val)})
				}
				d.Sensitive = append(d.Sensitive, g)
			}
		}
	}
	v.Data = d
	h.kit.Render(w, r, status, "statistics_release_new", v)
}

// showReleaseNew is the form that prepares a release: the preset and
// period a preset's page links with (?preset=crim_thb&period=2026-Q3), else
// crim_thb for this year; the default threshold, no rounding.
func (h *Handler) showReleaseNew(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "statistics.release.new_title")
	period := statistics.Year(time.Now().Year())
	if p, err := statistics.ParsePeriod(r.URL.Query().Get("period")); err == nil {
		period = p
	}
	v.Form["preset"] = statistics.PresetCrimTHB
	if q := r.URL.Query().Get("preset"); slices.Contains(statistics.Presets(), q) {
		v.Form["preset"] = q
	}
	v.Form["from"], v.Form["to"] = period.From.Format(time.DateOnly), period.To.Format(time.DateOnly)
	v.Form["threshold"], v.Form["rounding"] = strconv.Itoa(h.statistics.SmallCounts()), "0"
	h.renderReleaseNew(w, r, http.StatusOK, v, nil)
}

// readRelease reads the form into v.Form and the input; a field that is
// not a number or a day is a field error.
func (h *Handler) readRelease(r *http.Request, v *web.View) (statistics.ReleaseInput, []string, error) {
	for _, k := range []string{"preset", "from", "to", "recipient", "organisation", "threshold", "rounding"} {
		v.Form[k] = r.PostFormValue(k)
	}
	in := statistics.ReleaseInput{Preset: v.Form["preset"], Recipient: v.Form["recipient"], Organisation: v.Form["organisation"]}
	var f apperr.Fields
	var err error
	if in.Period.From, err = time.Parse(time.DateOnly, v.Form["from"]); err != nil {
		f.Add("from", "statistics.error.release_day")
	}
	if in.Period.To, err = time.Parse(time.DateOnly, v.Form["to"]); err != nil {
		f.Add("to", "statistics.error.release_day")
	}
	if in.Threshold, err = strconv.Atoi(strings.TrimSpace(v.Form["threshold"])); err != nil || !h.statistics.ThresholdAllowed(in.Threshold) {
		f.Add("threshold", "statistics.error.threshold")
	}
	if in.Rounding, err = strconv.Atoi(v.Form["rounding"]); err != nil {
		f.Add("rounding", "statistics.error.rounding")
	}
	checked := r.PostForm["sensitive"]
	for _, s := range checked {
		dim, cat, ok := strings.Cut(s, ":")
		if !ok {
			f.Add("sensitive", "statistics.error.unknown_category")
			break
		}
		in.Sensitive = append(in.Sensitive, disclosure.CategoryRef{Dimension: dim, Category: cat})
	}
	return in, checked, f.Err()
}

// createRelease prepares the release and shows it.
func (h *Handler) createRelease(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "statistics.release.new_title")
	var checked []string
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderReleaseNew(w, r, status, v, checked) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	in, checked, err := h.readRelease(r, v)
	if err != nil {
		failed(err)
		return
	}
	id, err := h.statistics.Prepare(r.Context(), page.Actor(r), in)
	if err != nil {
		failed(statistics.Labelled(v.P, err))
		return
	}
	http.Redirect(w, r, "/statistics/releases/"+id, http.StatusSeeOther)
}
