package ui

import (
	"net/http"
	"slices"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/web"
)

// decisionView is a recorded decision in words.
type decisionView struct {
	ID        string
	Number    int
	Stage     string
	Outcome   string
	Positive  bool
	Kind      string
	Reviews   int // number of the decision it reviews; 0 for none
	DecidedOn string
	DecidedBy string
	Org       string
	// Grounds is shown only on the audited notes page.
	Grounds  string
	Revealed bool
	// Lodged: a review or appeal lodged with a body outside Waymark, whose
	// name Body is shown only on the audited notes page. Outside: the
	// outcome that body gave, recorded by DecidedBy.
	Lodged  bool
	Outside bool
	Body    string
}

// forwardView is a forward of the referral to a competent authority.
type forwardView struct {
	To, By, From string
	At           time.Time
}

// decisionForm is the form for the next decision of one stage.
type decisionForm struct {
	V        *web.View
	Prefix   string // "rg" or "vs": keeps the ids of the two forms apart
	TitleKey string
	Action   string
	Outcomes []web.Option
	// Reviews is the latest decision of the stage; when set, the form records
	// a review or appeal of it instead of an initial decision.
	Reviews       string
	ReviewsNumber int
	// PendingKind is set when the latest decision is a review or appeal
	// lodged outside Waymark: the form records its outcome, of that kind.
	PendingKind string
}

type referralPage struct {
	R          identification.Referral
	Purposes   string
	Kind       string
	Population string
	Outcomes   []string // the screening result per purpose, as referred
	Status     string
	Reason     string
	HTCDS      string
	HTCDSOrg   string
	Decisions  []decisionView
	Notes      *identification.Notes
	Sender     bool
	CanRespond bool
	Reasons    []web.Option
	Grounds    *decisionForm
	Formal     *decisionForm
	// FormalNote explains why the formal decision cannot be recorded yet.
	FormalNote string
	// CaseID is the case the referral opened in the reader's organisation.
	CaseID string
	// MoveTo is the stage the reader's case should move to now that the
	// identification has come this far; "" when none.
	MoveTo string
	// Forwards are the forwards to competent authorities; Forward offers
	// the authorities the receiving organisation may still forward to,
	// the protocol's first choice first.
	Forwards []forwardView
	Forward  []web.Option
	// ForwardedHere is true for a competent authority the referral was
	// forwarded to.
	ForwardedHere bool
	Today         string
}

