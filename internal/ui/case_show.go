package ui

import (
	"net/http"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/web"
)

type casePage struct {
	Nav          caseNav
	O            cases.Overview
	History      []historyRow
	Next         []web.Option
	CloseReasons []web.Option
	Candidates   []web.Option
	Workers      []web.Option
	Consent      *cases.ConsentRecord
	CanManage    bool
	CanReveal    bool
	// ReflectionLeft is the number of days the reflection period still runs; -1 when none runs.
	ReflectionLeft int
	// Place names where the person was met; "" when not known.
	Place string
	// Area names the area of the city the case is worked in; "" when not
	// recorded. Areas are the choices of the form that sets it.
	Area  string
	Areas []web.Option
	// MoveTo is the stage the identification of the person proposes the
	// case moves to next; "" when none.
	MoveTo string
	Today  string
}

type historyRow struct {
	From, To, Reason, By string
	At                   time.Time
}

// showCase is a case's overview: the person as codes, stage and its
// history, the next steps the lifecycle allows, team, consent and deadlines.
func (h *Handler) showCase(w http.ResponseWriter, r *http.Request) {
	h.renderCase(w, r, http.StatusOK, h.view(r, "case.title"))
}

func (h *Handler) renderCase(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	a := actor(r)
	o, err := h.cases.Overview(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c := o.Case
	now := time.Now()
	page := casePage{Nav: caseNavFor(v, o.Access, ""), O: o, ReflectionLeft: -1,
		CanManage: o.MayChange(a, access.ManageCases, cases.Profile),
		CanReveal: o.Member && o.Sees(cases.Identity) && access.Can(a, access.RevealIdentity) && c.AnonymisedAt == nil,
		Today:     now.UTC().Format(time.DateOnly)}
	if c.Place != "" {
		page.Place = h.placeLabel(v.P, c.Place)
	}
	if err := h.caseAreas(r, v, c, &page); err != nil {
		h.fail(w, r, err)
		return
	}
	if c.Origin == cases.FromReferral && page.CanManage {
		grounds, confirmed, err := h.referrals.Progress(r.Context(), c.OriginID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if next, ok := cases.Toward(c.Stage, cases.AfterIdentification(grounds, confirmed)); ok {
			page.MoveTo = string(next)
		}
	}
	if c.ReflectionRunning(now.UTC()) {
		page.ReflectionLeft = cases.DaysUntil(c.ReflectionEnd, now.UTC())
	}
	for _, hc := range o.History {
		row := historyRow{To: v.P.T("case.stage." + string(hc.To)), By: hc.ByName, At: hc.At}
		if hc.From != "" {
			row.From = v.P.T("case.stage." + string(hc.From))
		}
		if hc.Reason != "" {
			row.Reason = v.P.T("case.close_reason." + hc.Reason)
		}
		page.History = append(page.History, row)
	}
	for _, st := range c.Stage.Next() {
		page.Next = append(page.Next, web.Option{Value: string(st), LabelKey: "case.stage." + string(st)})
	}
	page.CloseReasons = codeOptions("case.close_reason_none", "case.close_reason.", append(cases.CloseReasons(), cases.PersonAskedReturn))
	page.Workers = []web.Option{{Value: "", LabelKey: "form.choose"}}
	page.Candidates = []web.Option{{Value: "", LabelKey: "form.choose"}}
	for _, m := range o.Candidates {
		label := m.Username + " · " + m.OrgName
		page.Candidates = append(page.Candidates, web.Option{Value: m.UserID, Label: label})
		if m.OrgName == c.OrgName {
			page.Workers = append(page.Workers, web.Option{Value: m.UserID, Label: label})
		}
	}
	today := now.UTC()
	for i := range o.Consents {
		if o.Consents[i].Current(today) {
			page.Consent = &o.Consents[i]
			break
		}
	}
	v.Data = page
	h.shell.Render(w, r, status, "case", v)
}
