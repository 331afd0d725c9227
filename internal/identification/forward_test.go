package identification_test

import (
	"context"
	"slices"
	"testing"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/apperr/apperrtest"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage/storagetest"
)

// withDeciders sets the fixture's protocol with both the police C and
// social services D as competent authorities, the police deciding for
// adults whatever the form, social services for children.
func (f *fixture) withDeciders(t *testing.T) {
	t.Helper()
	err := f.svc.SetProtocol(context.Background(), f.coordinator.Actor, identification.Protocol{
		Routes: map[identification.RouteKey]string{
			{Purpose: "labour", Population: screening.Adult}:      f.b,
			{Purpose: "criminality", Population: screening.Child}: f.d,
		},
		Authorities: []string{f.c, f.d},
		Deciders: map[identification.RouteKey]string{
			{Purpose: identification.AnyForm, Population: screening.Adult}: f.c,
			{Purpose: identification.AnyForm, Population: screening.Child}: f.d,
		},
	})
	if err != nil {
		t.Fatalf("set protocol: %v", err)
	}
}

// The demo's adult path: the inspector screens and refers to the NGO, the
// NGO accepts (its case opens with the age band, form and place), records
// reasonable grounds (the case moves on), forwards to the police, who then
// see the referral without the note and take the formal decision; the
// case is proposed the next stage towards it. The person appeals to a
// court outside Waymark: pending until its outcome is recorded.
func TestFormalDecisionReachesCompetentAuthority(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			f.withDeciders(t)
			ctx := context.Background()
			r := f.referGreenhouse(t)
			if _, err := f.svc.Accept(ctx, f.caseworker.Actor, r.ID); err != nil {
				t.Fatalf("accept: %v", err)
			}
			c, ok, err := f.env.App.Cases.ByOrigin(ctx, f.caseworker.Actor, cases.FromReferral, r.ID)
			if err != nil || !ok {
				t.Fatalf("case of the accepted referral: %v %v", ok, err)
			}
			if c.AgeBand != "25-34" || c.Child || !slices.Equal(c.Exploitation, []string{"labour"}) || c.Place != "farm" ||
				c.Stage != cases.Screening {
				t.Errorf("case opened with age %q child %v forms %v place %q stage %q", c.AgeBand, c.Child, c.Exploitation, c.Place, c.Stage)
			}

			// Before forwarding the police do not see the referral.
			_, err = f.svc.Get(ctx, f.police.Actor, r.ID)
			apperrtest.Want(t, "police before forwarding", err, apperr.NotFound, "")
			_, err = f.svc.ForwardTo(ctx, f.caseworker.Actor, r.ID, f.c)
			apperrtest.Want(t, "forward before reasonable grounds", err, apperr.Conflict, "")

			if _, err := f.svc.Decide(ctx, f.caseworker.Actor, r.ID, rgDecision(identification.OutcomePositive)); err != nil {
				t.Fatalf("reasonable grounds: %v", err)
			}
			if c, _, _ = f.env.App.Cases.ByOrigin(ctx, f.caseworker.Actor, cases.FromReferral, r.ID); c.Stage != cases.ReasonableGrounds {
				t.Errorf("case after positive reasonable grounds at %q, want %q", c.Stage, cases.ReasonableGrounds)
			}

			// Social services are a competent authority, but not for adults:
			// refused at the field, and nothing changes.
			_, err = f.svc.ForwardTo(ctx, f.caseworker.Actor, r.ID, f.d)
			apperrtest.Want(t, "forward to an authority not named for adults", err, apperr.Invalid, "authority")
			_, err = f.svc.ForwardTo(ctx, f.caseworker.Actor, r.ID, "")
			apperrtest.Want(t, "forward to nobody", err, apperr.Invalid, "authority")
			_, err = f.svc.ForwardTo(ctx, f.coordinator.Actor, r.ID, f.c)
			apperrtest.Want(t, "the sender forwards", err, apperr.Forbidden, "")
			if got, _ := f.svc.Get(ctx, f.caseworker.Actor, r.ID); len(got.Forwards) != 0 {
				t.Fatalf("refused forwards were recorded: %+v", got.Forwards)
			}
			_, err = f.svc.Get(ctx, f.social.Actor, r.ID)
			apperrtest.Want(t, "social services after a refused forward", err, apperr.NotFound, "")

			got, err := f.svc.ForwardTo(ctx, f.caseworker.Actor, r.ID, f.c)
			if err != nil || len(got.Forwards) != 1 || got.Forwards[0].To.ID != f.c || got.Forwards[0].By != f.caseworker.ID ||
				got.Forwards[0].From.ID != f.b || got.Forwards[0].At.IsZero() {
				t.Fatalf("forward: %+v, %v", got.Forwards, err)
			}
			_, err = f.svc.ForwardTo(ctx, f.caseworker.Actor, r.ID, f.c)
			apperrtest.Want(t, "forward twice", err, apperr.Invalid, "authority")

			// The police see it, listed as forwarded, with the reasonable-
			// grounds decision and the screening result, but not the note:
			// the person's consent does not cover sharing with them yet.
			seen, err := f.svc.Get(ctx, f.police.Actor, r.ID)
			if err != nil || len(seen.Decisions) != 1 || len(seen.Result.Purposes) == 0 {
				t.Fatalf("police read the forwarded referral: %+v, %v", seen, err)
			}
			l, err := f.svc.List(ctx, f.police.Actor)
			if err != nil || len(l.Forwarded) != 1 || l.Forwarded[0].ID != r.ID || len(l.Received) != 0 {
				t.Errorf("police list: %+v, %v", l, err)
			}
			stepped := f.police.Actor
			stepped.SteppedUp = true
			notes, err := f.svc.RevealNotes(ctx, stepped, r.ID)
			if err != nil || !notes.Withheld || notes.Note != "" || len(notes.Grounds) != 0 {
				t.Errorf("police notes without consent: %+v, %v", notes, err)
			}
			_, err = f.env.App.Cases.RecordConsent(ctx, f.caseworker.Actor, c.ID, cases.ConsentInput{
				Purposes: []string{cases.PurposeSharing}, Orgs: []string{f.c}, Language: "en", Method: "written", GivenBy: "person", GivenOn: today()})
			if err != nil {
				t.Fatalf("record consent: %v", err)
			}
			if notes, err = f.svc.RevealNotes(ctx, stepped, r.ID); err != nil || notes.Withheld || notes.Note == "" || len(notes.Grounds) != 1 {
				t.Errorf("police notes with consent: %+v, %v", notes, err)
			}

			formal, err := f.svc.Decide(ctx, f.police.Actor, r.ID, vsDecision(identification.OutcomeConfirmed, identification.KindInitial, "", ""))
			if err != nil {
				t.Fatalf("formal decision by the police: %v", err)
			}
			if got, _ := f.svc.Get(ctx, f.caseworker.Actor, r.ID); got.HTCDS.TraffickingStatus != identification.ActualVictim ||
				got.HTCDS.DecisionMakingOrg != identification.DecisionOrgPolice {
				t.Errorf("HTCDS after the formal decision: %+v", got.HTCDS)
			}
			// The police hold no case, so the case does not move: its page
			// proposes the reflection period on the way to the formal stage.
			c, _, _ = f.env.App.Cases.ByOrigin(ctx, f.caseworker.Actor, cases.FromReferral, r.ID)
			grounds, confirmed, err := f.svc.Progress(ctx, r.ID)
			next, ok := cases.Toward(c.Stage, cases.AfterIdentification(grounds, confirmed))
			if err != nil || c.Stage != cases.ReasonableGrounds || !ok || next != cases.Reflection {
				t.Errorf("case at %q proposes %q %v (%v)", c.Stage, next, ok, err)
			}

			// The police reconsidering their own decision is a review, not
			// an appeal; an appeal to a court is lodged outside Waymark.
			_, err = f.svc.Decide(ctx, f.police.Actor, r.ID, vsDecision(identification.OutcomeNotConfirmed, identification.KindAppeal, formal.ID, ""))
			apperrtest.Want(t, "police appeal their own decision", err, apperr.Invalid, "kind")
			_, err = f.svc.Decide(ctx, f.caseworker.Actor, r.ID, vsDecision("", identification.KindInitial, "", "Administrative Court"))
			apperrtest.Want(t, "a first decision lodged elsewhere", err, apperr.Invalid, "lodged_with")
			lodged, err := f.svc.Decide(ctx, f.caseworker.Actor, r.ID, vsDecision("", identification.KindAppeal, formal.ID, "Administrative Court"))
			if err != nil || lodged.Outcome != identification.OutcomePending || !lodged.Lodged {
				t.Fatalf("lodge an appeal: %+v, %v", lodged, err)
			}
			if got, _ := f.svc.Get(ctx, f.caseworker.Actor, r.ID); got.HTCDS.TraffickingStatus != identification.ActualVictim {
				t.Errorf("a pending appeal changed the status: %+v", got.HTCDS)
			}
			_, err = f.svc.Decide(ctx, f.caseworker.Actor, r.ID, vsDecision(identification.OutcomeNotConfirmed, identification.KindAppeal, formal.ID, ""))
			apperrtest.Want(t, "a decision past the pending appeal", err, apperr.Invalid, "reviews")
			_, err = f.svc.Decide(ctx, f.caseworker.Actor, r.ID, vsDecision(identification.OutcomeNotConfirmed, identification.KindReview, lodged.ID, ""))
			apperrtest.Want(t, "the outcome of an appeal recorded as a review", err, apperr.Invalid, "kind")
			_, err = f.svc.Decide(ctx, f.caseworker.Actor, r.ID, vsDecision("", identification.KindAppeal, lodged.ID, "Supreme Court"))
			apperrtest.Want(t, "lodge again while pending", err, apperr.Invalid, "lodged_with")
			// Only the organisation that lodged it (or a deciding authority)
			// records the court's outcome: the sender may not.
			before, _ := f.svc.Get(ctx, f.caseworker.Actor, r.ID)
			_, err = f.svc.Decide(ctx, f.coordinator.Actor, r.ID, vsDecision(identification.OutcomeConfirmed, identification.KindAppeal, lodged.ID, ""))
			apperrtest.Want(t, "the sender records an outcome of an appeal it did not lodge", err, apperr.Forbidden, "")
			if after, _ := f.svc.Get(ctx, f.caseworker.Actor, r.ID); len(after.Decisions) != len(before.Decisions) {
				t.Errorf("the refused outcome was recorded: %+v", after.Decisions)
			}
			outcome, err := f.svc.Decide(ctx, f.caseworker.Actor, r.ID, vsDecision(identification.OutcomeNotConfirmed, identification.KindAppeal, lodged.ID, ""))
			if err != nil {
				t.Fatalf("record the court's outcome: %v", err)
			}
			got, _ = f.svc.Get(ctx, f.police.Actor, r.ID)
			if got.HTCDS.TraffickingStatus != identification.NotAVictim || got.HTCDS.DecisionMakingOrg != identification.DecisionOrgOther ||
				!got.Decisions[len(got.Decisions)-1].Outside || got.Decisions[len(got.Decisions)-1].ID != outcome.ID {
				t.Errorf("after the court's outcome: %+v %+v", got.HTCDS, got.Decisions)
			}
			notes, _ = f.svc.RevealNotes(ctx, stepped, r.ID)
			if notes.Bodies[lodged.ID] != "Administrative Court" {
				t.Errorf("body of the lodged appeal: %q", notes.Bodies[lodged.ID])
			}
			if a := auditActions(t, f.env, r.ID); !slices.Contains(a, "referral.forward/done") {
				t.Errorf("forward not audited: %v", a)
			}
		})
	}
}