// renderReferral shows a referral; notes holds the revealed free text on
// the audited notes page, nil otherwise.
func (h *Handler) renderReferral(w http.ResponseWriter, r *http.Request, status int, v *web.View, notes *identification.Notes) {
	svc := h.referrals
	a := actor(r)
	ref, err := svc.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The result is told in the words of the rules version that gave it.
	c, lang := svc.Catalogue(), v.P.Lang()
	if old, ok := c.ForVersion(ref.CatalogueVersion); ok {
		c = old
	}
	page := referralPage{R: ref, Notes: notes, Purposes: purposeList(v.P, ref.Purposes), Kind: v.P.T("referral.kind_" + ref.Kind),
		Population: c.Text("population."+ref.Population, lang, nil), Status: v.P.T("referral.status_" + ref.Status),
		Sender: ref.From.ID == a.OrgID, Today: time.Now().UTC().Format(identification.DateLayout)}
	for _, p := range ref.Result.Purposes {
		page.Outcomes = append(page.Outcomes, v.P.T("referral.purpose."+p.Purpose)+": "+c.Text("outcome."+p.Outcome, lang, nil))
	}
	if ref.DeclineReason != "" {
		page.Reason = v.P.T("referral.reason_" + ref.DeclineReason)
	}
	if s := ref.HTCDS.TraffickingStatus; s != "" {
		page.HTCDS = v.P.T("htcds.status." + s)
		page.HTCDSOrg = v.P.T("htcds.org." + ref.HTCDS.DecisionMakingOrg)
	} else {
		page.HTCDS = v.P.T("htcds.status.none")
	}
	number := map[string]int{}
	kinds := map[string]string{}
	latest := map[string]decisionView{}
	for i, d := range ref.Decisions {
		number[d.ID] = i + 1
		if d.Pending() {
			kinds[d.ID] = d.Kind
		}
		dv := decisionView{ID: d.ID, Number: i + 1, Stage: v.P.T("decision.stage_" + d.Stage), Outcome: v.P.T("decision.outcome_" + d.Outcome),
			Positive: d.Outcome == identification.OutcomePositive || d.Outcome == identification.OutcomeConfirmed,
			Kind:     v.P.T("decision.kind_" + d.Kind), Reviews: number[d.Reviews], DecidedOn: d.DecidedOn, DecidedBy: d.DecidedByName, Org: d.Org.Name,
			Lodged: d.Lodged, Outside: d.Outside}
		if notes != nil {
			dv.Grounds, dv.Body, dv.Revealed = notes.Grounds[d.ID], notes.Bodies[d.ID], true
		}
		page.Decisions = append(page.Decisions, dv)
		if prev, ok := latest[d.Stage]; !ok || d.DecidedOn >= prev.DecidedOn {
			latest[d.Stage] = dv
		}
	}
	page.CanRespond = ref.Status == identification.StatusPending && ref.To.ID == a.OrgID && access.Can(a, access.RespondReferral)
	page.ForwardedHere = a.OrgID != ref.From.ID && a.OrgID != ref.To.ID
	for _, f := range ref.Forwards {
		page.Forwards = append(page.Forwards, forwardView{To: f.To.Name, By: f.ByName, From: f.From.Name, At: f.At})
	}
	if c, ok, err := h.cases.ByOrigin(r.Context(), a, cases.FromReferral, ref.ID); err != nil {
		h.fail(w, r, err)
		return
	} else if ok {
		page.CaseID = c.ID
		if next, ok := cases.Toward(c.Stage, cases.AfterIdentification(ref.Identified())); ok && c.OrgID == a.OrgID && access.Can(a, access.ManageCases) {
			page.MoveTo = string(next)
		}
	}
	if ref.To.ID == a.OrgID && ref.Open() && ref.GroundsFound() && access.Can(a, access.RespondReferral) {
		deciders, err := svc.Deciders(r.Context(), ref)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, o := range deciders {
			sees := o.ID == ref.From.ID || o.ID == ref.To.ID || slices.ContainsFunc(ref.Forwards, func(f identification.Forward) bool { return f.To.ID == o.ID })
			if !sees {
				page.Forward = append(page.Forward, web.Option{Value: o.ID, Label: o.Name})
			}
		}
	}
	if page.CanRespond {
		page.Reasons = []web.Option{{Value: "", LabelKey: "form.choose"}}
		for _, reason := range identification.DeclineReasons() {
			page.Reasons = append(page.Reasons, web.Option{Value: reason, LabelKey: "referral.reason_" + reason})
		}
	}
	form := func(prefix, stage, action string) *decisionForm {
		f := &decisionForm{V: v, Prefix: prefix, TitleKey: "decision.stage_" + stage, Action: "/referrals/" + ref.ID + "/decisions/" + action}
		for _, o := range identification.Outcomes(stage) {
			f.Outcomes = append(f.Outcomes, web.Option{Value: o, LabelKey: "decision.outcome_" + o})
		}
		if l, ok := latest[stage]; ok {
			f.Reviews, f.ReviewsNumber = l.ID, l.Number
			if l.Lodged {
				f.PendingKind = kinds[l.ID]
			}
		}
		return f
	}
	if ref.Open() && access.Can(a, access.DecideGrounds) {
		page.Grounds = form("rg", identification.StageReasonableGrounds, "grounds")
	}
	if ref.Open() && access.Can(a, access.DecideStatus) {
		competent, err := svc.MayDecideStatus(r.Context(), a.OrgID, ref)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		// Another organisation may still record a review or appeal of the
		// formal decision lodged outside Waymark, and its outcome.
		_, decided := latest[identification.StageVictimStatus]
		switch {
		case !competent && !decided:
			page.FormalNote = v.P.T("decision.formal_not_competent")
		case !ref.GroundsFound():
			page.FormalNote = v.P.T("decision.formal_needs_grounds")
		default:
			page.Formal = form("vs", identification.StageVictimStatus, "status")
		}
	}
	if r.URL.Query().Get("created") == "1" {
		v.Notice = v.P.T("referral.created", "code", ref.Code)
	}
	if v.Form["authority"] == "" && len(page.Forward) > 0 {
		v.Form["authority"] = page.Forward[0].Value
	}
	for _, k := range []string{"rg.decided_on", "vs.decided_on"} {
		if v.Form[k] == "" {
			v.Form[k] = page.Today
		}
	}
	v.Data = page
	h.shell.Render(w, r, status, "referral", v)
}

// showReferral is a referral's page for its sending and receiving organisation.
func (h *Handler) showReferral(w http.ResponseWriter, r *http.Request) {
	h.renderReferral(w, r, http.StatusOK, h.view(r, "referral.title"), nil)
}

// showReferralNotes is the referral page with its note and the grounds of
// its decisions decrypted; it needs a recent step-up and is audited.
func (h *Handler) showReferralNotes(w http.ResponseWriter, r *http.Request) {
	svc := h.referrals
	notes, err := svc.RevealNotes(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderReferral(w, r, http.StatusOK, h.view(r, "referral.title"), &notes)
}
