package children_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/apperr/apperrtest"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/children"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

type fixture struct {
	env     *apptest.Env
	svc     *children.Service
	worker  apptest.User // case worker of A
	police  apptest.User // police contact of A: reads cases, changes none
	outside apptest.User // case worker of B
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	a := env.Org("Child Protection Centre", accounts.SocialServices)
	b := env.Org("Elsewhere NGO", accounts.NGO)
	return &fixture{env: env, svc: env.App.Children, worker: env.User("worker", access.CaseWorker, a),
		police: env.User("police", access.PoliceContact, a), outside: env.User("outside", access.CaseWorker, b)}
}

// openCase opens a case of a 15-year-old, or of an adult.
func (f *fixture) openCase(t *testing.T, child bool) cases.Case {
	t.Helper()
	birth := "1990-01-10"
	if child {
		birth = time.Now().UTC().AddDate(-15, 0, 0).Format(time.DateOnly)
	}
	c, err := f.env.App.Cases.Open(context.Background(), f.worker.Actor, cases.NewCase{Person: cases.PersonInput{
		Person: cases.Person{GivenNames: "Ioana", FamilyName: "Testa", BirthDate: birth},
		Gender: "feminine", Citizenships: []string{"RO"}, Languages: []string{"ro"}, ContactMethod: "through_worker",
		Exploitation: []string{"begging", "criminality"}}})
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	if c.Child != child {
		t.Fatalf("case child = %v, want %v", c.Child, child)
	}
	return c
}

func day(offset int) string { return time.Now().UTC().AddDate(0, 0, offset).Format(time.DateOnly) }

// state is what a refused change must leave alone.
func (f *fixture) state(t *testing.T, caseID string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		for _, q := range []string{
			`SELECT COUNT(*) FROM child_guardians WHERE case_id = $1`,
			`SELECT COUNT(*) FROM child_guardians WHERE case_id = $1 AND ended_on <> ''`,
			`SELECT COUNT(*) FROM child_assessments WHERE case_id = $1`,
			`SELECT COUNT(*) FROM child_transitions WHERE case_id = $1`,
			`SELECT COUNT(*) FROM case_events WHERE case_id = $1`,
			`SELECT COUNT(*) FROM case_deadlines WHERE case_id = $1`,
		} {
			var v string
			if err := tx.QueryRowContext(ctx, q, caseID).Scan(&v); err != nil {
				return err
			}
			b.WriteString(v + "|")
		}
		return nil
	})
	if err != nil {
		t.Fatalf("state: %v", err)
	}
	return b.String()
}

func (f *fixture) current(t *testing.T, caseID string) (children.Guardian, bool) {
	t.Helper()
	ctx := context.Background()
	var g children.Guardian
	var ok bool
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		var err error
		g, ok, err = f.svc.CurrentGuardian(ctx, tx, caseID)
		return err
	})
	if err != nil {
		t.Fatalf("current guardian: %v", err)
	}
	return g, ok
}

