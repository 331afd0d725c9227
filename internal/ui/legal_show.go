package ui

import (
	"net/http"
	"strconv"
	"time"

	"waymark.city/waymark/internal/legalstatus"
	"waymark.city/waymark/internal/web"
)

// legalDay is a YYYY-MM-DD date of a legal record, with its display text.
type legalDay struct {
	ISO  string
	Text string
}

// legalEdit names the record a form of the legal tab changes instead of
// recording a new one: ?permit=2&do=renew, ?asylum=1, ?proceeding=1,
// ?compensation=1, ?penalty=1, ?submission=1, ?measure=1. Only one form of each kind is on the page, so field
// names stay unique and errors land next to their field.
type legalEdit struct {
	Permit       int
	PermitDo     string // "update" or "renew"
	Asylum       int
	Proceeding   int
	Compensation int
	Penalty      int
	Submission   int
	Measure      int
}

func legalEditOf(r *http.Request) legalEdit {
	q := r.URL.Query()
	n := func(k string) int {
		v, _ := strconv.Atoi(q.Get(k))
		return max(v, 0)
	}
	e := legalEdit{Permit: n("permit"), Asylum: n("asylum"), Proceeding: n("proceeding"), Compensation: n("compensation"),
		Penalty: n("penalty"), Submission: n("submission"), Measure: n("measure"), PermitDo: q.Get("do")}
	if e.PermitDo != "renew" {
		e.PermitDo = "update"
	}
	return e
}

type legalHistoryRow struct {
	At     time.Time
	Actor  string
	What   string
	Detail string
}

// legalPage is the legal status tab of a case.
type legalPage struct {
	Nav caseNav
	O   legalstatus.Overview
	// The reflection period: days left, whether it runs, and its dates.
	Running    bool
	DaysLeft   int
	Start, End *legalDay
	Extensions []legalExtensionRow
	Permits    []legalPermitRow
	Asylum     []legalAsylumRow
	Proceed    []legalProceedingRow
	Comp       []legalCompensationRow
	Penalties  []legalPenaltyRow
	Submit     []legalSubmissionRow
	Measures   []legalMeasureRow
	// CurrentRisk is the current risk assessment, nil when there is none or
	// the reader does not see the risk category.
	CurrentRisk *legalRiskRef
	History     []legalHistoryRow
	Edit        legalEdit
	// The record each form changes, 0 for a new one; PermitRenew when the
	// permit form renews Edit.Permit.
	PermitRenew bool
	Options     map[string][]web.Option
}

type legalExtensionRow struct {
	From, To   *legalDay
	Reason     string
	RecordedAt time.Time
}

type legalPermitRow struct {
	legalstatus.Permit
	StartDay, ExpiryDay *legalDay
	Expired             bool
	Renewable           bool
	// Temporary permits show whether they allow work and study.
	Temporary bool
}

type legalAsylumRow struct {
	legalstatus.Asylum
	Applied, Decided *legalDay
}

type legalProceedingRow struct {
	legalstatus.Proceeding
	Hearing *legalDay
}

type legalPenaltyRow struct {
	legalstatus.Penalty
	On *legalDay
}

type legalSubmissionRow struct {
	legalstatus.Submission
	Submitted, Decided, Hearing *legalDay
}

type legalMeasureRow struct {
	legalstatus.Measure
	Requested, Decided, Hearing *legalDay
	// AnswersCurrentRisk is true when the measure answers the current risk
	// assessment, AnswersEarlierRisk when it answers an older one.
	AnswersCurrentRisk, AnswersEarlierRisk bool
}

// legalRiskRef names a risk assessment in the measures' form and table.
type legalRiskRef struct {
	ID, Level string
	At        time.Time
}

type legalCompensationRow struct {
	legalstatus.Compensation
	Filed            *legalDay
	Claimed, Awarded string
}

