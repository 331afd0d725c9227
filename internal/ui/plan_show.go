package ui

import (
	"net/http"
	"slices"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/web"
)

// planNeedView is one need of the needs form.
type planNeedView struct {
	Code     string
	Checked  bool
	Priority string
	Error    string
}

// planActivityView is one activity with its edit form's values and errors.
type planActivityView struct {
	assistance.Activity
	Val    map[string]string
	Err    map[string]string
	Open   bool
	Fields []planField
}

// planField is one field of an activity's edit form; its id carries the
// activity's id so that many such forms fit on one page.
type planField struct {
	Name, LabelKey, Type, Value, Error string
	Options                            []web.Option
}

// planStepView is one step of the scheme with the case's activities in it.
type planStepView struct {
	Code       string
	Activities []planActivityView
}

// planTypeGroup is an optgroup of the activity type select.
type planTypeGroup struct {
	Step  string
	Types []string
}

// planReferralView is a referral with what the reader may do with it.
type planReferralView struct {
	assistance.Referral
	// AnswerByPhone: the referring organisation records the answer of a
	// provider outside Waymark.
	AnswerByPhone bool
	CanEnd        bool
	// Feedback is the referring worker's record once the referral ended;
	// CanFeedback offers the form until then.
	Feedback    *assistance.Feedback
	CanFeedback bool
}

type planPage struct {
	Nav     caseNav
	Plan    assistance.Plan
	CanEdit bool
	Needs   []planNeedView
	Steps   []planStepView
	// Form choices.
	Priorities []web.Option
	TypeGroups []planTypeGroup
	Orgs       []web.Option
	Statuses   []web.Option
	Providers  []web.Option
	Services   []providerTypeChoice
	Activities []web.Option
	Declines   []web.Option
	Ends       []web.Option
	Referrals  []planReferralView
	// Agreement and feedback choices.
	Agreements     []web.Option
	FeedbackFields []planFeedbackField
}

// planFeedbackField is one select of the feedback form on a referral.
type planFeedbackField struct {
	Name    string
	Options []web.Option
}