func TestGuardians(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t, true)
			if _, ok := f.current(t, c.ID); ok {
				t.Error("a new case has no guardian")
			}
			// An earlier guardianship that has ended, then the lasting one.
			if _, err := f.svc.AppointGuardian(ctx, f.worker.Actor, c.ID, children.NewGuardian{Kind: "child_protection_service",
				Organisation: "Youth Office", AppointedOn: day(-60), EndedOn: day(-30)}); err != nil {
				t.Fatalf("appoint ended: %v", err)
			}
			first, err := f.svc.AppointGuardian(ctx, f.worker.Actor, c.ID, children.NewGuardian{Kind: "appointed_guardian",
				Name: "Elena Vormund", Contact: "+43 1 555 0101", AppointedOn: day(-30)})
			if err != nil {
				t.Fatalf("appoint: %v", err)
			}
			g, ok := f.current(t, c.ID)
			if !ok || g.ID != first.ID || g.Name != "Elena Vormund" || g.Contact != "+43 1 555 0101" {
				t.Errorf("current guardian = %+v, %v", g, ok)
			}
			// A new appointment ends the current one on its first day.
			second, err := f.svc.AppointGuardian(ctx, f.worker.Actor, c.ID, children.NewGuardian{Kind: "appointed_guardian",
				Name: "Jonas Vormund", AppointedOn: day(-1)})
			if err != nil {
				t.Fatalf("appoint second: %v", err)
			}
			if g, _ := f.current(t, c.ID); g.ID != second.ID {
				t.Errorf("current guardian = %s, want the second", g.ID)
			}
			rec, err := f.svc.Get(ctx, f.worker.Actor, c.ID)
			if err != nil || len(rec.Guardians) != 3 || rec.Current == nil || rec.Current.ID != second.ID {
				t.Fatalf("record: %+v, %v", rec.Guardians, err)
			}
			for _, g := range rec.Guardians {
				if g.ID == first.ID && g.EndedOn != day(-1) {
					t.Errorf("first guardianship ended %q, want %s", g.EndedOn, day(-1))
				}
			}
			// Who the guardian is is not stored in the clear.
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				rows, err := tx.QueryContext(ctx, `SELECT details FROM child_guardians WHERE case_id = $1`, c.ID)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var blob []byte
					if err := rows.Scan(&blob); err != nil {
						return err
					}
					if bytes.Contains(blob, []byte("Vormund")) || bytes.Contains(blob, []byte("Youth Office")) {
						t.Error("guardian stored in the clear")
					}
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}

			before := f.state(t, c.ID)
			for _, tt := range []struct {
				name  string
				actor access.Actor
				in    children.NewGuardian
				code  apperr.Code
				field string
			}{
				{"appointed in the future", f.worker.Actor, children.NewGuardian{Kind: "legal_guardian", Name: "X", AppointedOn: day(5)}, apperr.Invalid, "appointed_on"},
				{"end before start", f.worker.Actor, children.NewGuardian{Kind: "legal_guardian", Name: "X", AppointedOn: day(-5), EndedOn: day(-9)}, apperr.Invalid, "ended_on"},
				{"unknown kind", f.worker.Actor, children.NewGuardian{Kind: "uncle", Name: "X", AppointedOn: day(0)}, apperr.Invalid, "kind"},
				{"nobody named", f.worker.Actor, children.NewGuardian{Kind: "legal_guardian", AppointedOn: day(0)}, apperr.Invalid, "name"},
				{"name too long", f.worker.Actor, children.NewGuardian{Kind: "legal_guardian", Name: strings.Repeat("n", children.MaxName+1), AppointedOn: day(0)}, apperr.Invalid, "name"},
				{"before the current one", f.worker.Actor, children.NewGuardian{Kind: "legal_guardian", Name: "X", AppointedOn: day(-10)}, apperr.Invalid, "appointed_on"},
				{"police may not change", f.police.Actor, children.NewGuardian{Kind: "legal_guardian", Name: "X", AppointedOn: day(0)}, apperr.Forbidden, ""},
				{"other organisation", f.outside.Actor, children.NewGuardian{Kind: "legal_guardian", Name: "X", AppointedOn: day(0)}, apperr.NotFound, ""},
			} {
				_, err := f.svc.AppointGuardian(ctx, tt.actor, c.ID, tt.in)
				apperrtest.Want(t, tt.name, err, tt.code, tt.field)
			}
			apperrtest.Want(t, "end in the future", f.svc.EndGuardian(ctx, f.worker.Actor, c.ID, second.ID, day(4)), apperr.Invalid, "end_on")
			apperrtest.Want(t, "end before start", f.svc.EndGuardian(ctx, f.worker.Actor, c.ID, second.ID, day(-3)), apperr.Invalid, "end_on")
			apperrtest.Want(t, "end an ended one", f.svc.EndGuardian(ctx, f.worker.Actor, c.ID, first.ID, day(0)), apperr.Conflict, "")
			apperrtest.Want(t, "end another case's", f.svc.EndGuardian(ctx, f.worker.Actor, f.openCase(t, true).ID, second.ID, day(0)), apperr.NotFound, "")
			if after := f.state(t, c.ID); after != before {
				t.Errorf("refused changes changed the case: %s → %s", before, after)
			}
			if err := f.svc.EndGuardian(ctx, f.worker.Actor, c.ID, second.ID, day(0)); err != nil {
				t.Fatalf("end: %v", err)
			}
			if _, ok := f.current(t, c.ID); ok {
				t.Error("an ended guardianship is not current")
			}
		})
	}
}

