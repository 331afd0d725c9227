package ui

import (
	"net/http"
	"strconv"
	"strings"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/crisisunit"
	"waymark.city/waymark/internal/web"
)

// blankSteps is how many empty rows the protocol form offers for new steps.
const blankSteps = 5

type collaborationPage struct {
	Rows      []int
	Stages    []web.Option
	Kinds     []web.Option
	Templates []web.Option
}

// renderCollaboration shows the protocol of collaboration as a form: one
// row per step plus a few blank rows.
func (h *Handler) renderCollaboration(w http.ResponseWriter, r *http.Request, status int, v *web.View, rows int) {
	page := collaborationPage{}
	for i := 1; i <= rows+blankSteps; i++ {
		page.Rows = append(page.Rows, i)
	}
	page.Stages = []web.Option{{Value: "", LabelKey: "crisisunit.choose"}}
	for _, st := range cases.Stages() {
		if st != cases.Closed {
			page.Stages = append(page.Stages, web.Option{Value: string(st), LabelKey: "case.stage." + string(st)})
		}
	}
	page.Kinds = []web.Option{{Value: "", LabelKey: "crisisunit.choose"}}
	for _, k := range accounts.OrgKinds {
		page.Kinds = append(page.Kinds, web.Option{Value: string(k), LabelKey: "orgkind." + string(k)})
	}
	page.Templates = []web.Option{{Value: "", LabelKey: "crisisunit.choose"}}
	for _, t := range crisisunit.TaskTemplates() {
		page.Templates = append(page.Templates, web.Option{Value: t, LabelKey: "crisisunit.template." + t})
	}
	if r.URL.Query().Get("saved") == "1" && status == http.StatusOK {
		v.Notice = v.P.T("crisisunit.protocol_saved")
	}
	v.Data = page
	h.shell.Render(w, r, status, "collaboration_protocol", v)
}

func stepField(n int, name string) string { return "step." + strconv.Itoa(n) + "." + name }

// showCollaboration is the coordinator's page of the protocol of collaboration.
func (h *Handler) showCollaboration(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "crisisunit.protocol_title")
	steps, err := h.crisisunit.Protocol(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for i, st := range steps {
		n := i + 1
		v.Form[stepField(n, "stage")], v.Form[stepField(n, "kind")] = string(st.Stage), st.Kind
		v.Form[stepField(n, "template")], v.Form[stepField(n, "days")] = st.Template, strconv.Itoa(st.DueDays)
	}
	h.renderCollaboration(w, r, http.StatusOK, v, len(steps))
}

// saveCollaboration replaces the protocol with the submitted rows; a row
// without a task is left out.
func (h *Handler) saveCollaboration(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "crisisunit.protocol_title")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderCollaboration(w, r, statusOf(err), v, 0)
		return
	}
	// Rows as submitted, so errors point at them; the form numbers them
	// from 1 without gaps.
	var steps []crisisunit.Step
	var rows []int
	var errs []apperr.FieldError
	last := 0
	for n := 1; n <= 200; n++ {
		if _, ok := r.PostForm[stepField(n, "template")]; !ok {
			break
		}
		last = n
		form := formValues(v.Form)
		stage, kind := form.keep(r, stepField(n, "stage")), form.keep(r, stepField(n, "kind"))
		tpl, days := form.keep(r, stepField(n, "template")), strings.TrimSpace(form.keep(r, stepField(n, "days")))
		if tpl == "" && stage == "" && kind == "" {
			continue
		}
		d := 0
		if days != "" {
			var err error
			if d, err = strconv.Atoi(days); err != nil {
				errs = append(errs, apperr.FieldError{Field: stepField(n, "days"), Key: "crisisunit.error.bad_number"})
			}
		}
		steps = append(steps, crisisunit.Step{Stage: cases.Stage(stage), Kind: kind, Template: tpl, DueDays: d})
		rows = append(rows, n)
	}
	var err error
	if len(errs) > 0 {
		err = apperr.Validation(errs...)
	} else {
		err = h.crisisunit.SetProtocol(r.Context(), actor(r), steps)
	}
	if err != nil {
		v.FormError(remapRows(err, "step.", rows))
		h.renderCollaboration(w, r, statusOf(err), v, max(last-blankSteps, 0))
		return
	}
	http.Redirect(w, r, "/collaboration?saved=1", http.StatusSeeOther)
}
