package ui

import (
	"net/http"
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
	Today  string
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
	latest := map[string]decisionView{}
	for i, d := range ref.Decisions {
		number[d.ID] = i + 1
		dv := decisionView{ID: d.ID, Number: i + 1, Stage: v.P.T("decision.stage_" + d.Stage), Outcome: v.P.T("decision.outcome_" + d.Outcome),
			Positive: d.Outcome == identification.OutcomePositive || d.Outcome == identification.OutcomeConfirmed,
			Kind:     v.P.T("decision.kind_" + d.Kind), Reviews: number[d.Reviews], DecidedOn: d.DecidedOn, DecidedBy: d.DecidedByName, Org: d.Org.Name}
		if notes != nil {
			dv.Grounds, dv.Revealed = notes.Grounds[d.ID], true
		}
		page.Decisions = append(page.Decisions, dv)
		if prev, ok := latest[d.Stage]; !ok || d.DecidedOn >= prev.DecidedOn {
			latest[d.Stage] = dv
		}
	}
	page.CanRespond = ref.Status == identification.StatusPending && ref.To.ID == a.OrgID && access.Can(a, access.RespondReferral)
	if c, ok, err := h.cases.ByOrigin(r.Context(), a, cases.FromReferral, ref.ID); err != nil {
		h.fail(w, r, err)
		return
	} else if ok {
		page.CaseID = c.ID
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
		}
		return f
	}
	if ref.Open() && access.Can(a, access.DecideGrounds) {
		page.Grounds = form("rg", identification.StageReasonableGrounds, "grounds")
	}
	if ref.Open() && access.Can(a, access.DecideStatus) {
		competent, err := svc.IsCompetent(r.Context(), a.OrgID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		rg, ok := latest[identification.StageReasonableGrounds]
		switch {
		case !competent:
			page.FormalNote = v.P.T("decision.formal_not_competent")
		case !ok || !rg.Positive:
			page.FormalNote = v.P.T("decision.formal_needs_grounds")
		default:
			page.Formal = form("vs", identification.StageVictimStatus, "status")
		}
	}
	if r.URL.Query().Get("created") == "1" {
		v.Notice = v.P.T("referral.created", "code", ref.Code)
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