func TestNotAChild(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t, false)
			before := f.state(t, c.ID)
			_, err := f.svc.AppointGuardian(ctx, f.worker.Actor, c.ID, children.NewGuardian{Kind: "legal_guardian", Name: "X", AppointedOn: day(0)})
			apperrtest.Want(t, "guardian of an adult", err, apperr.Conflict, "")
			if apperr.As(err).Key != "error.child.not_child" {
				t.Errorf("key = %s", apperr.As(err).Key)
			}
			_, err = f.svc.AssessBestInterest(ctx, f.worker.Actor, c.ID, children.NewBestInterest{HeldOn: day(0), Participants: []string{"case_worker"},
				Decision: "other", Outcome: "x", ReviewOn: day(30)})
			apperrtest.Want(t, "best interest of an adult", err, apperr.Conflict, "")
			_, err = f.svc.PlanTransition(ctx, f.worker.Actor, c.ID, children.TransitionInput{Status: "drafted"})
			apperrtest.Want(t, "transition of an adult", err, apperr.Conflict, "")
			if after := f.state(t, c.ID); after != before {
				t.Errorf("refused changes changed the case: %s → %s", before, after)
			}
			rec, err := f.svc.Get(ctx, f.worker.Actor, c.ID)
			if err != nil || len(rec.Guardians) != 0 || rec.Transition != nil {
				t.Errorf("record of an adult: %+v, %v", rec, err)
			}
		})
	}
}

