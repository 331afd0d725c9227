package planui

import (
	"net/http"

	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

func (h *Handler) renderNewMeasure(w http.ResponseWriter, r *http.Request, status int, v *web.View, d *measurePage) {
	if err := h.fill(r, d); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Data = d
	h.kit.Render(w, r, status, "actionplan_measure_new", v)
}

// newMeasure is the form that adds a measure; ?finding= links it to a
// finding at once.
func (h *Handler) newMeasure(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "actionplan.measure_new")
	d := &measurePage{Form: measureForm{Action: "/plan/measures/new", Partners: map[string]bool{}, Linked: map[string]bool{}, Indicators: rows(nil)}}
	if id := r.URL.Query().Get("finding"); id != "" {
		f, err := h.plan.Finding(r.Context(), page.Actor(r), id)
		if err != nil {
			h.kit.Fail(w, r, err)
			return
		}
		d.Form.Linked[f.ID] = true
		v.Form["objective"] = f.Title
	}
	v.Form["status"] = string(plan.Planned)
	h.renderNewMeasure(w, r, http.StatusOK, v, d)
}

// createMeasure adds a measure.
func (h *Handler) createMeasure(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "actionplan.measure_new")
	d := &measurePage{Form: measureForm{Action: "/plan/measures/new", Indicators: rows(nil)}}
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderNewMeasure(w, r, status, v, d) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	in := measureInput(r, v, &d.Form)
	m, err := h.plan.CreateMeasure(r.Context(), page.Actor(r), in)
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/plan/measures/"+m.ID+"?done=created", http.StatusSeeOther)
}
