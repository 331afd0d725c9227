package risk_test

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
	"waymark.city/waymark/internal/risk"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

type fixture struct {
	env     *apptest.Env
	svc     *risk.Service
	worker  apptest.User // case worker of A
	police  apptest.User // police contact of A: may read cases, not change them
	outside apptest.User // case worker of B
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	a := env.Org("Safe Harbour", accounts.NGO)
	b := env.Org("Other Town Social Services", accounts.SocialServices)
	return &fixture{env: env, svc: env.App.Risk, worker: env.User("worker", access.CaseWorker, a),
		police: env.User("police", access.PoliceContact, a), outside: env.User("outside", access.CaseWorker, b)}
}

func (f *fixture) openCase(t *testing.T) cases.Case {
	t.Helper()
	c, err := f.env.App.Cases.Open(context.Background(), f.worker.Actor, cases.NewCase{Person: cases.PersonInput{
		Person: cases.Person{GivenNames: "Ana", FamilyName: "Testa", BirthDate: "1994-03-02"},
		Gender: "feminine", Citizenships: []string{"RO"}, Languages: []string{"ro"}, ContactMethod: "through_worker",
		Exploitation: []string{"labour"}}})
	if err != nil {
		t.Fatalf("open case: %v", err)
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
			`SELECT COUNT(*) FROM risk_assessments WHERE case_id = $1`,
			`SELECT COUNT(*) FROM risk_incidents WHERE case_id = $1`,
			`SELECT COUNT(*) FROM case_events WHERE case_id = $1`,
			`SELECT COUNT(*) FROM case_deadlines WHERE case_id = $1`,
			`SELECT risk_level FROM cases WHERE id = $1`,
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

func (f *fixture) deadline(t *testing.T, caseID string) string {
	t.Helper()
	ctx := context.Background()
	var due string
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT due_on FROM case_deadlines WHERE kind = 'risk_review' AND ref_id = $1`, caseID).Scan(&due)
	})
	if err != nil {
		t.Fatalf("risk_review deadline: %v", err)
	}
	return due
}

func TestAssessment(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t)

			for _, level := range cases.RiskLevels() {
				a, err := f.svc.Assess(ctx, f.worker.Actor, c.ID, risk.NewAssessment{Level: level, Factors: []string{"threatened", "threatened", "no_livelihood"}})
				if err != nil {
					t.Fatalf("assess %s: %v", level, err)
				}
				if want := day(risk.ReviewDays(level)); a.ReviewOn != want || f.deadline(t, c.ID) != want {
					t.Errorf("%s: review %s, deadline %s, want %s", level, a.ReviewOn, f.deadline(t, c.ID), want)
				}
				if len(a.Factors) != 2 {
					t.Errorf("factors = %v, want the duplicate dropped", a.Factors)
				}
			}
			secret := "The uncle of the recruiter works at the bus station."
			if _, err := f.svc.Assess(ctx, f.worker.Actor, c.ID, risk.NewAssessment{Level: "high", Summary: secret, ReviewOn: day(3)}); err != nil {
				t.Fatalf("assess: %v", err)
			}
			got, err := f.env.App.Cases.Get(ctx, f.worker.Actor, c.ID)
			if err != nil || got.Case.RiskLevel != "high" {
				t.Errorf("case risk level = %q (%v), want high", got.Case.RiskLevel, err)
			}
			if due := f.deadline(t, c.ID); due != day(3) {
				t.Errorf("deadline = %s, want the chosen %s", due, day(3))
			}
			rec, err := f.svc.Get(ctx, f.worker.Actor, c.ID)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			if rec.Current == nil || rec.Current.Level != "high" || rec.Current.Summary != secret || len(rec.History) != 4 || rec.NeedsReview {
				t.Errorf("record = current %+v, %d in history, needs review %v", rec.Current, len(rec.History), rec.NeedsReview)
			}
			// The police contact of the organisation may read it.
			if _, err := f.svc.Get(ctx, f.police.Actor, c.ID); err != nil {
				t.Errorf("police read: %v", err)
			}
			// The summary is not stored in the clear.
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				rows, err := tx.QueryContext(ctx, `SELECT summary FROM risk_assessments WHERE case_id = $1 AND summary IS NOT NULL`, c.ID)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var blob []byte
					if err := rows.Scan(&blob); err != nil {
						return err
					}
					if bytes.Contains(blob, []byte("bus station")) {
						t.Error("summary stored in the clear")
					}
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			var current risk.Assessment
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var ok bool
				current, ok, err = risk.Current(ctx, tx, c.ID)
				if !ok {
					t.Error("Current found nothing")
				}
				return err
			})
			if err != nil || current.Level != "high" || current.Summary != "" {
				t.Errorf("Current = %+v, %v; want high without the summary", current, err)
			}
		})
	}
}

func TestAssessmentRefused(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t)
			before := f.state(t, c.ID)
			for _, tt := range []struct {
				name  string
				actor access.Actor
				in    risk.NewAssessment
				code  apperr.Code
				field string
			}{
				{"review in the past", f.worker.Actor, risk.NewAssessment{Level: "high", ReviewOn: day(-2)}, apperr.Invalid, "review_on"},
				{"review not a date", f.worker.Actor, risk.NewAssessment{Level: "high", ReviewOn: "next week"}, apperr.Invalid, "review_on"},
				{"review years away", f.worker.Actor, risk.NewAssessment{Level: "low", ReviewOn: day(800)}, apperr.Invalid, "review_on"},
				{"unknown level", f.worker.Actor, risk.NewAssessment{Level: "extreme"}, apperr.Invalid, "level"},
				{"no level", f.worker.Actor, risk.NewAssessment{}, apperr.Invalid, "level"},
				{"unknown factor", f.worker.Actor, risk.NewAssessment{Level: "low", Factors: []string{"moon_phase"}}, apperr.Invalid, "factors"},
				{"summary too long", f.worker.Actor, risk.NewAssessment{Level: "low", Summary: strings.Repeat("ä", risk.MaxSummary+1)}, apperr.Invalid, "summary"},
				{"summary not UTF-8", f.worker.Actor, risk.NewAssessment{Level: "low", Summary: "\xff"}, apperr.Invalid, "summary"},
				{"police may not change", f.police.Actor, risk.NewAssessment{Level: "low"}, apperr.Forbidden, ""},
				{"other organisation", f.outside.Actor, risk.NewAssessment{Level: "low"}, apperr.NotFound, ""},
			} {
				_, err := f.svc.Assess(ctx, tt.actor, c.ID, tt.in)
				apperrtest.Want(t, tt.name, err, tt.code, tt.field)
			}
			for _, tt := range []struct {
				name  string
				actor access.Actor
				in    risk.NewIncident
				code  apperr.Code
				field string
			}{
				{"unknown kind", f.worker.Actor, risk.NewIncident{Kind: "bad_luck", OccurredOn: day(0)}, apperr.Invalid, "kind"},
				{"future", f.worker.Actor, risk.NewIncident{Kind: "threat_received", OccurredOn: day(3)}, apperr.Invalid, "occurred_on"},
				{"no date", f.worker.Actor, risk.NewIncident{Kind: "threat_received"}, apperr.Invalid, "occurred_on"},
				{"note too long", f.worker.Actor, risk.NewIncident{Kind: "other", OccurredOn: day(0), Note: strings.Repeat("x", risk.MaxNote+1)}, apperr.Invalid, "note"},
				{"police may not record", f.police.Actor, risk.NewIncident{Kind: "other", OccurredOn: day(0)}, apperr.Forbidden, ""},
				{"other organisation", f.outside.Actor, risk.NewIncident{Kind: "other", OccurredOn: day(0)}, apperr.NotFound, ""},
			} {
				_, err := f.svc.RecordIncident(ctx, tt.actor, c.ID, tt.in)
				apperrtest.Want(t, tt.name, err, tt.code, tt.field)
			}
			if _, err := f.svc.Get(ctx, f.outside.Actor, c.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("read by another organisation: %v, want not found", err)
			}
			if after := f.state(t, c.ID); after != before {
				t.Errorf("refused changes changed the case: %s → %s", before, after)
			}

			// A closed case takes no change.
			if _, err := f.env.App.Cases.MoveStage(ctx, f.worker.Actor, c.ID, cases.Closed, "person_declined"); err != nil {
				t.Fatalf("close: %v", err)
			}
			before = f.state(t, c.ID)
			_, err := f.svc.Assess(ctx, f.worker.Actor, c.ID, risk.NewAssessment{Level: "low"})
			apperrtest.Want(t, "closed case", err, apperr.Conflict, "")
			_, err = f.svc.RecordIncident(ctx, f.worker.Actor, c.ID, risk.NewIncident{Kind: "other", OccurredOn: day(0)})
			apperrtest.Want(t, "incident on a closed case", err, apperr.Conflict, "")
			if after := f.state(t, c.ID); after != before {
				t.Errorf("refused changes on a closed case changed it: %s → %s", before, after)
			}
		})
	}
}

func TestIncidentAsksForReview(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t)
			needs := func() bool {
				t.Helper()
				var out bool
				err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
					var err error
					out, err = f.svc.NeedsReview(ctx, tx, c.ID)
					return err
				})
				if err != nil {
					t.Fatalf("needs review: %v", err)
				}
				return out
			}
			if needs() {
				t.Error("a case without incidents needs no review")
			}
			if _, err := f.svc.Assess(ctx, f.worker.Actor, c.ID, risk.NewAssessment{Level: "low"}); err != nil {
				t.Fatalf("assess: %v", err)
			}
			note := "A man asked for her at the shelter gate."
			if _, err := f.svc.RecordIncident(ctx, f.worker.Actor, c.ID, risk.NewIncident{Kind: "trafficker_found_address", OccurredOn: day(-1), Note: note}); err != nil {
				t.Fatalf("incident: %v", err)
			}
			if !needs() {
				t.Error("an incident after the assessment should ask for a new one")
			}
			if due := f.deadline(t, c.ID); due != day(0) {
				t.Errorf("risk_review due %s after an incident, want today", due)
			}
			rec, err := f.svc.Get(ctx, f.worker.Actor, c.ID)
			if err != nil || !rec.NeedsReview || len(rec.Incidents) != 1 || rec.Incidents[0].Note != note {
				t.Errorf("record after incident: needs %v, incidents %+v, err %v", rec.NeedsReview, rec.Incidents, err)
			}
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var blob []byte
				if err := tx.QueryRowContext(ctx, `SELECT note FROM risk_incidents WHERE case_id = $1`, c.ID).Scan(&blob); err != nil {
					return err
				}
				if bytes.Contains(blob, []byte("shelter gate")) {
					t.Error("incident note stored in the clear")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Assess(ctx, f.worker.Actor, c.ID, risk.NewAssessment{Level: "critical", Factors: []string{"address_known", "shelter_known"}}); err != nil {
				t.Fatalf("reassess: %v", err)
			}
			if needs() {
				t.Error("a new assessment should answer the incident")
			}
			if due := f.deadline(t, c.ID); due != day(7) {
				t.Errorf("risk_review due %s, want %s", due, day(7))
			}
			// Timeline: two assessments and one incident, codes only.
			var kinds []string
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				rows, err := tx.QueryContext(ctx, `SELECT kind, detail FROM case_events WHERE case_id = $1 AND category = 'risk' ORDER BY at`, c.ID)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var k, d string
					if err := rows.Scan(&k, &d); err != nil {
						return err
					}
					kinds = append(kinds, k+":"+d)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(kinds, ","); got != "risk_assessed:low,risk_incident:trafficker_found_address,risk_assessed:critical" {
				t.Errorf("timeline = %s", got)
			}
		})
	}
}

func TestChecklist(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range risk.Factors() {
		if seen[f.Code] {
			t.Errorf("factor %s twice", f.Code)
		}
		seen[f.Code] = true
		if !strings.HasPrefix(f.Source, "risk.source.") {
			t.Errorf("factor %s has no source", f.Code)
		}
	}
	for _, g := range risk.Groups() {
		n := 0
		for _, f := range risk.Factors() {
			if f.Group == g {
				n++
			}
		}
		if n == 0 {
			t.Errorf("group %s has no factors", g)
		}
	}
	for _, l := range cases.RiskLevels() {
		if risk.ReviewDays(l) <= 0 {
			t.Errorf("level %s has no review interval", l)
		}
	}
}
