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
// ?compensation=1. Only one form of each kind is on the page, so field
// names stay unique and errors land next to their field.
type legalEdit struct {
	Permit       int
	PermitDo     string // "update" or "renew"
	Asylum       int
	Proceeding   int
	Compensation int
}

func legalEditOf(r *http.Request) legalEdit {
	q := r.URL.Query()
	n := func(k string) int {
		v, _ := strconv.Atoi(q.Get(k))
		return max(v, 0)
	}
	e := legalEdit{Permit: n("permit"), Asylum: n("asylum"), Proceeding: n("proceeding"), Compensation: n("compensation"), PermitDo: q.Get("do")}
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
	History    []legalHistoryRow
	Edit       legalEdit
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
}

type legalAsylumRow struct {
	legalstatus.Asylum
	Applied, Decided *legalDay
}

type legalProceedingRow struct {
	legalstatus.Proceeding
	Hearing *legalDay
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
	}
	out := map[string][]web.Option{}
	for list, codes := range lists {
		out[list] = codeOptions("form.choose", "legalstatus."+list+".", codes)
	}
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
			Expired:   p.Expiry != "" && p.Expiry < today,
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
				set(map[string]string{"permit_type": p.Type, "permit_status": "granted", "permit_start": p.Expiry})
			} else {
				e.PermitDo = "update"
				set(map[string]string{"permit_type": p.Type, "permit_status": p.Status, "permit_start": p.Start, "permit_expiry": p.Expiry})
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
