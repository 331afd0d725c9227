package ui

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/children"
	"waymark.city/waymark/internal/web"
)

// childCheck is one checkbox of a group of codes.
type childCheck struct {
	Code    string
	Checked bool
}

// childGuardianView is a guardianship with its dates as days to show.
type childGuardianView struct {
	children.Guardian
	Appointed, Ended time.Time
	Current          bool
}

// childAssessmentView is a best-interest assessment with its days.
type childAssessmentView struct {
	children.BestInterest
	Held, Review time.Time
}

type childPage struct {
	Nav     caseNav
	Child   bool
	CanEdit bool
	// Majority is the month the child turns 18 in words, Adult whether it
	// has passed.
	Majority    string
	Adult       bool
	Guardians   []childGuardianView
	Current     *childGuardianView
	Assessments []childAssessmentView
	Transition  *children.Transition
	// The forms' choices.
	Kinds        []web.Option
	Decisions    []web.Option
	Statuses     []web.Option
	Participants []childCheck
	Options      []childCheck
	Heard        bool
	// Missing are the times the child went missing, newest first, each
	// with the form for the steps not yet recorded; MissingReport is the
	// form to report the child missing, nil while a report is open.
	Missing           []childMissingView
	MissingReport     []missingGroup
	MissingReportHint string
	HotlineLabel      string
}

func childDay(s string) time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return d
}

// renderChild shows the child protection tab of a case: guardian,
// best-interest assessments and the transition at 18.
func (h *Handler) renderChild(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	a := actor(r)
	rec, err := h.children.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c := rec.Access.Case
	today := time.Now().UTC().Format(time.DateOnly)
	page := childPage{Nav: caseNavFor(v, rec.Access, "/child"), Child: c.Child, Transition: rec.Transition,
		CanEdit: rec.Access.MayChange(a, access.ManageCases, cases.Children)}
	if m := rec.MajorityMonth; m != "" {
		page.Majority = childDay(m).Format(v.P.T("child.month_format"))
		page.Adult = m[:7] < today[:7]
	}
	for _, g := range rec.Guardians {
		gv := childGuardianView{Guardian: g, Appointed: childDay(g.AppointedOn), Ended: childDay(g.EndedOn), Current: g.Current(today)}
		page.Guardians = append(page.Guardians, gv)
		if gv.Current && page.Current == nil {
			page.Current = &gv
		}
	}
	for _, b := range rec.Assessments {
		page.Assessments = append(page.Assessments, childAssessmentView{BestInterest: b, Held: childDay(b.HeldOn), Review: childDay(b.ReviewOn)})
	}
	if page.CanEdit {
		page.Kinds = codeOptions("form.choose", "child.guardian_kind.", children.GuardianKinds())
		page.Decisions = codeOptions("form.choose", "child.decision.", children.Decisions())
		page.Statuses = codeOptions("form.choose", "child.status.", children.TransitionStatuses())
		picked := strings.Fields(v.Form["participants"])
		for _, p := range children.Participants() {
			page.Participants = append(page.Participants, childCheck{Code: p, Checked: slices.Contains(picked, p)})
		}
		chosen := strings.Fields(v.Form["options"])
		if _, posted := v.Form["status"]; !posted && rec.Transition != nil {
			// The plan form starts from the saved plan.
			chosen = rec.Transition.Options
			v.Form["status"], v.Form["notes"] = rec.Transition.Status, rec.Transition.Notes
		}
		for _, o := range children.AftercareOptions() {
			page.Options = append(page.Options, childCheck{Code: o, Checked: slices.Contains(chosen, o)})
		}
		page.Heard = v.Form["child_heard"] == "1"
		for _, k := range []string{"appointed_on", "held_on", "end_on"} {
			if v.Form[k] == "" {
				v.Form[k] = today
			}
		}
	}
	fillMissing(&page, v, rec.Missing, c.Child)
	switch r.URL.Query().Get("done") {
	case "missing":
		v.Notice = v.P.T("child.missing_saved")
	case "guardian":
		v.Notice = v.P.T("child.guardian_recorded")
	case "ended":
		v.Notice = v.P.T("child.guardian_ended")
	case "assessment":
		v.Notice = v.P.T("child.assessment_recorded")
	case "transition":
		v.Notice = v.P.T("child.transition_saved")
	}
	v.Data = page
	h.shell.Render(w, r, status, "child_show", v)
}

// showChild is the child protection tab of a case; reading it is an
// audited view of the case's children category.
func (h *Handler) showChild(w http.ResponseWriter, r *http.Request) {
	h.renderChild(w, r, http.StatusOK, h.view(r, "child.title"))
}

// childFail answers a failed change of the child tab: a case out of reach is
// an error page, anything else the tab again with the form's errors.
func (h *Handler) childFail(w http.ResponseWriter, r *http.Request, v *web.View, err error) {
	h.formFailed(w, r, v, err, func(status int) { h.renderChild(w, r, status, v) })
}
