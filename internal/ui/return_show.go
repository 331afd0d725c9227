package ui

import (
	"net/http"
	"slices"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/returns"
	"waymark.city/waymark/internal/web"
)

// returnPage is the return tab of a case: the pre-return risk assessment
// beside the partnership's note on the destination country, the return
// itself, the confirmation of reception and the follow-ups.
type returnPage struct {
	Nav    caseNav
	Return *returns.Return
	// Country is the note on the destination country, nil when none is
	// kept; CountryCode and CountryName name the country it is about.
	Country     *returns.CountryNote
	CountryCode string
	CountryName string
	// Reachable is false for a case not at or moving to the return stage.
	Reachable bool
	// CanPlan offers the return form (until the reception is confirmed),
	// CanFollow the reception and follow-up forms.
	CanPlan   bool
	CanFollow bool
	Child     bool
	// Propose is the stage move the confirmed reception suggests, "" for
	// none; ProposeReason the reason the move is made with.
	Propose       cases.Stage
	ProposeReason string
	// The forms' choices.
	RiskLevels []web.Option
	Givers     []web.Option
	Families   []web.Option
	Escorts    []web.Option
	Outcomes   []web.Option
}

// renderReturn shows the return tab of a case, an audited view of the
// case's assistance category.
func (h *Handler) renderReturn(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	a := actor(r)
	rec, err := h.returns.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c := rec.Access.Case
	may := rec.Access.MayChange(a, access.ManageCases, cases.Assistance)
	page := returnPage{Nav: caseNavFor(v, rec.Access, "/return"), Return: rec.Return, Country: rec.Country, Child: c.Child,
		Reachable: returns.Reachable(c)}
	page.CanPlan = may && page.Reachable && (rec.Return == nil || rec.Return.ReceivedAt == nil)
	page.CanFollow = may && rec.Return != nil
	switch {
	case rec.Return != nil:
		page.CountryCode = rec.Return.Country
	case len(c.Citizenships) > 0:
		page.CountryCode = c.Citizenships[0]
	}
	page.CountryName = countryName(v, page.CountryCode)
	if rec.Return != nil && rec.Return.ReceivedAt != nil && may {
		// The reception confirmed, the case's next step is proposed, never taken.
		switch {
		case slices.Contains(c.Stage.Next(), cases.Return):
			page.Propose = cases.Return
			if c.ReflectionRunning(time.Now().UTC()) {
				page.ProposeReason = cases.PersonAskedReturn
			}
		case c.Stage == cases.Return && !c.ReflectionRunning(time.Now().UTC()):
			page.Propose, page.ProposeReason = cases.Closed, "returned"
		}
	}
	if page.CanPlan {
		page.RiskLevels = codeOptions("form.choose", "risk.level.", cases.RiskLevels())
		page.Givers = codeOptions("form.choose", "consent.given_by.", returns.Givers())
		page.Families = codeOptions("form.choose", "return.family.", returns.FamilyOutcomes())
		page.Escorts = codeOptions("form.choose", "return.escort.", returns.EscortKinds())
		fillReturnForm(v, r, rec, c)
	}
	if page.CanFollow {
		page.Outcomes = codeOptions("form.choose", "return.followup_outcome.", returns.FollowUpOutcomes())
		if v.Form["done_on"] == "" {
			v.Form["done_on"] = time.Now().UTC().Format(time.DateOnly)
		}
	}
	switch r.URL.Query().Get("done") {
	case "saved":
		v.Notice = v.P.T("return.saved")
	case "received":
		v.Notice = v.P.T("return.received_saved")
	case "followup":
		v.Notice = v.P.T("return.followup_saved")
	}
	v.Data = page
	h.shell.Render(w, r, status, "return_show", v)
}

// fillReturnForm starts the return form from the recorded return, or for
// a new one from what the case knows; a posted form keeps what was sent.
func fillReturnForm(v *web.View, r *http.Request, rec returns.Record, c cases.Case) {
	if r.Method != http.MethodGet {
		return
	}
	today := time.Now().UTC().Format(time.DateOnly)
	if rt := rec.Return; rt != nil {
		for k, val := range map[string]string{"country": rt.Country, "place": rt.Place, "receiver": rt.Receiver,
			"receiver_contact": rt.ReceiverContact, "consulate": rt.Consulate, "risk_level": rt.RiskLevel,
			"risk_assessed_on": rt.RiskAssessedOn, "risk_note": rt.RiskNote, "consent_written": "1", "consent_on": rt.ConsentOn,
			"consent_language": rt.ConsentLanguage, "consent_interpreter": flag(rt.ConsentInterpreter),
			"consent_on_file": flag(rt.ConsentOnFile), "consent_given_by": rt.ConsentGivenBy, "travel_on": rt.TravelOn,
			"family_outcome": rt.FamilyOutcome, "family_assessed_on": rt.FamilyAssessedOn, "escort_kind": rt.EscortKind,
			"escort": rt.Escort, "authority": rt.Authority} {
			v.Form[k] = val
		}
		return
	}
	if len(c.Citizenships) > 0 {
		v.Form["country"] = c.Citizenships[0]
	}
	if len(c.Languages) > 0 {
		v.Form["consent_language"] = c.Languages[0]
	}
	v.Form["consent_interpreter"] = flag(c.Interpreter)
	v.Form["consent_given_by"] = "person"
	if c.Child {
		v.Form["consent_given_by"] = "guardian"
	}
	for _, k := range []string{"risk_assessed_on", "consent_on", "family_assessed_on"} {
		v.Form[k] = today
	}
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return ""
}

// showReturn is the return tab of a case.
func (h *Handler) showReturn(w http.ResponseWriter, r *http.Request) {
	h.renderReturn(w, r, http.StatusOK, h.view(r, "return.title"))
}