// legalOptions are the select lists of the tab's forms; each code shows
// through the message key "legalstatus.<list>.<code>".
func legalOptions() map[string][]web.Option {
	lists := map[string][]string{
		"reason": legalstatus.ExtensionReasons(), "permit_type": legalstatus.PermitTypes(), "permit_status": legalstatus.PermitStatuses(),
		"asylum_status": legalstatus.AsylumStatuses(), "role": legalstatus.ProceedingRoles(), "stage": legalstatus.ProceedingStages(),
		"cooperation": legalstatus.CooperationChoices(), "comp_type": legalstatus.CompensationTypes(), "comp_status": legalstatus.CompensationStatuses(),
		"penalty_kind": legalstatus.PenaltyKinds(), "linked": legalstatus.LinkedAnswers(), "submitter": legalstatus.Submitters(),
		"outcome": legalstatus.SubmissionOutcomes(), "measure_kind": legalstatus.MeasureKinds(), "requester": legalstatus.Requesters(),
		"measure_status": legalstatus.MeasureStatuses(),
	}
	out := map[string][]web.Option{}
	for list, codes := range lists {
		out[list] = codeOptions("form.choose", "legalstatus."+list+".", codes)
	}
	// Whether a temporary permit allows work or study may not be known yet.
	out["rights"] = codeOptions("legalstatus.rights.not_recorded", "legalstatus.rights.", []string{"yes", "no"})
	return out
}

// showLegal is the legal status tab of a case.
func (h *Handler) showLegal(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "legalstatus.title")
	if r.URL.Query().Get("saved") == "1" {
		v.Notice = v.P.T("legalstatus.saved")
	}
	h.renderLegal(w, r, http.StatusOK, v, legalEditOf(r))
}

// renderLegal shows the tab; a form that failed keeps what was typed in v.Form.
func (h *Handler) renderLegal(w http.ResponseWriter, r *http.Request, status int, v *web.View, edit legalEdit) {
	o, err := h.legalstatus.Get(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	fmtDay := func(s string) *legalDay {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil
		}
		return &legalDay{ISO: s, Text: v.P.Date(t, time.UTC)}
	}
	today := o.Today.UTC().Format(time.DateOnly)
	page := legalPage{Nav: caseNavFor(v, o.Access, "/legal"), O: o, Edit: edit, Options: legalOptions(),
		Running: o.Reflection.Running(o.Today), DaysLeft: o.Reflection.DaysLeft(o.Today),
		Start: fmtDay(o.Reflection.Start), End: fmtDay(o.Reflection.End)}
	ref := map[string]int{}
	for _, e := range o.Reflection.Extensions {
		page.Extensions = append(page.Extensions, legalExtensionRow{From: fmtDay(e.PreviousEnd), To: fmtDay(e.NewEnd),
			Reason: v.P.T("legalstatus.reason." + e.Reason), RecordedAt: e.RecordedAt})
	}
	for _, p := range o.Permits {
		ref[p.ID] = p.Number
		page.Permits = append(page.Permits, legalPermitRow{Permit: p, StartDay: fmtDay(p.Start), ExpiryDay: fmtDay(p.Expiry),
			Expired: p.Expiry != "" && p.Expiry < today, Temporary: legalstatus.Temporary(p.Type),
			Renewable: p.RenewedBy == 0 && (p.Status == "granted" || p.Status == "renewal_applied" || p.Status == "expired")})
	}
	for _, a := range o.Asylum {
		ref[a.ID] = a.Number
		page.Asylum = append(page.Asylum, legalAsylumRow{Asylum: a, Applied: fmtDay(a.AppliedOn), Decided: fmtDay(a.DecidedOn)})
	}
	for _, p := range o.Proceedings {
		ref[p.ID] = p.Number
		page.Proceed = append(page.Proceed, legalProceedingRow{Proceeding: p, Hearing: fmtDay(p.NextHearing)})
	}
	for _, c := range o.Compensation {
		ref[c.ID] = c.Number
		page.Comp = append(page.Comp, legalCompensationRow{Compensation: c, Filed: fmtDay(c.FiledOn),
			Claimed: legalstatus.FormatAmount(c.Claimed), Awarded: legalstatus.FormatAmount(c.Awarded)})
	}
	for _, p := range o.Penalties {
		ref[p.ID] = p.Number
		page.Penalties = append(page.Penalties, legalPenaltyRow{Penalty: p, On: fmtDay(p.OccurredOn)})
	}
	for _, sub := range o.Submissions {
		ref[sub.ID] = sub.Number
		page.Submit = append(page.Submit, legalSubmissionRow{Submission: sub, Submitted: fmtDay(sub.SubmittedOn),
			Decided: fmtDay(sub.DecidedOn), Hearing: fmtDay(sub.HearingOn)})
	}
	if len(o.Assessments) > 0 {
		cur := o.Assessments[0]
		page.CurrentRisk = &legalRiskRef{ID: cur.ID, Level: cur.Level, At: cur.AssessedAt}
	}
	for _, m := range o.Measures {
		ref[m.ID] = m.Number
		row := legalMeasureRow{Measure: m, Requested: fmtDay(m.RequestedOn), Decided: fmtDay(m.DecidedOn), Hearing: fmtDay(m.HearingOn)}
		if m.RiskAssessmentID != "" && page.CurrentRisk != nil {
			row.AnswersCurrentRisk = m.RiskAssessmentID == page.CurrentRisk.ID
			row.AnswersEarlierRisk = !row.AnswersCurrentRisk
		}
		page.Measures = append(page.Measures, row)
	}
	page.Options["measure_proceeding"] = []web.Option{{Value: "", LabelKey: "legalstatus.measure_no_proceeding"}}
	for _, p := range o.Proceedings {
		page.Options["measure_proceeding"] = append(page.Options["measure_proceeding"],
			web.Option{Value: p.ID, Label: v.P.T("legalstatus.proceeding_option", "number", p.Number, "stage", v.P.T("legalstatus.stage."+p.Stage))})
	}
	page.Options["measure_risk"] = []web.Option{{Value: "", LabelKey: "legalstatus.measure_no_risk"}}
	for i, as := range o.Assessments {
		key := "legalstatus.risk_option_earlier"
		if i == 0 {
			key = "legalstatus.risk_option_current"
		}
		page.Options["measure_risk"] = append(page.Options["measure_risk"], web.Option{Value: as.ID,
			Label: v.P.T(key, "level", v.P.T("risk.level."+as.Level), "date", v.P.Date(as.AssessedAt, time.UTC))})
	}
	page.Options["submission_penalty"] = []web.Option{{Value: "", LabelKey: "form.choose"}}
	for _, p := range o.Penalties {
		page.Options["submission_penalty"] = append(page.Options["submission_penalty"], web.Option{Value: strconv.Itoa(p.Number),
			Label: v.P.T("legalstatus.penalty_option", "number", p.Number, "kind", v.P.T("legalstatus.penalty_kind."+p.Kind))})
	}
	for _, e := range o.History {
		row := legalHistoryRow{At: e.At, Actor: e.Actor, What: v.P.T("legalstatus.event."+e.Kind, "number", ref[e.RefID])}
		if key := legalDetailKey(e.Kind, e.Detail); key != "" && v.P.Has(key) {
			row.Detail = v.P.T(key)
		}
		page.History = append(page.History, row)
	}
	h.prefillLegal(v, &page)
	v.Data = page
	h.shell.Render(w, r, status, "legal", v)
}

