package identification_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/apperr/apperrtest"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// fixture is a running Waymark with four partners and a local protocol:
// the labour inspectorate A screens and refers, the NGO B receives adult
// labour referrals, the police C is the competent authority, and social
// services D receive child referrals for forced criminality; D is the
// third organisation of the scoping tests for A's adult referrals.
type fixture struct {
	env         *apptest.Env
	svc         *identification.Service
	screenings  *screening.Store
	a, b, c, d  string
	inspector   apptest.User // screener of A
	coordinator apptest.User // coordinator of A
	caseworker  apptest.User // case worker of B
	police      apptest.User // police contact of C
	social      apptest.User // case worker of D
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	f := &fixture{env: env, svc: env.App.Identification,
		screenings: screening.NewStore(env.App.DB, env.App.Audit, env.App.Screening)}
	f.a = env.Org("Labour Inspectorate", accounts.LabourInspectorate)
	f.b = env.Org("Safe Harbour", accounts.NGO)
	f.c = env.Org("Police Contact Point", accounts.Police)
	f.d = env.Org("Social Services", accounts.SocialServices)
	f.inspector = env.User("inspector", access.Screener, f.a)
	f.coordinator = env.User("coordinator", access.Coordinator, f.a)
	f.caseworker = env.User("caseworker", access.CaseWorker, f.b)
	f.police = env.User("police", access.PoliceContact, f.c)
	f.social = env.User("social", access.CaseWorker, f.d)
	err := f.svc.SetProtocol(context.Background(), f.coordinator.Actor, identification.Protocol{
		Routes: map[identification.RouteKey]string{
			{Purpose: "labour", Population: screening.Adult}:      f.b,
			{Purpose: "criminality", Population: screening.Child}: f.d,
		},
		Authorities: []string{f.c},
	})
	if err != nil {
		t.Fatalf("set protocol: %v", err)
	}
	return f
}

func years(n int) *int { return &n }

// labourCase gives reasonable grounds for labour exploitation of an adult.
var labourCase = map[string]screening.Answer{
	"gen.deceived_job_nature": screening.Yes, "gen.deceived_pay": screening.Yes,
	"lab.excessive_hours": screening.Yes, "lab.low_or_no_pay": screening.Yes,
	"gen.documents_held": screening.Yes, "gen.debt_bondage": screening.Yes,
}

// childCriminality gives reasonable grounds for forced criminality of a
// 15-year-old (no means needed for a child).
var childCriminality = map[string]screening.Answer{
	"beg.forced_to_beg_or_steal": screening.Yes, "beg.keeps_nothing": screening.Yes, "beg.takes_criminal_risk": screening.Yes,
	"chi.not_in_school": screening.Yes, "chi.travels_alone_unexplained": screening.Yes, "gen.threats": screening.Yes,
}

// screen runs a screening under catalogue version 1 as the inspector;
// complete finishes it. Version 1 stays: saved screenings are evaluated by
// their own version, and these tests are about referring, not the rules.
func (f *fixture) screen(t *testing.T, age int, answers map[string]screening.Answer, complete bool) string {
	t.Helper()
	return f.screenAs(t, "v1", age, answers, complete)
}

