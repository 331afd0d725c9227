package cases_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMoveRules(t *testing.T) {
	tests := []struct {
		name string
		move cases.Move
		code apperr.Code
	}{
		{"forward", cases.Move{From: cases.FirstContact, To: cases.Screening}, ""},
		{"crisis at once", cases.Move{From: cases.FirstContact, To: cases.CrisisIntervention}, ""},
		{"skip to inclusion", cases.Move{From: cases.FirstContact, To: cases.Inclusion}, apperr.Conflict},
		{"backwards", cases.Move{From: cases.LongTerm, To: cases.Screening}, apperr.Conflict},
		{"close needs reason", cases.Move{From: cases.Screening, To: cases.Closed}, apperr.Invalid},
		{"close", cases.Move{From: cases.Screening, To: cases.Closed, Reason: "lost_contact"}, ""},
		{"no return while reflecting", cases.Move{From: cases.Reflection, To: cases.Closed, Reason: "returned", ReflectionRunning: true}, apperr.Conflict},
		{"may leave while reflecting", cases.Move{From: cases.Reflection, To: cases.Closed, Reason: "person_declined", ReflectionRunning: true}, ""},
		{"returned after reflection", cases.Move{From: cases.Return, To: cases.Closed, Reason: "returned"}, ""},
		{"return starts while reflecting", cases.Move{From: cases.LongTerm, To: cases.Return, ReflectionRunning: true}, apperr.Invalid},
		{"return the person asked for while reflecting", cases.Move{From: cases.LongTerm, To: cases.Return, Reason: cases.PersonAskedReturn, ReflectionRunning: true}, ""},
		{"return after reflection", cases.Move{From: cases.LongTerm, To: cases.Return}, ""},
		{"return with a close reason", cases.Move{From: cases.LongTerm, To: cases.Return, Reason: "lost_contact"}, apperr.Invalid},
		{"unknown stage", cases.Move{From: cases.Screening, To: "nowhere"}, apperr.Invalid},
		{"closed cannot move", cases.Move{From: cases.Closed, To: cases.Screening}, apperr.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apperr.CodeOf(tt.move.Check()); got != tt.code {
				t.Errorf("got %q, want %q", got, tt.code)
			}
		})
	}
}

func TestLifecycleAndReflection(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.open(t, adult())
			for _, to := range []cases.Stage{cases.Screening, cases.ReasonableGrounds, cases.Reflection} {
				var err error
				if c, err = f.svc.MoveStage(ctx, f.worker.Actor, c.ID, to, ""); err != nil {
					t.Fatalf("move to %s: %v", to, err)
				}
			}
			a, err := f.svc.Get(ctx, f.worker.Actor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			start, _ := time.Parse(time.DateOnly, a.Case.ReflectionStart)
			end, _ := time.Parse(time.DateOnly, a.Case.ReflectionEnd)
			if days := int(end.Sub(start).Hours() / 24); days != cases.DefaultReflectionDays {
				t.Errorf("reflection period %d days", days)
			}
			dl, err := f.svc.Deadlines(ctx, f.worker.Actor, cases.DeadlineFilter{Days: 120})
			// The crisis unit's protocol adds tasks to the moves; the period's end is among the deadlines.
			if err != nil || !slices.ContainsFunc(dl, func(d cases.Deadline) bool {
				return d.Kind == "reflection_end" && d.CaseCode == c.Code && d.Due.Format(time.DateOnly) == a.Case.ReflectionEnd
			}) {
				t.Errorf("deadlines: %+v %v", dl, err)
			}
			// Closing as returned while the period runs is refused and changes nothing.
			if _, err := f.svc.MoveStage(ctx, f.worker.Actor, c.ID, cases.Closed, "returned"); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("close during reflection: %v", err)
			}
			if _, err := f.svc.MoveStage(ctx, f.worker.Actor, c.ID, cases.Inclusion, ""); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("skip: %v", err)
			}
			// Only the owner's case workers move a case.
			if _, err := f.svc.MoveStage(ctx, f.otherWorker.Actor, c.ID, cases.LongTerm, ""); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("other org: %v", err)
			}
			if _, err := f.svc.MoveStage(ctx, f.officer.Actor, c.ID, cases.LongTerm, ""); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("police: %v", err)
			}
			c, err = f.svc.MoveStage(ctx, f.worker.Actor, c.ID, cases.Closed, "person_declined")
			if err != nil || c.Stage != cases.Closed {
				t.Fatalf("close: %v", err)
			}
			if _, err := f.svc.AddNote(ctx, f.worker.Actor, c.ID, "After closing.", nil); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("note on closed case: %v", err)
			}
			c, err = f.svc.Reopen(ctx, f.worker.Actor, c.ID)
			if err != nil || c.Stage != cases.Reflection {
				t.Fatalf("reopen: %v %s", err, c.Stage)
			}
			var hist []cases.StageChange
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				hist, err = cases.History(ctx, tx, c.ID)
				return err
			})
			if err != nil || len(hist) != 6 || hist[4].To != cases.Closed || hist[4].Reason != "person_declined" || hist[5].To != cases.Reflection {
				t.Errorf("history: %+v %v", hist, err)
			}
		})
	}
}