// The protocol's deciders must be competent authorities; a form without a
// decider falls back to its population's, and with none named every
// competent authority decides.
func TestProtocolDeciders(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			err := f.svc.SetProtocol(ctx, f.coordinator.Actor, identification.Protocol{Authorities: []string{f.c},
				Deciders: map[identification.RouteKey]string{{Purpose: "sexual", Population: screening.Adult}: f.d}})
			apperrtest.Want(t, "decider not an authority", err, apperr.Invalid, "decider.sexual.adult")
			if p, _ := f.svc.Protocol(ctx, f.coordinator.Actor); len(p.Deciders) != 0 || len(p.Routes) != 2 {
				t.Errorf("a refused protocol changed it: %+v", p)
			}
			f.withDeciders(t)
			p, err := f.svc.Protocol(ctx, f.coordinator.Actor)
			if err != nil || p.Decider("labour", screening.Adult) != f.c || p.Decider("sexual", screening.Child) != f.d ||
				!slices.Equal(p.DecidersFor(screening.Adult, []string{"begging_criminality"}), []string{f.c}) {
				t.Errorf("deciders: %+v, %v", p.Deciders, err)
			}
			none := identification.Protocol{Authorities: []string{f.c, f.d}}
			if got := none.DecidersFor(screening.Adult, []string{"labour"}); !slices.Equal(got, []string{f.c, f.d}) {
				t.Errorf("without deciders: %v", got)
			}
		})
	}
}