// screenAs runs a screening under the catalogue version.
func (f *fixture) screenAs(t *testing.T, version string, age int, answers map[string]screening.Answer, complete bool) string {
	t.Helper()
	ctx := context.Background()
	sc, err := f.screenings.Create(ctx, f.inspector.Actor, screening.Start{Setting: "workplace_inspection", Age: screening.Age{Years: years(age)}})
	if err != nil {
		t.Fatalf("create screening: %v", err)
	}
	// New screenings take the newest version; an older one is what a
	// screening saved before an upgrade has.
	err = f.env.App.DB.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE screenings SET catalogue_version = $1 WHERE id = $2`, version, sc.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.screenings.SaveAnswers(ctx, f.inspector.Actor, sc.ID, answers); err != nil {
		t.Fatalf("save answers: %v", err)
	}
	if complete {
		if _, err := f.screenings.Complete(ctx, f.inspector.Actor, sc.ID); err != nil {
			t.Fatalf("complete: %v", err)
		}
	}
	return sc.ID
}

// refer refers an adult labour case to org and returns the referral.
func (f *fixture) refer(t *testing.T, to, note string) identification.Referral {
	t.Helper()
	id := f.screen(t, 30, labourCase, true)
	r, err := f.svc.Refer(context.Background(), f.inspector.Actor, identification.NewReferral{
		ScreeningID: id, Purposes: []string{"labour"}, To: to, PersonAgreed: true, Note: note})
	if err != nil {
		t.Fatalf("refer: %v", err)
	}
	return r
}

func today() string { return time.Now().UTC().Format(identification.DateLayout) }

// wantCode fails unless err has the code and, for a validation error, names field.
func auditActions(t *testing.T, env *apptest.Env, id string) []string {
	t.Helper()
	entries, _, err := env.App.Audit.List(context.Background(), env.App.DB, access.SystemScope(),
		audit.Filter{SubjectID: id, Limit: audit.MaxLimit})
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		out = append(out, entries[i].Action+"/"+entries[i].Outcome)
	}
	return out
}

var personCode = regexp.MustCompile(`^WM-[234679ACDEFGHJKMNPQRTWXYZ]{4}-[234679ACDEFGHJKMNPQRTWXYZ]{4}$`)

func TestReferRequiresGroundsConsentAndPartner(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			svc := f.svc

			// A draft cannot be referred: the form says why, Refer refuses.
			draft := f.screen(t, 30, labourCase, false)
			d, err := svc.Prepare(ctx, f.inspector.Actor, draft)
			if err != nil || d.Problem != "error.referral.not_completed" {
				t.Fatalf("prepare draft: problem %q, err %v", d.Problem, err)
			}
			_, err = svc.Refer(ctx, f.inspector.Actor, identification.NewReferral{ScreeningID: draft, Purposes: []string{"labour"}, To: f.b, PersonAgreed: true})
			apperrtest.Want(t, "refer a draft", err, apperr.Conflict, "")

			// Completed with no indicator at all: nothing to refer.
			none := f.screen(t, 30, map[string]screening.Answer{}, true)
			if d, _ := svc.Prepare(ctx, f.inspector.Actor, none); d.Problem != "error.referral.no_grounds" || d.Kind != "" {
				t.Errorf("prepare without indicators: problem %q, kind %q", d.Problem, d.Kind)
			}
			_, err = svc.Refer(ctx, f.inspector.Actor, identification.NewReferral{ScreeningID: none, Purposes: []string{"labour"}, To: f.b, PersonAgreed: true})
			apperrtest.Want(t, "refer without indicators", err, apperr.Conflict, "")

			// With reasonable grounds: the protocol pre-fills the NGO and
			// the purposes with grounds are ticked.
			id := f.screen(t, 30, labourCase, true)
			d, err = svc.Prepare(ctx, f.inspector.Actor, id)
			if err != nil || d.Problem != "" || d.To != f.b || !slices.Equal(d.Purposes, []string{"labour"}) || d.Population != screening.Adult ||
				d.Kind != identification.ForReasonableGrounds {
				t.Fatalf("prepare: %+v, err %v", d, err)
			}
			base := identification.NewReferral{ScreeningID: id, Purposes: []string{"labour"}, To: f.b, PersonAgreed: true}
			for _, tc := range []struct {
				name  string
				edit  func(*identification.NewReferral)
				field string
			}{
				{"no consent", func(in *identification.NewReferral) { in.PersonAgreed = false }, "consent"},
				{"no purpose", func(in *identification.NewReferral) { in.Purposes = nil }, "purposes"},
				{"unknown purpose", func(in *identification.NewReferral) { in.Purposes = []string{"fun"} }, "purposes"},
				// Version 1's form is read on old referrals, never sent anew.
				{"version 1 form", func(in *identification.NewReferral) { in.Purposes = []string{"begging_criminality"} }, "purposes"},
				{"no organisation", func(in *identification.NewReferral) { in.To = "" }, "to"},
				{"not a partner", func(in *identification.NewReferral) { in.To = "no-such-org" }, "to"},
			} {
				in := base
				tc.edit(&in)
				_, err := svc.Refer(ctx, f.inspector.Actor, in)
				apperrtest.Want(t, tc.name, err, apperr.Invalid, tc.field)
			}
			disabled := f.env.Org("Closed Shelter", accounts.Shelter)
			if err := f.env.App.Accounts.SetOrganisationDisabled(ctx, accounts.System, disabled, true); err != nil {
				t.Fatal(err)
			}
			in := base
			in.To = disabled
			_, err = svc.Refer(ctx, f.inspector.Actor, in)
			apperrtest.Want(t, "disabled organisation", err, apperr.Invalid, "to")

			// Another organisation cannot refer A's screening: not found.
			_, err = svc.Refer(ctx, f.social.Actor, base)
			apperrtest.Want(t, "refer another organisation's screening", err, apperr.NotFound, "")

			r, err := svc.Refer(ctx, f.inspector.Actor, base)
			if err != nil {
				t.Fatalf("refer: %v", err)
			}
			if !personCode.MatchString(r.Code) || r.Status != identification.StatusPending || r.From.ID != f.a || r.To.ID != f.b ||
				r.ScreeningID != id || r.CatalogueVersion == "" || r.HasNote || r.Population != screening.Adult ||
				r.Kind != identification.ForReasonableGrounds {
				t.Errorf("referral = %+v", r)
			}
			if pr, ok := r.Result.Purpose("labour"); !ok || pr.Outcome != screening.OutcomeReasonableGrounds {
				t.Errorf("referral carries result %+v, want the labour reasonable grounds", r.Result)
			}
			if r.HTCDS != (identification.HTCDS{}) {
				t.Errorf("a new referral has HTCDS %+v; a screening is no identification", r.HTCDS)
			}
			_, err = svc.Refer(ctx, f.inspector.Actor, base)
			apperrtest.Want(t, "refer twice", err, apperr.Conflict, "")
			if d, _ := svc.Prepare(ctx, f.inspector.Actor, id); d.Problem != "error.referral.already_referred" || d.Existing == nil || d.Existing.ID != r.ID {
				t.Errorf("prepare after referral: %+v", d)
			}
			if got := auditActions(t, f.env, r.ID); !slices.Equal(got, []string{"referral.create/done"}) {
				t.Errorf("audit = %v", got)
			}

			// A child: the guardian's involvement replaces the consent, and
			// the protocol's child route applies.
			child := f.screen(t, 15, childCriminality, true)
			d, err = svc.Prepare(ctx, f.inspector.Actor, child)
			if err != nil || d.Population != screening.Child || d.To != f.d || !slices.Contains(d.Purposes, "criminality") {
				t.Fatalf("prepare child: %+v, err %v", d, err)
			}
			cin := identification.NewReferral{ScreeningID: child, Purposes: d.Purposes, To: d.To, PersonAgreed: true}
			_, err = svc.Refer(ctx, f.inspector.Actor, cin)
			apperrtest.Want(t, "child without guardian", err, apperr.Invalid, "guardian")
			cin.PersonAgreed, cin.GuardianInvolved = false, true
			cr, err := svc.Refer(ctx, f.inspector.Actor, cin)
			if err != nil || cr.Population != screening.Child || !cr.GuardianInvolved || cr.Code == r.Code {
				t.Fatalf("refer child: %+v, err %v", cr, err)
			}
		})
	}
}

func TestReferralScoping(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			r := f.refer(t, f.b, "")

			// The sending and the receiving organisation see it.
			for _, u := range []apptest.User{f.inspector, f.coordinator, f.caseworker} {
				if got, err := f.svc.Get(ctx, u.Actor, r.ID); err != nil || got.ID != r.ID {
					t.Errorf("%s: get = %v", u.Username, err)
				}
			}
			l, err := f.svc.List(ctx, f.inspector.Actor)
			if err != nil || len(l.Sent) != 1 || len(l.Received) != 0 || l.Sent[0].ID != r.ID {
				t.Errorf("sender's lists = %+v, err %v", l, err)
			}
			l, err = f.svc.List(ctx, f.caseworker.Actor)
			if err != nil || len(l.Received) != 1 || len(l.Sent) != 0 || l.Received[0].ID != r.ID {
				t.Errorf("receiver's inbox = %+v, err %v", l, err)
			}

			// A third organisation sees nothing: every way in is "not found".
			third := f.social.Actor
			_, err = f.svc.Get(ctx, third, r.ID)
			apperrtest.Want(t, "get", err, apperr.NotFound, "")
			_, err = f.svc.Accept(ctx, third, r.ID)
			apperrtest.Want(t, "accept", err, apperr.NotFound, "")
			_, err = f.svc.Decline(ctx, third, r.ID, "no_capacity")
			apperrtest.Want(t, "decline", err, apperr.NotFound, "")
			_, err = f.svc.Decide(ctx, third, r.ID, identification.NewDecision{Stage: identification.StageReasonableGrounds,
				Outcome: identification.OutcomePositive, Kind: identification.KindInitial, Grounds: "x", DecidedOn: today()})
			apperrtest.Want(t, "decide", err, apperr.NotFound, "")
			stepped := third
			stepped.SteppedUp = true
			_, err = f.svc.RevealNotes(ctx, stepped, r.ID)
			apperrtest.Want(t, "notes", err, apperr.NotFound, "")
			if l, err := f.svc.List(ctx, third); err != nil || len(l.Received)+len(l.Sent) != 0 {
				t.Errorf("third organisation's lists = %+v, err %v", l, err)
			}
			denied := 0
			for _, a := range auditActions(t, f.env, r.ID) {
				if a == "referral.view/denied" || a == "referral.accept/denied" || a == "referral.decline/denied" ||
					a == "identification.decide_grounds/denied" {
					denied++
				}
			}
			if denied != 5 {
				t.Errorf("%d refusals audited against the referral, want 5: %v", denied, auditActions(t, f.env, r.ID))
			}
			// An analyst may not see referrals at all.
			analyst := f.env.User("analyst", access.Analyst, f.a)
			_, err = f.svc.List(ctx, analyst.Actor)
			apperrtest.Want(t, "analyst list", err, apperr.Forbidden, "")
			// A procurement officer of the sending organisation reaches only
			// the referrals they made: not a colleague's.
			officer := f.env.User("buyer", access.ProcurementOfficer, f.a)
			_, err = f.svc.Get(ctx, officer.Actor, r.ID)
			apperrtest.Want(t, "officer gets a colleague's referral", err, apperr.NotFound, "")
			if l, err := f.svc.List(ctx, officer.Actor); err != nil || len(l.Received)+len(l.Sent)+len(l.Forwarded) != 0 {
				t.Errorf("officer's lists = %+v, err %v; want none", l, err)
			}
		})
	}
}

func TestAcceptAndDecline(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			r := f.refer(t, f.b, "")

			// Only the receiving organisation answers.
			_, err := f.svc.Accept(ctx, f.coordinator.Actor, r.ID)
			apperrtest.Want(t, "sender accepts", err, apperr.Forbidden, "")
			_, err = f.svc.Accept(ctx, f.inspector.Actor, r.ID)
			apperrtest.Want(t, "screener accepts", err, apperr.Forbidden, "")
			got, err := f.svc.Accept(ctx, f.caseworker.Actor, r.ID)
			if err != nil || got.Status != identification.StatusAccepted || got.RespondedBy != f.caseworker.ID || got.RespondedAt == nil {
				t.Fatalf("accept: %+v, err %v", got, err)
			}
			_, err = f.svc.Decline(ctx, f.caseworker.Actor, r.ID, "no_capacity")
			apperrtest.Want(t, "decline an accepted referral", err, apperr.Conflict, "")

			// Declining needs a reason; afterwards the screening may be
			// referred elsewhere and no decision is taken on the referral.
			r2 := f.refer(t, f.b, "")
			_, err = f.svc.Decline(ctx, f.caseworker.Actor, r2.ID, "")
			apperrtest.Want(t, "decline without reason", err, apperr.Invalid, "reason")
			got, err = f.svc.Decline(ctx, f.caseworker.Actor, r2.ID, "no_capacity")
			if err != nil || got.Status != identification.StatusDeclined || got.DeclineReason != "no_capacity" {
				t.Fatalf("decline: %+v, err %v", got, err)
			}
			_, err = f.svc.Decide(ctx, f.caseworker.Actor, r2.ID, identification.NewDecision{Stage: identification.StageReasonableGrounds,
				Outcome: identification.OutcomePositive, Kind: identification.KindInitial, Grounds: "x", DecidedOn: today()})
			apperrtest.Want(t, "decide on a declined referral", err, apperr.Conflict, "")
			if d, err := f.svc.Prepare(ctx, f.inspector.Actor, r2.ScreeningID); err != nil || d.Problem != "" {
				t.Errorf("after a decline the screening is not referable again: %q, %v", d.Problem, err)
			}
			if got := auditActions(t, f.env, r2.ID); !slices.Equal(got, []string{"referral.create/done", "referral.decline/done"}) {
				t.Errorf("audit = %v", got)
			}
		})
	}
}

func TestDecisions(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			r := f.refer(t, f.b, "")
			rg := func(outcome, kind, reviews, on string) identification.NewDecision {
				return identification.NewDecision{Stage: identification.StageReasonableGrounds, Outcome: outcome, Kind: kind,
					Reviews: reviews, Grounds: "Interview on the day of the inspection.", DecidedOn: on}
			}
			formal := func(outcome, kind, reviews string) identification.NewDecision {
				return identification.NewDecision{Stage: identification.StageVictimStatus, Outcome: outcome, Kind: kind,
					Reviews: reviews, Grounds: "Investigation findings.", DecidedOn: today()}
			}
			cw := f.caseworker.Actor
			tomorrow := time.Now().UTC().Add(48 * time.Hour).Format(identification.DateLayout)
			for _, tc := range []struct {
				name  string
				in    identification.NewDecision
				field string
			}{
				{"date in the future", rg(identification.OutcomePositive, identification.KindInitial, "", tomorrow), "decided_on"},
				{"not a date", rg(identification.OutcomePositive, identification.KindInitial, "", "22.11.2026"), "decided_on"},
				{"outcome of the other stage", rg(identification.OutcomeConfirmed, identification.KindInitial, "", today()), "outcome"},
				{"unknown kind", rg(identification.OutcomePositive, "retrial", "", today()), "kind"},
				{"review without the reviewed decision", rg(identification.OutcomePositive, identification.KindReview, "", today()), "reviews"},
				{"no grounds", identification.NewDecision{Stage: identification.StageReasonableGrounds, Outcome: identification.OutcomePositive,
					Kind: identification.KindInitial, DecidedOn: today()}, "grounds"},
				{"unknown stage", identification.NewDecision{Stage: "final"}, "stage"},
			} {
				_, err := f.svc.Decide(ctx, cw, r.ID, tc.in)
				apperrtest.Want(t, tc.name, err, apperr.Invalid, tc.field)
			}
			// Roles: a screener takes no decision.
			_, err := f.svc.Decide(ctx, f.inspector.Actor, r.ID, rg(identification.OutcomePositive, identification.KindInitial, "", today()))
			apperrtest.Want(t, "screener decides", err, apperr.Forbidden, "")
			// The formal decision needs a positive reasonable-grounds decision first.
			_, err = f.svc.Decide(ctx, f.caseworker.Actor, r.ID, formal(identification.OutcomeConfirmed, identification.KindInitial, ""))
			apperrtest.Want(t, "formal by a non-competent organisation", err, apperr.Forbidden, "")

			yesterday := time.Now().UTC().Add(-24 * time.Hour).Format(identification.DateLayout)
			first, err := f.svc.Decide(ctx, cw, r.ID, rg(identification.OutcomePositive, identification.KindInitial, "", yesterday))
			if err != nil {
				t.Fatalf("initial reasonable grounds: %v", err)
			}
			if first.Org.ID != f.b || first.DecidedBy != f.caseworker.ID {
				t.Errorf("decision = %+v, want decided by the case worker of B", first)
			}
			got, _ := f.svc.Get(ctx, f.inspector.Actor, r.ID)
			if got.HTCDS != (identification.HTCDS{TraffickingStatus: identification.PossibleVictim, DecisionMakingOrg: identification.DecisionOrgNGO}) {
				t.Errorf("after a positive RG decision HTCDS = %+v", got.HTCDS)
			}
			_, err = f.svc.Decide(ctx, cw, r.ID, rg(identification.OutcomeNegative, identification.KindInitial, "", today()))
			apperrtest.Want(t, "a second initial decision", err, apperr.Conflict, "")
			_, err = f.svc.Decide(ctx, cw, r.ID, rg(identification.OutcomeNegative, identification.KindReview, "no-such-decision", today()))
			apperrtest.Want(t, "a review of an unknown decision", err, apperr.Invalid, "reviews")
			before := time.Now().UTC().Add(-72 * time.Hour).Format(identification.DateLayout)
			_, err = f.svc.Decide(ctx, cw, r.ID, rg(identification.OutcomeNegative, identification.KindReview, first.ID, before))
			apperrtest.Want(t, "a review dated before the decision", err, apperr.Invalid, "decided_on")

			// A review is a new record; the latest decision counts.
			review, err := f.svc.Decide(ctx, cw, r.ID, rg(identification.OutcomeNegative, identification.KindReview, first.ID, today()))
			if err != nil || review.Reviews != first.ID {
				t.Fatalf("review: %+v, %v", review, err)
			}
			got, _ = f.svc.Get(ctx, f.caseworker.Actor, r.ID)
			if len(got.Decisions) != 2 || got.HTCDS.TraffickingStatus != identification.NotAVictim {
				t.Errorf("after a negative review: %d decisions, HTCDS %+v", len(got.Decisions), got.HTCDS)
			}
			// The sending organisation's coordinator (the crisis unit) appeals.
			appeal, err := f.svc.Decide(ctx, f.coordinator.Actor, r.ID, rg(identification.OutcomePositive, identification.KindAppeal, review.ID, today()))
			if err != nil {
				t.Fatalf("appeal: %v", err)
			}
			got, _ = f.svc.Get(ctx, f.caseworker.Actor, r.ID)
			if got.HTCDS != (identification.HTCDS{TraffickingStatus: identification.PossibleVictim, DecisionMakingOrg: identification.DecisionOrgNonPoliceGov}) {
				t.Errorf("after the appeal HTCDS = %+v", got.HTCDS)
			}
			_ = appeal

			// A referral straight to the competent police: formal decisions.
			pr := f.refer(t, f.c, "")
			_, err = f.svc.Decide(ctx, f.police.Actor, pr.ID, formal(identification.OutcomeConfirmed, identification.KindInitial, ""))
			apperrtest.Want(t, "formal before reasonable grounds", err, apperr.Conflict, "")
			_, err = f.svc.Decide(ctx, f.police.Actor, pr.ID, rg(identification.OutcomePositive, identification.KindInitial, "", today()))
			apperrtest.Want(t, "police contact takes the RG decision", err, apperr.Forbidden, "")
			if _, err := f.svc.Decide(ctx, f.coordinator.Actor, pr.ID, rg(identification.OutcomePositive, identification.KindInitial, "", today())); err != nil {
				t.Fatalf("RG by the sender: %v", err)
			}
			conf, err := f.svc.Decide(ctx, f.police.Actor, pr.ID, formal(identification.OutcomeConfirmed, identification.KindInitial, ""))
			if err != nil {
				t.Fatalf("formal decision: %v", err)
			}
			got, _ = f.svc.Get(ctx, f.police.Actor, pr.ID)
			if got.HTCDS != (identification.HTCDS{TraffickingStatus: identification.ActualVictim, DecisionMakingOrg: identification.DecisionOrgPolice}) {
				t.Errorf("after the formal decision HTCDS = %+v", got.HTCDS)
			}
			// The body whose decision is appealed does not decide the appeal;
			// reconsidering its own decision is a review.
			_, err = f.svc.Decide(ctx, f.police.Actor, pr.ID, formal(identification.OutcomeNotConfirmed, identification.KindAppeal, conf.ID))
			apperrtest.Want(t, "appeal decided by the same body", err, apperr.Invalid, "kind")
			if _, err := f.svc.Decide(ctx, f.police.Actor, pr.ID, formal(identification.OutcomeNotConfirmed, identification.KindReview, conf.ID)); err != nil {
				t.Fatalf("formal review: %v", err)
			}
			got, _ = f.svc.Get(ctx, f.police.Actor, pr.ID)
			if got.HTCDS.TraffickingStatus != identification.NotAVictim {
				t.Errorf("after a negative appeal HTCDS = %+v", got.HTCDS)
			}
			n := 0
			for _, a := range auditActions(t, f.env, pr.ID) {
				if a == "referral.decision/done" {
					n++
				}
			}
			if n != 3 {
				t.Errorf("%d decisions audited, want 3", n)
			}
		})
	}
}

func TestDeriveHTCDS(t *testing.T) {
	d := func(stage, outcome, on string, sec int, kind accounts.OrgKind) identification.Decision {
		return identification.Decision{Stage: stage, Outcome: outcome, DecidedOn: on,
			CreatedAt: time.Date(2026, 1, 1, 0, 0, sec, 0, time.UTC), Org: identification.Org{Kind: kind}}
	}
	const rgs, vs = identification.StageReasonableGrounds, identification.StageVictimStatus
	tests := []struct {
		name      string
		decisions []identification.Decision
		want      identification.HTCDS
	}{
		{"no decision", nil, identification.HTCDS{}},
		{"positive RG", []identification.Decision{d(rgs, identification.OutcomePositive, "2026-01-02", 1, accounts.NGO)},
			identification.HTCDS{TraffickingStatus: identification.PossibleVictim, DecisionMakingOrg: identification.DecisionOrgNGO}},
		{"negative RG", []identification.Decision{d(rgs, identification.OutcomeNegative, "2026-01-02", 1, accounts.SocialServices)},
			identification.HTCDS{TraffickingStatus: identification.NotAVictim, DecisionMakingOrg: identification.DecisionOrgNonPoliceGov}},
		{"latest RG counts", []identification.Decision{
			d(rgs, identification.OutcomeNegative, "2026-01-02", 1, accounts.NGO),
			d(rgs, identification.OutcomePositive, "2026-01-05", 2, accounts.Shelter)},
			identification.HTCDS{TraffickingStatus: identification.PossibleVictim, DecisionMakingOrg: identification.DecisionOrgNGO}},
		{"same day: recorded last counts", []identification.Decision{
			d(rgs, identification.OutcomePositive, "2026-01-05", 2, accounts.NGO),
			d(rgs, identification.OutcomeNegative, "2026-01-05", 3, accounts.Hotline)},
			identification.HTCDS{TraffickingStatus: identification.NotAVictim, DecisionMakingOrg: identification.DecisionOrgNGO}},
		{"formal confirmed beats RG", []identification.Decision{
			d(rgs, identification.OutcomePositive, "2026-01-02", 1, accounts.NGO),
			d(vs, identification.OutcomeConfirmed, "2026-02-01", 2, accounts.Police)},
			identification.HTCDS{TraffickingStatus: identification.ActualVictim, DecisionMakingOrg: identification.DecisionOrgPolice}},
		{"formal not confirmed", []identification.Decision{
			d(rgs, identification.OutcomePositive, "2026-01-02", 1, accounts.NGO),
			d(vs, identification.OutcomeNotConfirmed, "2026-02-01", 2, accounts.Prosecution)},
			identification.HTCDS{TraffickingStatus: identification.NotAVictim, DecisionMakingOrg: identification.DecisionOrgCourtOrProsecution}},
		{"formal appeal wins", []identification.Decision{
			d(vs, identification.OutcomeNotConfirmed, "2026-02-01", 2, accounts.MigrationAuthority),
			d(vs, identification.OutcomeConfirmed, "2026-03-01", 3, accounts.OtherKind),
			d(rgs, identification.OutcomeNegative, "2026-04-01", 4, accounts.NGO)},
			identification.HTCDS{TraffickingStatus: identification.ActualVictim, DecisionMakingOrg: identification.DecisionOrgOther}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := identification.Derive(tt.decisions); got != tt.want {
				t.Errorf("Derive = %+v, want %+v", got, tt.want)
			}
		})
	}
	want := map[accounts.OrgKind]string{
		accounts.Police: "Police", accounts.Prosecution: "CourtOrProsecution",
		accounts.NGO: "NGO", accounts.Shelter: "NGO", accounts.Hotline: "NGO",
		accounts.SocialServices: "NonPoliceGovernmentalOrganization", accounts.LabourInspectorate: "NonPoliceGovernmentalOrganization",
		accounts.HealthService: "NonPoliceGovernmentalOrganization", accounts.MigrationAuthority: "NonPoliceGovernmentalOrganization",
		accounts.ChildProtection: "NonPoliceGovernmentalOrganization", accounts.Municipality: "NonPoliceGovernmentalOrganization",
		accounts.OtherKind: "Other", accounts.FireInspectorate: "NonPoliceGovernmentalOrganization",
		accounts.TaxInspectorate: "NonPoliceGovernmentalOrganization", accounts.HealthInspectorate: "NonPoliceGovernmentalOrganization",
		accounts.EmploymentService: "NonPoliceGovernmentalOrganization", accounts.School: "NonPoliceGovernmentalOrganization",
		accounts.TradeUnion: "NGO", accounts.FaithBased: "NGO", accounts.MigrantCommunity: "NGO", accounts.BusinessAssociation: "Other",
	}
	for _, k := range accounts.OrgKinds {
		if got := identification.DecisionMakingOrg(k); got != want[k] {
			t.Errorf("DecisionMakingOrg(%s) = %q, want %q", k, got, want[k])
		}
	}
}

func TestProtocol(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			p, err := f.svc.Protocol(ctx, f.coordinator.Actor)
			if err != nil || p.Routes[identification.RouteKey{Purpose: "labour", Population: screening.Adult}] != f.b ||
				!p.Competent(f.c) || p.Competent(f.b) || p.UpdatedAt == nil {
				t.Fatalf("protocol = %+v, err %v", p, err)
			}
			if got := p.Receiver(screening.Adult, []string{"sexual", "labour"}); got != f.b {
				t.Errorf("receiver for sexual+labour = %q, want the labour route", got)
			}
			_, err = f.svc.Protocol(ctx, f.caseworker.Actor)
			apperrtest.Want(t, "case worker reads the protocol page", err, apperr.Forbidden, "")
			err = f.svc.SetProtocol(ctx, f.inspector.Actor, identification.Protocol{})
			apperrtest.Want(t, "screener sets the protocol", err, apperr.Forbidden, "")
			err = f.svc.SetProtocol(ctx, f.coordinator.Actor, identification.Protocol{Routes: map[identification.RouteKey]string{
				{Purpose: "sexual", Population: screening.Adult}: "no-such-org"}})
			apperrtest.Want(t, "unknown organisation", err, apperr.Invalid, "route.sexual.adult")
			err = f.svc.SetProtocol(ctx, f.coordinator.Actor, identification.Protocol{Routes: map[identification.RouteKey]string{
				{Purpose: "begging_criminality", Population: screening.Adult}: f.b}})
			apperrtest.Want(t, "version 1 form", err, apperr.Invalid, "route.begging_criminality.adult")
			err = f.svc.SetProtocol(ctx, f.coordinator.Actor, identification.Protocol{Authorities: []string{"no-such-org"}})
			apperrtest.Want(t, "unknown authority", err, apperr.Invalid, "authorities")
			// A refused change leaves the protocol as it was.
			if p2, _ := f.svc.Protocol(ctx, f.coordinator.Actor); !p2.Competent(f.c) || len(p2.Routes) != 2 {
				t.Errorf("protocol changed by a refused update: %+v", p2)
			}
			if err := f.svc.SetProtocol(ctx, f.coordinator.Actor, identification.Protocol{Authorities: []string{f.b, f.b}}); err != nil {
				t.Fatal(err)
			}
			if p3, _ := f.svc.Protocol(ctx, f.coordinator.Actor); len(p3.Routes) != 0 || !slices.Equal(p3.Authorities, []string{f.b}) {
				t.Errorf("protocol after replacing = %+v", p3)
			}
		})
	}
}

// TestPurposesAreTheCatalogues keeps the protocol's forms of exploitation
// in step with the screening: every form a result names can be referred
// (a version 1 form as the forms that replaced it), so no outcome is
// dropped from the referral form.
func TestPurposesAreTheCatalogues(t *testing.T) {
	cat, err := screening.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	res, err := cat.Evaluate(screening.Input{Setting: "workplace_inspection", Age: screening.Age{Years: years(30)}})
	if err != nil || len(res.Purposes) == 0 {
		t.Fatalf("evaluate nothing: %+v, %v", res, err)
	}
	for _, pr := range res.Purposes {
		for _, f := range identification.CurrentForms([]string{pr.Purpose}) {
			if !slices.Contains(identification.Purposes(), f) {
				t.Errorf("the screening's form %q is no referral purpose", pr.Purpose)
			}
		}
	}
}

// TestPurposesAreCaseForms: accepting a referral opens a case with the
// referral's forms, so each must be one a case can name.
func TestPurposesAreCaseForms(t *testing.T) {
	for _, p := range identification.Purposes() {
		if !slices.Contains(cases.ExploitationForms(), p) {
			t.Errorf("purpose %q is no form of exploitation of a case", p)
		}
	}
}

func TestCurrentForms(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{nil, []string{}},
		{[]string{"labour"}, []string{"labour"}},
		{[]string{"sexual", "begging_criminality", "labour"}, []string{"sexual", "begging", "criminality", "labour"}},
		{[]string{"criminality", "begging_criminality"}, []string{"criminality", "begging"}},
		{[]string{"other"}, []string{"other"}},
	} {
		if got := identification.CurrentForms(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("CurrentForms(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestNoPlaintextAtRest: the note and the grounds are in no file of the
// SQLite database, yet read back after step-up, audited.
func TestNoPlaintextAtRest(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	ctx := context.Background()
	const note, grounds = "NOTE-marker: sleeps at the restaurant", "GROUNDS-marker: passport kept by the owner"
	r := f.refer(t, f.b, note)
	if !r.HasNote {
		t.Error("referral has no note")
	}
	d, err := f.svc.Decide(ctx, f.caseworker.Actor, r.ID, identification.NewDecision{Stage: identification.StageReasonableGrounds,
		Outcome: identification.OutcomePositive, Kind: identification.KindInitial, Grounds: grounds, DecidedOn: today()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.RevealNotes(ctx, f.caseworker.Actor, r.ID)
	apperrtest.Want(t, "notes without step-up", err, apperr.StepUp, "")
	stepped := f.caseworker.Actor
	stepped.SteppedUp = true
	n, err := f.svc.RevealNotes(ctx, stepped, r.ID)
	if err != nil || n.Note != note || n.Grounds[d.ID] != grounds {
		t.Fatalf("notes = %+v, err %v", n, err)
	}
	if got := auditActions(t, f.env, r.ID); !slices.Contains(got, "referral.note_view/allowed") {
		t.Errorf("audit = %v, want the note view", got)
	}
	files, err := filepath.Glob(filepath.Join(f.env.App.Config.DataDir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("data files: %v %v", files, err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			continue // a directory
		}
		for _, marker := range []string{"NOTE-marker", "GROUNDS-marker", "sleeps at the restaurant", "passport kept"} {
			if bytes.Contains(data, []byte(marker)) {
				t.Errorf("%s holds %q in plain text", filepath.Base(name), marker)
			}
		}
	}
}

// doubtful returns answers that leave an adult's screening in doubt: one or
// two yes answers that give some form further assessment and none
// reasonable grounds. It searches the catalogue rather than naming
// questions, so the test holds whichever indicators a rules version has.
func doubtful(t *testing.T, cat *screening.Catalogue) map[string]screening.Answer {
	t.Helper()
	inDoubt := func(answers map[string]screening.Answer) bool {
		res, err := cat.Evaluate(screening.Input{Setting: "workplace_inspection", Age: screening.Age{Years: years(30)}, Answers: answers})
		if err != nil {
			return false
		}
		doubt, grounds := false, false
		for _, pr := range res.Purposes {
			doubt = doubt || pr.Outcome == screening.OutcomeFurtherAssessment
			grounds = grounds || pr.Outcome == screening.OutcomeReasonableGrounds
		}
		return doubt && !grounds
	}
	for i, a := range cat.Indicators {
		for _, b := range cat.Indicators[i:] {
			answers := map[string]screening.Answer{a.ID: screening.Yes, b.ID: screening.Yes}
			if inDoubt(answers) {
				return answers
			}
		}
	}
	t.Fatal("no one or two yes answers leave a screening in doubt")
	return nil
}

// TestReferForSpecialistAssessment: a screening in doubt (further
// assessment, no reasonable grounds) is referred for a specialist
// assessment with the same consent rules, under the newest rules and under
// version 1; the receiver answers and decides as on any referral.
func TestReferForSpecialistAssessment(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			for _, version := range []string{"v1", newest(t)} {
				t.Run(version, func(t *testing.T) { referInDoubt(t, newFixture(t, engine), version) })
			}
		})
	}
}

// newest is the catalogue version new screenings take.
func newest(t *testing.T) string {
	t.Helper()
	cat, err := screening.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	return cat.Version
}

func referInDoubt(t *testing.T, f *fixture, version string) {
	t.Helper()
	ctx := context.Background()
	cat, ok := f.screenings.Catalogue().ForVersion(version)
	if !ok {
		t.Fatalf("no catalogue %s", version)
	}
	id := f.screenAs(t, version, 30, doubtful(t, cat), true)

	d, err := f.svc.Prepare(ctx, f.inspector.Actor, id)
	if err != nil || d.Problem != "" || d.Kind != identification.ForSpecialistAssessment || len(d.Purposes) == 0 {
		t.Fatalf("prepare: %+v, err %v", d, err)
	}
	// The forms ticked are those in doubt.
	for _, p := range d.Purposes {
		doubt := false
		for _, pr := range d.Result.Purposes {
			in := slices.Contains(identification.CurrentForms([]string{pr.Purpose}), p)
			doubt = doubt || (in && pr.Outcome == screening.OutcomeFurtherAssessment)
		}
		if !doubt {
			t.Errorf("%s is ticked without further assessment", p)
		}
	}

	in := identification.NewReferral{ScreeningID: id, Purposes: d.Purposes, To: f.b}
	_, err = f.svc.Refer(ctx, f.inspector.Actor, in)
	apperrtest.Want(t, "without the person's agreement", err, apperr.Invalid, "consent")
	if l, _ := f.svc.List(ctx, f.inspector.Actor); len(l.Sent) != 0 {
		t.Fatalf("a refused referral was stored: %+v", l.Sent)
	}

	in.PersonAgreed = true
	r, err := f.svc.Refer(ctx, f.inspector.Actor, in)
	if err != nil || r.Kind != identification.ForSpecialistAssessment || !slices.Equal(r.Purposes, slices.Sorted(slices.Values(d.Purposes))) {
		t.Fatalf("refer: %+v, err %v", r, err)
	}
	l, err := f.svc.List(ctx, f.caseworker.Actor)
	if err != nil || len(l.Received) != 1 || l.Received[0].Kind != identification.ForSpecialistAssessment {
		t.Fatalf("receiver's inbox = %+v, err %v", l.Received, err)
	}
	if _, err := f.svc.Accept(ctx, f.caseworker.Actor, r.ID); err != nil {
		t.Fatalf("accept: %v", err)
	}
	if _, err := f.svc.Decide(ctx, f.caseworker.Actor, r.ID, identification.NewDecision{Stage: identification.StageReasonableGrounds,
		Outcome: identification.OutcomePositive, Kind: identification.KindInitial, Grounds: "Specialist interview.", DecidedOn: today()}); err != nil {
		t.Fatalf("decide: %v", err)
	}
	got, err := f.svc.Get(ctx, f.inspector.Actor, r.ID)
	if err != nil || got.Kind != identification.ForSpecialistAssessment || got.HTCDS.TraffickingStatus != identification.PossibleVictim {
		t.Errorf("after the decision: %+v, err %v", got, err)
	}
}

// TestAcceptVersion1Referral: a referral made under catalogue version 1
// keeps its form "begging_criminality"; accepting it opens a case with the
// forms that replaced it.
func TestAcceptVersion1Referral(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			child := f.screen(t, 15, childCriminality, true)
			r, err := f.svc.Refer(ctx, f.inspector.Actor, identification.NewReferral{ScreeningID: child, Purposes: []string{"criminality"},
				To: f.d, GuardianInvolved: true})
			if err != nil {
				t.Fatal(err)
			}
			err = f.env.App.DB.Write(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE referrals SET purposes = '["begging_criminality"]' WHERE id = $1`, r.ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.svc.Accept(ctx, f.social.Actor, r.ID)
			if err != nil || !slices.Equal(got.Purposes, []string{"begging_criminality"}) {
				t.Fatalf("accept: %+v, err %v", got, err)
			}
			c, ok, err := f.env.App.Cases.ByOrigin(ctx, f.social.Actor, cases.FromReferral, r.ID)
			if err != nil || !ok || !slices.Equal(c.Exploitation, []string{"begging", "criminality"}) {
				t.Errorf("case of the referral: %+v (found %v), err %v", c.Exploitation, ok, err)
			}
		})
	}
}