func TestBestInterestAndTransition(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t, true)
			before := f.state(t, c.ID)
			good := children.NewBestInterest{HeldOn: day(0), Participants: []string{"child", "guardian", "psychologist"}, ChildHeard: true,
				Decision: "family_based_care", Outcome: "She wants to stay near her school; a foster family in the district.", ReviewOn: day(90)}
			for _, tt := range []struct {
				name  string
				edit  func(*children.NewBestInterest)
				field string
			}{
				{"review in the past", func(b *children.NewBestInterest) { b.ReviewOn = day(-3) }, "review_on"},
				{"no review", func(b *children.NewBestInterest) { b.ReviewOn = "" }, "review_on"},
				{"held in the future", func(b *children.NewBestInterest) { b.HeldOn = day(9) }, "held_on"},
				{"unknown participant", func(b *children.NewBestInterest) { b.Participants = []string{"neighbour"} }, "participants"},
				{"nobody took part", func(b *children.NewBestInterest) { b.Participants = nil }, "participants"},
				{"unknown decision", func(b *children.NewBestInterest) { b.Decision = "adoption_abroad" }, "decision"},
				{"no outcome", func(b *children.NewBestInterest) { b.Outcome = " " }, "outcome"},
				{"outcome too long", func(b *children.NewBestInterest) { b.Outcome = strings.Repeat("o", children.MaxText+1) }, "outcome"},
			} {
				in := good
				tt.edit(&in)
				_, err := f.svc.AssessBestInterest(ctx, f.worker.Actor, c.ID, in)
				apperrtest.Want(t, tt.name, err, apperr.Invalid, tt.field)
			}
			_, err := f.svc.AssessBestInterest(ctx, f.police.Actor, c.ID, good)
			apperrtest.Want(t, "police", err, apperr.Forbidden, "")
			_, err = f.svc.AssessBestInterest(ctx, f.outside.Actor, c.ID, good)
			apperrtest.Want(t, "other organisation", err, apperr.NotFound, "")
			_, err = f.svc.PlanTransition(ctx, f.worker.Actor, c.ID, children.TransitionInput{Status: "finished"})
			apperrtest.Want(t, "unknown status", err, apperr.Invalid, "status")
			_, err = f.svc.PlanTransition(ctx, f.worker.Actor, c.ID, children.TransitionInput{Status: "drafted", Options: []string{"lottery"}})
			apperrtest.Want(t, "unknown option", err, apperr.Invalid, "options")
			if after := f.state(t, c.ID); after != before {
				t.Errorf("refused changes changed the case: %s → %s", before, after)
			}

			if _, err := f.svc.AssessBestInterest(ctx, f.worker.Actor, c.ID, good); err != nil {
				t.Fatalf("assess: %v", err)
			}
			var due string
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var blob []byte
				if err := tx.QueryRowContext(ctx, `SELECT outcome FROM child_assessments WHERE case_id = $1`, c.ID).Scan(&blob); err != nil {
					return err
				}
				if bytes.Contains(blob, []byte("foster family")) {
					t.Error("outcome stored in the clear")
				}
				return tx.QueryRowContext(ctx, `SELECT due_on FROM case_deadlines WHERE kind = 'best_interest_review' AND ref_id = $1`, c.ID).Scan(&due)
			})
			if err != nil || due != day(90) {
				t.Errorf("best_interest_review due %q (%v), want %s", due, err, day(90))
			}

			if _, err := f.svc.PlanTransition(ctx, f.worker.Actor, c.ID, children.TransitionInput{Status: "drafted",
				Options: []string{"supported_housing", "education_training"}, Notes: "Apprenticeship with the bakery."}); err != nil {
				t.Fatalf("plan: %v", err)
			}
			if _, err := f.svc.PlanTransition(ctx, f.worker.Actor, c.ID, children.TransitionInput{Status: "agreed",
				Options: []string{"supported_housing"}, Notes: "Agreed with her and the guardian."}); err != nil {
				t.Fatalf("update plan: %v", err)
			}
			rec, err := f.svc.Get(ctx, f.worker.Actor, c.ID)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			if len(rec.Assessments) != 1 || rec.Assessments[0].Outcome != good.Outcome || !rec.Assessments[0].ChildHeard {
				t.Errorf("assessments = %+v", rec.Assessments)
			}
			if tr := rec.Transition; tr == nil || tr.Status != "agreed" || len(tr.Options) != 1 || tr.Notes != "Agreed with her and the guardian." {
				t.Errorf("transition = %+v", rec.Transition)
			}
			if rec.MajorityMonth == "" {
				t.Error("a child with a known birth date has a majority month")
			}

			// A closed case takes no change.
			if _, err := f.env.App.Cases.MoveStage(ctx, f.worker.Actor, c.ID, cases.Closed, "person_declined"); err != nil {
				t.Fatalf("close: %v", err)
			}
			before = f.state(t, c.ID)
			_, err = f.svc.AssessBestInterest(ctx, f.worker.Actor, c.ID, good)
			apperrtest.Want(t, "closed case", err, apperr.Conflict, "")
			_, err = f.svc.AppointGuardian(ctx, f.worker.Actor, c.ID, children.NewGuardian{Kind: "legal_guardian", Name: "X", AppointedOn: day(0)})
			apperrtest.Want(t, "guardian on a closed case", err, apperr.Conflict, "")
			if after := f.state(t, c.ID); after != before {
				t.Errorf("refused changes on a closed case changed it: %s → %s", before, after)
			}
		})
	}
}
