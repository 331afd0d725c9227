package planui

import (
	"fmt"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// blankIndicators is how many empty indicator rows a form offers: without
// JavaScript, rows cannot be added on the page.
const blankIndicators = 2

// measurePage is a measure (nil on the new-measure page) with the forms
// the reader may use: the measure form for the coordinator, the progress
// form for the owner, partners and the coordinator.
type measurePage struct {
	indicators
	Measure   *plan.Measure
	CanManage bool
	// CanReport offers the progress form (owner, partners, coordinator).
	CanReport bool
	// EditOpen shows the measure form opened: it failed and shows why.
	EditOpen bool
	Form     measureForm
	// Statuses are the choices of both forms.
	Statuses []web.Option
}

// measureForm is the state of the measure form.
type measureForm struct {
	Action     string
	Owners     []web.Option
	Orgs       []plan.Org
	Partners   map[string]bool
	Findings   []plan.Finding
	Linked     map[string]bool
	Indicators []indicatorRow
}

// indicatorRow is one row of the indicator fieldset, numbered from 1;
// Field names it in error messages.
type indicatorRow struct {
	Number int
	Field  string
	plan.IndicatorInput
}

func rows(in []plan.IndicatorInput) []indicatorRow {
	out := make([]indicatorRow, 0, len(in)+blankIndicators)
	for i := 0; i < len(in)+blankIndicators && i < plan.MaxIndicators; i++ {
		var r plan.IndicatorInput
		if i < len(in) {
			r = in[i]
		}
		out = append(out, indicatorRow{Number: i + 1, Field: fmt.Sprintf("indicator_%d", i), IndicatorInput: r})
	}
	return out
}

// fill completes a measure page with the form's choices.
func (h *Handler) fill(r *http.Request, d *measurePage) error {
	a := page.Actor(r)
	d.CanManage = access.Can(a, access.ManagePlan)
	d.Statuses = options("actionplan.status.", plan.Statuses())[1:]
	if !d.CanManage {
		return nil
	}
	var err error
	if d.Form.Owners, d.Form.Orgs, err = h.orgOptions(r); err != nil {
		return err
	}
	d.Form.Findings, err = h.plan.Findings(r.Context(), a, plan.FindingFilter{})
	return err
}

// measureInput reads the measure form into v.Form and the page's form.
func measureInput(r *http.Request, v *web.View, f *measureForm) plan.MeasureInput {
	for _, k := range []string{"objective", "owner_org", "start_on", "due_on", "next_review_on", "resources", "amount", "currency",
		"programme", "status", "dropped_reason"} {
		v.Form[k] = r.PostFormValue(k)
	}
	in := plan.MeasureInput{Objective: v.Form["objective"], OwnerOrg: v.Form["owner_org"], Partners: r.PostForm["partners"],
		StartOn: v.Form["start_on"], DueOn: v.Form["due_on"], NextReviewOn: v.Form["next_review_on"], Resources: v.Form["resources"],
		Amount: v.Form["amount"], Currency: v.Form["currency"], Programme: v.Form["programme"], Status: plan.Status(v.Form["status"]),
		DroppedReason: v.Form["dropped_reason"], Findings: r.PostForm["findings"]}
	at := func(name string, i int) string {
		if vals := r.PostForm[name]; i < len(vals) {
			return vals[i]
		}
		return ""
	}
	for i := range r.PostForm["indicator_name"] {
		if i >= plan.MaxIndicators+blankIndicators {
			break
		}
		in.Indicators = append(in.Indicators, plan.IndicatorInput{ID: at("indicator_id", i), Name: at("indicator_name", i),
			Unit: at("indicator_unit", i), Baseline: at("indicator_baseline", i), Target: at("indicator_target", i)})
	}
	f.Partners, f.Linked = checked(in.Partners), checked(in.Findings)
	f.Indicators = rows(in.Indicators)
	return in
}

func checked(ids []string) map[string]bool {
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// prefixed renames the fields of a validation error, for a form whose
// fields are prefixed to keep them apart from another form on the page.
func prefixed(err error, prefix string) error {
	e := apperr.As(err)
	if len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make([]apperr.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		f.Field = prefix + f.Field
		out.Fields[i] = f
	}
	return &out
}