// greenhouse gives reasonable grounds for labour exploitation of a man of
// 31 met on a farm, under the newest rules (story 01 of the screening).
var greenhouse = map[string]screening.Answer{
	"core.documents_held": screening.Yes, "core.does_beg": screening.No, "core.does_crime": screening.No,
	"core.does_housework": screening.No, "core.does_sex": screening.No, "core.does_work": screening.Yes,
	"core.money_taken": screening.Yes, "core.threats_violence": screening.Yes, "ctl.housed_by_controller": screening.Yes,
	"work.bad_housing": screening.Yes, "work.cannot_refuse": screening.Yes, "work.excessive_hours": screening.Yes,
}

// referGreenhouse screens the greenhouse worker under the newest rules and
// refers him to the NGO B with a note.
func (f *fixture) referGreenhouse(t *testing.T) identification.Referral {
	t.Helper()
	ctx := context.Background()
	sc, err := f.screenings.Create(ctx, f.inspector.Actor, screening.Start{Setting: "farm", Age: screening.Age{Years: years(31)}})
	if err != nil {
		t.Fatalf("create screening: %v", err)
	}
	if _, err := f.screenings.SaveAnswers(ctx, f.inspector.Actor, sc.ID, greenhouse); err != nil {
		t.Fatalf("save answers: %v", err)
	}
	if _, err := f.screenings.Complete(ctx, f.inspector.Actor, sc.ID); err != nil {
		t.Fatalf("complete: %v", err)
	}
	r, err := f.svc.Refer(ctx, f.inspector.Actor, identification.NewReferral{ScreeningID: sc.ID, Purposes: []string{"labour"}, To: f.b,
		PersonAgreed: true, Note: "Met at the greenhouse gate; a cousin brought him"})
	if err != nil {
		t.Fatalf("refer: %v", err)
	}
	return r
}

func rgDecision(outcome string) identification.NewDecision {
	return identification.NewDecision{Stage: identification.StageReasonableGrounds, Outcome: outcome, Kind: identification.KindInitial,
		Grounds: "Deceived about the job, documents held", DecidedOn: today()}
}

func vsDecision(outcome, kind, reviews, lodgedWith string) identification.NewDecision {
	return identification.NewDecision{Stage: identification.StageVictimStatus, Outcome: outcome, Kind: kind, Reviews: reviews,
		Grounds: "Interview and evidence", DecidedOn: today(), LodgedWith: lodgedWith}
}
