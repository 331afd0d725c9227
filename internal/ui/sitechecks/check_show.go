package sitechecksui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// checkPage is a check with its answers, findings and actions.
type checkPage struct {
	Check    sitechecks.Check
	Contract procurement.Contract
	Site     procurement.Site
	Answers  []answerGroup
	Form     sitechecks.CheckForm
	Findings []findingRow
	// CanManage offers the forms; CanScreen the button that screens the
	// workers, when the check found signs about them.
	CanManage  bool
	CanScreen  bool
	Severities []web.Option
}

// findingRow is a finding with its text in the reader's language, and
// the printer its actions are shown with.
type findingRow struct {
	sitechecks.Finding
	Text string
	P    *i18n.Printer
}

// answerGroup is a section of the questionnaire with the questions
// answered in it.
type answerGroup struct {
	Label string
	Rows  []answerRow
}

type answerRow struct{ Question, Answer string }

// answered lists the answered questions of a state by section, each answer
// as its choice's label.
func answered(st *forms.State) []answerGroup {
	var out []answerGroup
	var add func(label string, items []forms.Item)
	add = func(label string, items []forms.Item) {
		g := answerGroup{Label: label}
		for _, it := range items {
			switch {
			case it.Type == "group":
				add(it.Label, it.Items)
			case it.Value != "" && it.Type != "note":
				text := it.Value
				for _, c := range it.Choices {
					if c.Name == it.Value {
						text = c.Label
					}
				}
				g.Rows = append(g.Rows, answerRow{Question: it.Label, Answer: text})
			}
		}
		if len(g.Rows) > 0 {
			out = append(out, g)
		}
	}
	add("", st.Items)
	return out
}

func (h *Handler) renderCheck(w http.ResponseWriter, r *http.Request, status int, v *web.View, id string) {
	ctx, a := r.Context(), page.Actor(r)
	c, err := h.checks.Check(ctx, a, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	contract, site, err := h.checks.Where(ctx, a, c)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	form, err := h.checks.FormOf(ctx, c)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	manage := access.Can(a, access.ManageProcurement)
	d := checkPage{Check: c, Contract: contract, Site: site, CanManage: manage, Form: form,
		CanScreen:  manage && access.Can(a, access.EvaluateScreening) && c.SignsAboutWorkers(),
		Answers:    answered(form.Form.Evaluate(c.Answers, v.P.Lang())),
		Severities: options("sitechecks.severity.", sitechecks.Severities())}
	for _, f := range c.FindingList {
		d.Findings = append(d.Findings, findingRow{Finding: f, Text: sitechecks.FindingText(v.P, f), P: v.P})
	}
	v.Data = d
	h.kit.Render(w, r, status, "sitecheck_show", v)
}

// showCheck is a check: the visit, the findings with their corrective
// actions, the screenings started and the answers given.
func (h *Handler) showCheck(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.check_title")
	notice(v, r)
	h.renderCheck(w, r, http.StatusOK, v, r.PathValue("id"))
}

// addFinding adds a finding to a check by hand.
func (h *Handler) addFinding(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.check_title")
	id := r.PathValue("id")
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderCheck(w, r, status, v, id) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	for _, k := range []string{"severity", "description"} {
		v.Form[k] = r.PostFormValue(k)
	}
	f, err := h.checks.AddFinding(r.Context(), page.Actor(r), id, sitechecks.FindingInput{Severity: sitechecks.Severity(v.Form["severity"]),
		Description: v.Form["description"]})
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/check-findings/"+f.ID+"?done=finding_added", http.StatusSeeOther)
}

// screen starts a screening of a worker of the checked site with the
// answers the check's signs stand for, and continues it.
func (h *Handler) screen(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	sc, err := h.checks.StartScreening(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/screenings/"+sc.ID+"/questions?page=1", http.StatusSeeOther)
}