// renderPlan shows the assistance tab of a case: needs, the plan by the
// steps of the scheme of assistance, referrals and, for the owning
// organisation, the forms. edit names an activity whose edit form failed,
// with its errors.
func (h *Handler) renderPlan(w http.ResponseWriter, r *http.Request, status int, v *web.View, edit *planActivityView) {
	a := actor(r)
	plan, err := h.assistance.Plan(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := planPage{Nav: caseNavFor(v, plan.Access, "/plan"), Plan: plan,
		CanEdit: plan.Access.MayChange(a, access.ManageCases, cases.Assistance)}
	posted := r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/plan/needs")
	for _, code := range assistance.Needs() {
		n := planNeedView{Code: code, Priority: plan.Need(code)}
		if posted {
			n.Priority = ""
			if slices.Contains(r.PostForm["need"], code) {
				n.Priority = r.PostFormValue("priority." + code)
			}
			n.Checked = slices.Contains(r.PostForm["need"], code)
			n.Error = v.FieldErrors["priority."+code]
		} else {
			n.Checked = n.Priority != ""
		}
		page.Needs = append(page.Needs, n)
	}
	if !posted {
		v.Form["needs_note"] = plan.NeedsNote
	}
	if r.Method != http.MethodPost {
		v.Form["goals"] = plan.Goals
	}
	for _, st := range assistance.Scheme() {
		sv := planStepView{Code: st.Code}
		for _, act := range plan.Activities {
			if act.Step != st.Code {
				continue
			}
			av := planActivityView{Activity: act, Val: map[string]string{"type": act.Type, "responsible_org": act.ResponsibleOrg,
				"status": act.Status, "planned_start": act.PlannedStart, "planned_end": act.PlannedEnd, "done_on": act.DoneOn, "note": act.Note}}
			if edit != nil && edit.ID == act.ID {
				av.Val, av.Err, av.Open = edit.Val, edit.Err, true
			}
			sv.Activities = append(sv.Activities, av)
		}
		page.Steps = append(page.Steps, sv)
		page.TypeGroups = append(page.TypeGroups, planTypeGroup{Step: st.Code, Types: st.Types})
	}
	for _, ref := range plan.Referrals {
		fb := plan.Feedback[ref.ID]
		page.Referrals = append(page.Referrals, planReferralView{Referral: ref,
			AnswerByPhone: page.CanEdit && ref.Status == assistance.Pending && ref.ProviderOrg == "",
			CanEnd:        page.CanEdit && ref.Open(),
			Feedback:      fb,
			CanFeedback: page.CanEdit && fb == nil && ref.OrgID == a.OrgID &&
				(ref.Status == assistance.Ended || ref.Status == assistance.Declined)})
	}
	if page.CanEdit {
		if err := h.planChoices(r, v, &page); err != nil {
			h.fail(w, r, err)
			return
		}
		for i := range page.Steps {
			for j := range page.Steps[i].Activities {
				av := &page.Steps[i].Activities[j]
				for _, f := range []planField{{Name: "responsible_org", LabelKey: "plan.responsible", Type: "select", Options: page.Orgs},
					{Name: "status", LabelKey: "plan.status", Type: "select", Options: page.Statuses},
					{Name: "planned_start", LabelKey: "plan.planned_start", Type: "date"},
					{Name: "planned_end", LabelKey: "plan.planned_end", Type: "date"},
					{Name: "done_on", LabelKey: "plan.done_on", Type: "date"},
					{Name: "note", LabelKey: "plan.note", Type: "textarea"}} {
					f.Value, f.Error = av.Val[f.Name], av.Err[f.Name]
					av.Fields = append(av.Fields, f)
				}
			}
		}
	}
	switch r.URL.Query().Get("done") {
	case "needs":
		v.Notice = v.P.T("plan.needs_saved")
	case "activity":
		v.Notice = v.P.T("plan.activity_saved")
	case "referred":
		v.Notice = v.P.T("plan.referred")
	case "answered":
		v.Notice = v.P.T("plan.answered")
	case "ended":
		v.Notice = v.P.T("plan.ended")
	case "goals":
		v.Notice = v.P.T("plan.goals_saved")
	case "agreement":
		v.Notice = v.P.T("plan.agreement_saved")
	case "feedback":
		v.Notice = v.P.T("plan.feedback_saved")
	}
	v.Data = page
	h.shell.Render(w, r, status, "plan_show", v)
}

// planChoices fills the options of the plan's forms.
func (h *Handler) planChoices(r *http.Request, v *web.View, page *planPage) error {
	a := actor(r)
	orgs, err := h.assistance.Organisations(r.Context(), a)
	if err != nil {
		return err
	}
	providers, err := h.assistance.Providers(r.Context(), a, assistance.ProviderFilter{})
	if err != nil {
		return err
	}
	choose := web.Option{Value: "", LabelKey: "plan.choose"}
	page.Priorities = nil
	for _, p := range assistance.Priorities() {
		page.Priorities = append(page.Priorities, web.Option{Value: p, LabelKey: "assistance.priority." + p})
	}
	page.Orgs = []web.Option{choose}
	for _, o := range orgs {
		page.Orgs = append(page.Orgs, web.Option{Value: o.ID, Label: o.Name})
	}
	for _, s := range assistance.ActivityStatuses() {
		page.Statuses = append(page.Statuses, web.Option{Value: s, LabelKey: "assistance.status." + s})
	}
	page.Providers = []web.Option{choose}
	for _, p := range providers {
		label := p.Name
		if p.Shelter() {
			label += " · " + v.P.T("provider.free", "free", p.Places.Free(), "total", p.Places.Total)
		}
		page.Providers = append(page.Providers, web.Option{Value: p.ID, Label: label})
	}
	for _, t := range assistance.ProviderTypes() {
		page.Services = append(page.Services, providerTypeChoice{Code: t, Checked: slices.Contains(r.PostForm["services"], t)})
	}
	page.Activities = []web.Option{{Value: "", LabelKey: "plan.none"}}
	for _, st := range page.Steps {
		for _, act := range st.Activities {
			page.Activities = append(page.Activities, web.Option{Value: act.ID, LabelKey: "assistance.activity." + act.Type})
		}
	}
	page.Declines = []web.Option{choose}
	for _, reason := range assistance.DeclineReasons() {
		page.Declines = append(page.Declines, web.Option{Value: reason, LabelKey: "service_referral.reason." + reason})
	}
	page.Ends = []web.Option{choose}
	for _, reason := range assistance.EndReasons() {
		page.Ends = append(page.Ends, web.Option{Value: reason, LabelKey: "service_referral.reason." + reason})
	}
	page.Agreements = []web.Option{choose}
	for _, c := range assistance.Agreements() {
		page.Agreements = append(page.Agreements, web.Option{Value: c, LabelKey: "plan.agreement." + c})
	}
	page.FeedbackFields = nil
	for _, set := range []struct {
		name  string
		codes []string
	}{
		{"delivered", assistance.FeedbackDelivered()},
		{"timeliness", assistance.FeedbackTimeliness()},
		{"satisfaction", assistance.FeedbackSatisfaction()},
	} {
		f := planFeedbackField{Name: set.name, Options: []web.Option{choose}}
		for _, c := range set.codes {
			f.Options = append(f.Options, web.Option{Value: c, LabelKey: "referral_feedback." + set.name + "." + c})
		}
		page.FeedbackFields = append(page.FeedbackFields, f)
	}
	return nil
}

// showPlan is the assistance tab of a case; reading it is an audited view
// of the case's assistance category.
func (h *Handler) showPlan(w http.ResponseWriter, r *http.Request) {
	h.renderPlan(w, r, http.StatusOK, h.view(r, "plan.title"), nil)
}

// planFailed answers a refused or invalid change of the plan: a case out
// of reach is an error page, anything else the tab again with the errors.
func (h *Handler) planFailed(w http.ResponseWriter, r *http.Request, v *web.View, err error, edit *planActivityView) {
	if apperr.Is(err, apperr.NotFound) || (apperr.Is(err, apperr.Forbidden) && len(apperr.As(err).Fields) == 0 && apperr.As(err).Key == "error.forbidden") {
		h.fail(w, r, err)
		return
	}
	v.FormError(err)
	h.renderPlan(w, r, statusOf(err), v, edit)
}

// planDone redirects to the tab after a change.
func planDone(w http.ResponseWriter, r *http.Request, done, anchor string) {
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/plan?done="+done+"#"+anchor, http.StatusSeeOther)
}