func consentFor(orgs ...string) cases.ConsentInput {
	return cases.ConsentInput{Purposes: []string{cases.PurposeCaseManagement, cases.PurposeSharing}, Orgs: orgs,
		Categories: []string{"assistance", "crisis_unit"}, Language: "ro", Interpreter: true, Method: "written",
		GivenBy: "person", GivenOn: time.Now().UTC().Format(time.DateOnly)}
}

func TestConsentAndSharing(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.open(t, adult())
			if _, err := f.svc.AddNote(ctx, f.worker.Actor, c.ID, "Afraid of the recruiter.", nil); err != nil {
				t.Fatal(err)
			}
			share := cases.ShareInput{To: f.police, Kind: cases.KindShare, Categories: []string{"assistance"}}
			// Without consent a share is refused and nothing is stored.
			if _, err := f.svc.ShareCase(ctx, f.worker.Actor, c.ID, share); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("share without consent: %v", err)
			}
			// Bad consent forms.
			bad := consentFor(f.police)
			bad.GivenOn = time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
			if _, err := f.svc.RecordConsent(ctx, f.worker.Actor, c.ID, bad); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("consent in the future: %v", err)
			}
			bad = consentFor("no-such-org")
			if _, err := f.svc.RecordConsent(ctx, f.worker.Actor, c.ID, bad); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("consent for unknown org: %v", err)
			}
			k, err := f.svc.RecordConsent(ctx, f.worker.Actor, c.ID, consentFor(f.police))
			if err != nil {
				t.Fatal(err)
			}
			// The consent does not cover identity, so sharing it is refused.
			withID := share
			withID.Categories = []string{"assistance", "identity"}
			if _, err := f.svc.ShareCase(ctx, f.worker.Actor, c.ID, withID); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("share beyond consent: %v", err)
			}
			if _, err := f.svc.ShareCase(ctx, f.worker.Actor, c.ID, cases.ShareInput{To: "nope", Kind: cases.KindShare, Categories: []string{"assistance"}}); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("share to unknown org: %v", err)
			}
			if _, err := f.svc.ShareCase(ctx, f.worker.Actor, c.ID, cases.ShareInput{To: f.otherNGO, Kind: cases.KindShare, Categories: []string{"assistance"}}); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("share to org outside consent: %v", err)
			}
			err = f.svc.Change(ctx, f.worker.Actor, access.ManageCases, c.ID, cases.Risk, func(tx *storage.Tx, a cases.Access) error {
				return f.svc.SetRiskLevel(ctx, tx, c.ID, "high")
			})
			if err != nil {
				t.Fatal(err)
			}
			sh, err := f.svc.ShareCase(ctx, f.worker.Actor, c.ID, share)
			if err != nil {
				t.Fatal(err)
			}
			// Pending: the police do not see the case yet.
			if _, err := f.svc.Get(ctx, f.officer.Actor, c.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("pending share visible: %v", err)
			}
			if _, err := f.svc.RespondShare(ctx, f.otherWorker.Actor, sh.ID, true, ""); err == nil {
				t.Error("another organisation accepted the share")
			}
			// Police contacts do not answer shares; a case worker of the police organisation does.
			policeWorker := f.env.User("policecw", access.CaseWorker, f.police)
			if _, err := f.svc.RespondShare(ctx, policeWorker.Actor, sh.ID, true, ""); err != nil {
				t.Fatal(err)
			}
			a, err := f.svc.Get(ctx, f.officer.Actor, c.ID)
			if err != nil || a.Owner || !a.Sees(cases.Assistance) || a.Sees(cases.Identity) || a.Sees(cases.Notes) {
				t.Fatalf("shared access: %+v %v", a, err)
			}
			if _, _, err := f.svc.Timeline(ctx, f.officer.Actor, c.ID, true, 0); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("notes visible to receiver: %v", err)
			}
			if _, _, err := f.svc.RevealPerson(ctx, stepped(f.officer.Actor), c.ID); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("identity visible to receiver: %v", err)
			}
			page, err := f.svc.List(ctx, f.officer.Actor, cases.Filter{})
			if err != nil || len(page.Cases) != 1 {
				t.Errorf("receiver's list: %d %v", len(page.Cases), err)
			}
			// Risk was not shared: the receiver neither sees the level nor finds the case by it.
			if a.Case.RiskLevel != "" || page.Cases[0].RiskLevel != "" {
				t.Errorf("the receiver sees the risk level %q", a.Case.RiskLevel)
			}
			if page, err := f.svc.List(ctx, f.officer.Actor, cases.Filter{Risk: "high"}); err != nil || len(page.Cases) != 0 {
				t.Errorf("the receiver finds the case by its risk: %d %v", len(page.Cases), err)
			}
			if page, err := f.svc.List(ctx, f.worker.Actor, cases.Filter{Risk: "high"}); err != nil || len(page.Cases) != 1 || page.Cases[0].RiskLevel != "high" {
				t.Errorf("the owner's risk filter: %v", err)
			}
			// Withdrawing the consent ends the share at once.
			if err := f.svc.WithdrawConsent(ctx, f.worker.Actor, c.ID, k.ID, time.Now().UTC().Format(time.DateOnly)); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Get(ctx, f.officer.Actor, c.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("share survived withdrawal: %v", err)
			}
		})
	}
}

