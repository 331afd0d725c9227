package planui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// renderMeasure shows a measure; the edit form holds what was posted when
// posted is true, else the measure as stored.
func (h *Handler) renderMeasure(w http.ResponseWriter, r *http.Request, status int, v *web.View, d *measurePage, posted bool) {
	m, err := h.plan.Measure(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	d.Measure = &m
	d.CanReport = m.ReportableBy(page.Actor(r))
	d.Form.Action = "/plan/measures/" + m.ID
	if err := h.fill(r, d); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	if !posted {
		formOf(v, &d.Form, m)
	}
	d.EditOpen = posted
	if v.Form["progress_status"] == "" {
		v.Form["progress_status"] = string(m.Status)
	}
	v.Data = d
	h.kit.Render(w, r, status, "actionplan_measure", v)
}

// formOf fills the measure form with a stored measure.
func formOf(v *web.View, f *measureForm, m plan.Measure) {
	for k, val := range map[string]string{"objective": m.Objective, "owner_org": m.OwnerOrg, "start_on": m.StartOn, "due_on": m.DueOn,
		"next_review_on": m.NextReviewOn, "resources": m.Resources, "amount": m.Amount, "currency": m.Currency,
		"programme": m.Programme, "status": string(m.Status), "dropped_reason": m.DroppedReason} {
		v.Form[k] = val
	}
	f.Partners = checked(m.PartnerIDs())
	f.Linked = map[string]bool{}
	for _, ref := range m.Findings {
		f.Linked[ref.ID] = true
	}
	in := make([]plan.IndicatorInput, len(m.Indicators))
	for i, ind := range m.Indicators {
		in[i] = plan.IndicatorInput{ID: ind.ID, Name: ind.Name, Unit: ind.Unit,
			Baseline: plan.FormatNumber(ind.Baseline), Target: plan.FormatNumber(ind.Target)}
	}
	f.Indicators = rows(in)
}

// showMeasure is a measure with its indicators and progress, the progress
// form and, for the coordinator, the form that changes it.
func (h *Handler) showMeasure(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "actionplan.measure")
	notice(v, r)
	h.renderMeasure(w, r, http.StatusOK, v, &measurePage{}, false)
}

// editMeasure changes a measure.
func (h *Handler) editMeasure(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "actionplan.measure")
	d := &measurePage{}
	posted := false
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderMeasure(w, r, status, v, d, posted) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	in := measureInput(r, v, &d.Form)
	posted = true
	if _, err := h.plan.UpdateMeasure(r.Context(), page.Actor(r), r.PathValue("id"), in); err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/plan/measures/"+r.PathValue("id")+"?done=saved", http.StatusSeeOther)
}

// progress records progress on a measure.
func (h *Handler) progress(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "actionplan.measure")
	d := &measurePage{}
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, prefixed(err, "progress_"), func(status int) { h.renderMeasure(w, r, status, v, d, false) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	in := plan.ProgressInput{Values: map[string]string{}}
	for k := range r.PostForm {
		if id, ok := strings.CutPrefix(k, "progress_value_"); ok {
			in.Values[id] = r.PostFormValue(k)
			v.Form[k] = in.Values[id]
		}
	}
	for _, k := range []string{"progress_status", "progress_note", "progress_next_review_on", "progress_measured_on"} {
		v.Form[k] = r.PostFormValue(k)
	}
	in.Status, in.Note = plan.Status(v.Form["progress_status"]), v.Form["progress_note"]
	in.NextReviewOn, in.MeasuredOn = v.Form["progress_next_review_on"], v.Form["progress_measured_on"]
	if err := h.plan.RecordProgress(r.Context(), page.Actor(r), r.PathValue("id"), in); err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/plan/measures/"+r.PathValue("id")+"?done=progress", http.StatusSeeOther)
}