// legalDetailKey is the message key of a history entry's detail code.
func legalDetailKey(kind, detail string) string {
	list := map[string]string{
		"legal_reflection_extended": "reason", "legal_permit_recorded": "permit_status", "legal_permit_updated": "permit_status",
		"legal_permit_renewed": "permit_status", "legal_asylum_recorded": "asylum_status", "legal_asylum_updated": "asylum_status",
		"legal_proceeding_recorded": "stage", "legal_proceeding_updated": "stage",
		"legal_compensation_recorded": "comp_status", "legal_compensation_updated": "comp_status",
		"legal_penalty_recorded": "penalty_kind", "legal_penalty_updated": "penalty_kind",
		"legal_submission_recorded": "outcome", "legal_submission_updated": "outcome",
		"legal_measure_recorded": "measure_status", "legal_measure_updated": "measure_status",
	}[kind]
	if list == "" || detail == "" {
		return ""
	}
	return "legalstatus." + list + "." + detail
}

// prefillLegal fills the forms that change a record with its values,
// unless the form came back with what was typed.
func (h *Handler) prefillLegal(v *web.View, page *legalPage) {
	set := func(vals map[string]string) {
		for k, val := range vals {
			if _, typed := v.Form[k]; !typed {
				v.Form[k] = val
			}
		}
	}
	e := &page.Edit
	if e.Permit > 0 {
		found := false
		for _, p := range page.Permits {
			if p.Number != e.Permit {
				continue
			}
			found = true
			if e.PermitDo == "renew" && p.Renewable {
				page.PermitRenew = true
				set(map[string]string{"permit_type": p.Type, "permit_status": "granted", "permit_start": p.Expiry,
					"permit_allows_work": p.AllowsWork, "permit_allows_study": p.AllowsStudy})
			} else {
				e.PermitDo = "update"
				set(map[string]string{"permit_type": p.Type, "permit_status": p.Status, "permit_start": p.Start, "permit_expiry": p.Expiry,
					"permit_allows_work": p.AllowsWork, "permit_allows_study": p.AllowsStudy})
			}
		}
		if !found {
			e.Permit = 0
		}
	}
	for _, a := range page.Asylum {
		if a.Number == e.Asylum {
			set(map[string]string{"asylum_status": a.Status, "asylum_applied_on": a.AppliedOn, "asylum_decided_on": a.DecidedOn})
		}
	}
	for _, p := range page.Proceed {
		if p.Number == e.Proceeding {
			set(map[string]string{"proceeding_role": p.Role, "proceeding_stage": p.Stage, "proceeding_cooperation": p.Cooperation,
				"proceeding_next_hearing": p.NextHearing})
		}
	}
	for _, c := range page.Comp {
		if c.Number == e.Compensation {
			set(map[string]string{"compensation_type": c.Type, "compensation_status": c.Status, "compensation_filed_on": c.FiledOn,
				"compensation_currency": c.Currency, "compensation_claimed": c.Claimed, "compensation_awarded": c.Awarded})
		}
	}
	for _, p := range page.Penalties {
		if p.Number == e.Penalty {
			set(map[string]string{"penalty_kind": p.Kind, "penalty_on": p.OccurredOn, "penalty_linked": p.Linked})
		}
	}
	for _, sub := range page.Submit {
		if sub.Number == e.Submission {
			set(map[string]string{"submission_penalty": strconv.Itoa(sub.Penalty), "submission_on": sub.SubmittedOn,
				"submission_by": sub.SubmittedBy, "submission_outcome": sub.Outcome, "submission_decided_on": sub.DecidedOn,
				"submission_hearing_on": sub.HearingOn})
		}
	}
	for _, m := range page.Measures {
		if m.Number == e.Measure {
			set(map[string]string{"measure_kind": m.Kind, "measure_requested_on": m.RequestedOn, "measure_requested_by": m.RequestedBy,
				"measure_status": m.Status, "measure_decided_on": m.DecidedOn, "measure_proceeding": m.ProceedingID,
				"measure_hearing_on": m.HearingOn, "measure_risk": m.RiskAssessmentID})
		}
	}
	if e.Penalty > len(page.Penalties) {
		e.Penalty = 0
	}
	if e.Submission > len(page.Submit) {
		e.Submission = 0
	}
	if e.Measure > len(page.Measures) {
		e.Measure = 0
	}
	if e.Measure == 0 && page.CurrentRisk != nil {
		// A new measure most often answers the risk assessed now.
		set(map[string]string{"measure_risk": page.CurrentRisk.ID})
	}
	if e.Asylum > len(page.Asylum) {
		e.Asylum = 0
	}
	if e.Proceeding > len(page.Proceed) {
		e.Proceeding = 0
	}
	if e.Compensation > len(page.Comp) {
		e.Compensation = 0
	}
	set(map[string]string{"proceeding_cooperation": "undecided", "compensation_currency": "EUR"})
}

// legalFailed re-renders the tab after a form error, or shows the error
// page when the case itself cannot be reached.
func (h *Handler) legalFailed(w http.ResponseWriter, r *http.Request, v *web.View, edit legalEdit, err error) {
	h.formFailed(w, r, v, err, func(status int) { h.renderLegal(w, r, status, v, edit) })
}

// legalSaved sends the worker back to the tab, to the section changed.
func legalSaved(w http.ResponseWriter, r *http.Request, section string) {
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/legal?saved=1#"+section, http.StatusSeeOther)
}

// legalForm reads the posted form into v.Form for the fields named.
func legalForm(v *web.View, r *http.Request, names ...string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		out[n] = r.PostFormValue(n)
		v.Form[n] = out[n]
	}
	return out
}

func formNumber(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