func stepped(a access.Actor) access.Actor {
	a.SteppedUp = true
	return a
}

func TestChildConsentAndTransfer(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			in := adult()
			in.BirthDate = time.Now().AddDate(-17, -2, 0).Format(time.DateOnly)
			c := f.open(t, in)
			if !c.Child {
				t.Fatal("not a child")
			}
			k := consentFor(f.otherNGO)
			if _, err := f.svc.RecordConsent(ctx, f.worker.Actor, c.ID, k); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("child's own consent accepted: %v", err)
			}
			k.GivenBy, k.ChildHeard, k.BestInterest = "guardian", true, true
			k.Categories = append(k.Categories, "identity", "notes", "risk", "legal", "children", "identification")
			if _, err := f.svc.RecordConsent(ctx, f.worker.Actor, c.ID, k); err != nil {
				t.Fatal(err)
			}
			sh, err := f.svc.ShareCase(ctx, f.worker.Actor, c.ID, cases.ShareInput{To: f.otherNGO, Kind: cases.KindTransfer})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.RespondShare(ctx, f.otherWorker.Actor, sh.ID, true, ""); err != nil {
				t.Fatal(err)
			}
			a, err := f.svc.Get(ctx, f.otherWorker.Actor, c.ID)
			if err != nil || !a.Owner || a.Case.WorkerID != f.otherWorker.ID || !a.Member {
				t.Fatalf("after transfer: %+v %v", a.Case, err)
			}
			if _, err := f.svc.Get(ctx, f.worker.Actor, c.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("old owner still sees the case: %v", err)
			}
			// Name search follows the case to its new owner.
			for who, want := range map[string]int{"new owner": 1, "old owner": 0} {
				actor := f.otherWorker.Actor
				if who == "old owner" {
					actor = f.worker.Actor
				}
				if page, err := f.svc.List(ctx, actor, cases.Filter{Query: "kovacevic"}); err != nil || len(page.Cases) != want {
					t.Errorf("%s's name search: %d cases, %v", who, len(page.Cases), err)
				}
			}
			dl, err := f.svc.Deadlines(ctx, f.otherWorker.Actor, cases.DeadlineFilter{Days: 366})
			if err != nil || !slices.ContainsFunc(dl, func(d cases.Deadline) bool { return d.Kind == "turning_18" && d.CaseID == c.ID }) {
				t.Errorf("deadlines moved with the case: %+v %v", dl, err)
			}
			_, p, err := f.svc.RevealPerson(ctx, stepped(f.otherWorker.Actor), c.ID)
			if err != nil || p.FamilyName != "Kovačević" {
				t.Errorf("reveal after transfer: %+v %v", p, err)
			}
			if _, _, err := f.svc.RevealPerson(ctx, f.otherWorker.Actor, c.ID); !apperr.Is(err, apperr.StepUp) {
				t.Errorf("reveal without step-up: %v", err)
			}
		})
	}
}
