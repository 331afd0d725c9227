package legalstatus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/legalstatus"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

type fixture struct {
	env         *apptest.Env
	svc         *legalstatus.Service
	worker      apptest.User // case worker of the NGO, the case's worker
	coordinator apptest.User // coordinator of the NGO, not on the team
	police      apptest.User // police contact in the NGO's own org: may view, not change
	screener    apptest.User // no access to cases at all
	outsider    apptest.User // case worker of another NGO
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	ngo := env.Org("Safe Harbour", accounts.NGO)
	other := env.Org("Other NGO", accounts.NGO)
	return &fixture{env: env, svc: env.App.LegalStatus,
		worker:      env.User("worker", access.CaseWorker, ngo),
		coordinator: env.User("coord", access.Coordinator, ngo),
		police:      env.User("police", access.PoliceContact, ngo),
		screener:    env.User("screener", access.Screener, ngo),
		outsider:    env.User("outsider", access.CaseWorker, other),
	}
}

var ctx = context.Background()

// open opens an adult's case; reflecting moves it into the reflection and
// recovery period, which starts it.
func (f *fixture) open(t *testing.T, reflecting bool) cases.Case {
	t.Helper()
	c, err := f.env.App.Cases.Open(ctx, f.worker.Actor, cases.NewCase{Person: cases.PersonInput{
		Person: cases.Person{GivenNames: "Ana", FamilyName: "Testa", BirthDate: "1994-03-02"},
		Gender: "feminine", Citizenships: []string{"MD"}, Languages: []string{"ro"}, ContactMethod: "phone",
		Exploitation: []string{"labour"},
	}})
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	if reflecting {
		for _, st := range []cases.Stage{cases.Screening, cases.ReasonableGrounds, cases.Reflection} {
			if c, err = f.env.App.Cases.MoveStage(ctx, f.worker.Actor, c.ID, st, ""); err != nil {
				t.Fatalf("move to %s: %v", st, err)
			}
		}
	}
	return c
}

func today() time.Time {
	d, _ := time.Parse(time.DateOnly, time.Now().UTC().Format(time.DateOnly))
	return d
}

func day(offset int) string { return today().AddDate(0, 0, offset).Format(time.DateOnly) }

// deadline returns the due and remind dates of a deadline, "" if none.
func (f *fixture) deadline(t *testing.T, kind, ref string) (due, remind string) {
	t.Helper()
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT due_on, remind_on FROM case_deadlines WHERE kind = $1 AND ref_id = $2`, kind, ref).Scan(&due, &remind)
		if apperr.Is(storage.MapError(err), apperr.NotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		t.Fatalf("load deadline: %v", err)
	}
	return due, remind
}

// state summarises everything a refused or invalid change must leave alone.
func (f *fixture) state(t *testing.T, caseID string) string {
	t.Helper()
	var end string
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT reflection_end FROM cases WHERE id = $1`, caseID).Scan(&end)
	})
	if err != nil {
		t.Fatalf("state: %v", err)
	}
	return end + f.counts(t, caseID,
		`SELECT count(*) FROM legal_reflection_extensions WHERE case_id = $1`,
		`SELECT count(*) FROM legal_permits WHERE case_id = $1`,
		`SELECT count(*) FROM legal_permits WHERE case_id = $1 AND status = 'granted'`,
		`SELECT count(*) FROM legal_asylum WHERE case_id = $1`,
		`SELECT count(*) FROM legal_proceedings WHERE case_id = $1`,
		`SELECT count(*) FROM legal_compensation WHERE case_id = $1`,
		`SELECT count(*) FROM case_deadlines WHERE case_id = $1`,
		`SELECT count(*) FROM case_events WHERE case_id = $1`)
}

// counts runs each count query for the case and lists the numbers.
func (f *fixture) counts(t *testing.T, caseID string, queries ...string) string {
	t.Helper()
	var b strings.Builder
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		for _, q := range queries {
			var n int
			if err := tx.QueryRowContext(ctx, q, caseID).Scan(&n); err != nil {
				return err
			}
			fmt.Fprintf(&b, " %d", n)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("state: %v", err)
	}
	return b.String()
}

// wantField checks err is a validation error naming field with key.
func wantField(t *testing.T, err error, field, key string) {
	t.Helper()
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("err = %v, want invalid %s", err, field)
	}
	for _, fe := range apperr.As(err).Fields {
		if fe.Field == field && fe.Key == key {
			return
		}
	}
	t.Errorf("fields = %+v, want %s: %s", apperr.As(err).Fields, field, key)
}

// refusal is a change the service must refuse, naming field with key.
type refusal struct {
	name, field, key string
	call             func() error
}

// refuseAll makes each change of bad and checks it is refused as expected
// and leaves the case's state, as summarised by state, unchanged.
func refuseAll(t *testing.T, caseID string, state func(*testing.T, string) string, bad []refusal) {
	t.Helper()
	before := state(t, caseID)
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			wantField(t, tt.call(), tt.field, tt.key)
			if after := state(t, caseID); after != before {
				t.Errorf("refused change changed %q to %q", before, after)
			}
		})
	}
}

func TestReflectionPeriod(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			c := f.open(t, true)
			ov, err := f.svc.Get(ctx, f.worker.Actor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			r := ov.Reflection
			if r.Start != day(0) || r.End != day(cases.DefaultReflectionDays) || !r.Running(today()) || r.DaysLeft(today()) != cases.DefaultReflectionDays {
				t.Fatalf("reflection = %+v, want %d days from today", r, cases.DefaultReflectionDays)
			}

			before := f.state(t, c.ID)
			bad := []struct {
				name      string
				in        legalstatus.ReflectionInput
				field     string
				key       string
				errorCode apperr.Code
			}{
				{"shortening", legalstatus.ReflectionInput{End: day(60), Reason: "recovery_needs"}, "reflection_end", "legalstatus.error.reflection_not_later", ""},
				{"the same end", legalstatus.ReflectionInput{End: r.End, Reason: "recovery_needs"}, "reflection_end", "legalstatus.error.reflection_not_later", ""},
				{"far in the future", legalstatus.ReflectionInput{End: day(3 * 366), Reason: "recovery_needs"}, "reflection_end", "legalstatus.error.date_range", ""},
				{"not a date", legalstatus.ReflectionInput{End: "soon", Reason: "recovery_needs"}, "reflection_end", "error.date_invalid", ""},
				{"no date", legalstatus.ReflectionInput{Reason: "recovery_needs"}, "reflection_end", "legalstatus.error.required", ""},
				{"unknown reason", legalstatus.ReflectionInput{End: day(120), Reason: "cooperation_with_police"}, "reflection_reason", "legalstatus.error.choose", ""},
			}
			for _, tt := range bad {
				t.Run(tt.name, func(t *testing.T) {
					_, err := f.svc.ExtendReflection(ctx, f.worker.Actor, c.ID, tt.in)
					wantField(t, err, tt.field, tt.key)
					if after := f.state(t, c.ID); after != before {
						t.Errorf("refused extension changed %q to %q", before, after)
					}
				})
			}

			ext, err := f.svc.ExtendReflection(ctx, f.worker.Actor, c.ID, legalstatus.ReflectionInput{End: day(120), Reason: "identification_pending"})
			if err != nil {
				t.Fatalf("extend: %v", err)
			}
			if ext.PreviousEnd != r.End || ext.NewEnd != day(120) {
				t.Errorf("extension = %+v", ext)
			}
			got, err := f.env.App.Cases.Get(ctx, f.worker.Actor, c.ID)
			if err != nil || got.Case.ReflectionEnd != day(120) {
				t.Errorf("case reflection end = %q (%v), want %s", got.Case.ReflectionEnd, err, day(120))
			}
			if due, remind := f.deadline(t, "reflection_end", c.ID); due != day(120) || remind != day(106) {
				t.Errorf("reflection_end deadline = %s (remind %s), want %s (remind %s)", due, remind, day(120), day(106))
			}
			ov, _ = f.svc.Get(ctx, f.worker.Actor, c.ID)
			if len(ov.Reflection.Extensions) != 1 || len(ov.History) == 0 || ov.History[0].Kind != "legal_reflection_extended" {
				t.Errorf("extensions %+v, history %+v", ov.Reflection.Extensions, ov.History)
			}

			t.Run("before the period started", func(t *testing.T) {
				fresh := f.open(t, false)
				_, err := f.svc.ExtendReflection(ctx, f.worker.Actor, fresh.ID, legalstatus.ReflectionInput{End: day(30), Reason: "recovery_needs"})
				if !apperr.Is(err, apperr.Conflict) {
					t.Errorf("err = %v, want conflict", err)
				}
			})
		})
	}
}

func TestPermits(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			c := f.open(t, false)
			before := f.state(t, c.ID)
			bad := []struct {
				name, field, key string
				in               legalstatus.PermitInput
			}{
				{"expiry before start", "permit_expiry", "legalstatus.error.expiry_before_start",
					legalstatus.PermitInput{Type: "temporary_victim_permit", Status: "granted", Start: day(0), Expiry: day(-1)}},
				{"unknown type", "permit_type", "legalstatus.error.choose",
					legalstatus.PermitInput{Type: "golden_visa", Status: "applied"}},
				{"unknown status", "permit_status", "legalstatus.error.choose",
					legalstatus.PermitInput{Type: "humanitarian", Status: "pending"}},
				{"granted without dates", "permit_expiry", "legalstatus.error.permit_dates_required",
					legalstatus.PermitInput{Type: "humanitarian", Status: "granted", Start: day(0)}},
				{"far in the future", "permit_expiry", "legalstatus.error.date_range",
					legalstatus.PermitInput{Type: "humanitarian", Status: "granted", Start: day(0), Expiry: day(11 * 366)}},
				{"far in the past", "permit_start", "legalstatus.error.date_range",
					legalstatus.PermitInput{Type: "humanitarian", Status: "granted", Start: "1901-01-01", Expiry: day(10)}},
				{"reference too long", "permit_reference", "legalstatus.error.text_too_long",
					legalstatus.PermitInput{Type: "humanitarian", Status: "applied", Reference: strings.Repeat("x", 201)}},
			}
			for _, tt := range bad {
				t.Run(tt.name, func(t *testing.T) {
					_, err := f.svc.AddPermit(ctx, f.worker.Actor, c.ID, tt.in)
					wantField(t, err, tt.field, tt.key)
					if after := f.state(t, c.ID); after != before {
						t.Errorf("refused permit changed %q to %q", before, after)
					}
				})
			}

			const ref = "AT-VIE-4711-0815"
			p, err := f.svc.AddPermit(ctx, f.worker.Actor, c.ID, legalstatus.PermitInput{Type: "temporary_victim_permit", Status: "granted",
				Start: day(0), Expiry: day(180), Reference: ref, Authority: "Residence office"})
			if err != nil {
				t.Fatalf("add permit: %v", err)
			}
			if p.Number != 1 {
				t.Errorf("number = %d, want 1", p.Number)
			}
			if due, remind := f.deadline(t, "permit_expiry", p.ID); due != day(180) || remind != day(120) {
				t.Errorf("permit_expiry = %s remind %s, want %s remind %s", due, remind, day(180), day(120))
			}
			if due, remind := f.deadline(t, "permit_renewal", p.ID); due != day(120) || remind != day(90) {
				t.Errorf("permit_renewal = %s remind %s, want %s remind %s", due, remind, day(120), day(90))
			}
			f.notInClear(t, ref, "Residence office")

			t.Run("only the case team sees the reference", func(t *testing.T) {
				ov, err := f.svc.Get(ctx, f.worker.Actor, c.ID)
				if err != nil || ov.Permits[0].Reference != ref || !ov.ReferencesShown {
					t.Errorf("worker sees %+v (%v)", ov.Permits, err)
				}
				ov, err = f.svc.Get(ctx, f.coordinator.Actor, c.ID)
				if err != nil || ov.Permits[0].Reference != "" || !ov.Permits[0].HasReference || ov.Permits[0].Authority != "Residence office" {
					t.Errorf("coordinator off the team sees %+v (%v)", ov.Permits, err)
				}
			})

			// Applying for renewal ends the renewal reminder; the expiry stays.
			if _, err := f.svc.UpdatePermit(ctx, f.worker.Actor, c.ID, 1, legalstatus.PermitInput{Status: "renewal_applied", Start: day(0), Expiry: day(180)}); err != nil {
				t.Fatalf("update permit: %v", err)
			}
			if due, _ := f.deadline(t, "permit_renewal", p.ID); due != "" {
				t.Errorf("permit_renewal still due %s after the renewal was applied for", due)
			}
			if due, _ := f.deadline(t, "permit_expiry", p.ID); due != day(180) {
				t.Errorf("permit_expiry = %q after renewal applied, want %s", due, day(180))
			}
			if _, err := f.svc.UpdatePermit(ctx, f.worker.Actor, c.ID, 1, legalstatus.PermitInput{Status: "granted", Start: day(10), Expiry: day(5)}); err == nil {
				t.Error("an update with expiry before start was accepted")
			}

			renewed, err := f.svc.RenewPermit(ctx, f.worker.Actor, c.ID, 1, legalstatus.PermitInput{Status: "granted", Start: day(180), Expiry: day(545)})
			if err != nil {
				t.Fatalf("renew: %v", err)
			}
			if renewed.Number != 2 || renewed.Renews != 1 || renewed.Type != "temporary_victim_permit" || renewed.Reference != ref {
				t.Errorf("renewed = %+v", renewed)
			}
			if due, _ := f.deadline(t, "permit_expiry", p.ID); due != "" {
				t.Errorf("the renewed permit still has an expiry deadline %s", due)
			}
			if due, _ := f.deadline(t, "permit_expiry", renewed.ID); due != day(545) {
				t.Errorf("new permit expiry deadline = %q, want %s", due, day(545))
			}
			ov, _ := f.svc.Get(ctx, f.worker.Actor, c.ID)
			if ov.Permits[0].RenewedBy != 2 || ov.Permits[1].Renews != 1 {
				t.Errorf("permits = %+v", ov.Permits)
			}

			before = f.state(t, c.ID)
			for name, call := range map[string]func() error{
				"renewing twice": func() error {
					_, err := f.svc.RenewPermit(ctx, f.worker.Actor, c.ID, 1, legalstatus.PermitInput{Status: "granted", Start: day(180), Expiry: day(400)})
					return err
				},
				"unknown permit": func() error {
					_, err := f.svc.UpdatePermit(ctx, f.worker.Actor, c.ID, 9, legalstatus.PermitInput{Status: "granted", Start: day(0), Expiry: day(9)})
					return err
				},
				"renewal starting before the permit it renews": func() error {
					_, err := f.svc.RenewPermit(ctx, f.worker.Actor, c.ID, 2, legalstatus.PermitInput{Status: "granted", Start: day(100), Expiry: day(700)})
					return err
				},
			} {
				if err := call(); err == nil || apperr.Is(err, apperr.Internal) {
					t.Errorf("%s: err = %v, want a refusal", name, err)
				}
			}
			if after := f.state(t, c.ID); after != before {
				t.Errorf("refused permit changes changed %q to %q", before, after)
			}
		})
	}
}

// notInClear checks that no column holding a sealed text, nor the
// timeline or the audit log, keeps the texts readable.
func (f *fixture) notInClear(t *testing.T, texts ...string) {
	t.Helper()
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		for _, q := range []string{
			`SELECT reference FROM legal_permits`, `SELECT authority FROM legal_permits`, `SELECT reference FROM legal_proceedings`,
			`SELECT authority FROM legal_penalties`, `SELECT note FROM legal_penalties`, `SELECT submitted_to FROM legal_nonpunishment`,
			`SELECT note FROM legal_protective_measures`, `SELECT detail FROM case_events`, `SELECT detail FROM audit_log`,
		} {
			rows, err := tx.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			for rows.Next() {
				var b []byte
				if err := rows.Scan(&b); err != nil {
					rows.Close()
					return err
				}
				for _, s := range texts {
					if bytes.Contains(b, []byte(s)) {
						t.Errorf("%q is stored in the clear (%s)", s, q)
					}
				}
			}
			rows.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan for clear text: %v", err)
	}
}

func TestAsylumProceedingsCompensation(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			c := f.open(t, false)
			who := f.worker.Actor
			bad := []refusal{
				{"asylum decided before applying", "asylum_decided_on", "legalstatus.error.decided_before_applied", func() error {
					_, err := f.svc.SaveAsylum(ctx, who, c.ID, legalstatus.AsylumInput{AppliedOn: day(-10), Status: "refused", DecidedOn: day(-20)})
					return err
				}},
				{"asylum applied in the future", "asylum_applied_on", "legalstatus.error.date_future", func() error {
					_, err := f.svc.SaveAsylum(ctx, who, c.ID, legalstatus.AsylumInput{AppliedOn: day(30), Status: "applied"})
					return err
				}},
				{"asylum refused without a date", "asylum_decided_on", "legalstatus.error.decided_on_required", func() error {
					_, err := f.svc.SaveAsylum(ctx, who, c.ID, legalstatus.AsylumInput{AppliedOn: day(-10), Status: "refused"})
					return err
				}},
				{"unknown asylum status", "asylum_status", "legalstatus.error.choose", func() error {
					_, err := f.svc.SaveAsylum(ctx, who, c.ID, legalstatus.AsylumInput{AppliedOn: day(-10), Status: "maybe"})
					return err
				}},
				{"unknown role", "proceeding_role", "legalstatus.error.choose", func() error {
					_, err := f.svc.SaveProceeding(ctx, who, c.ID, legalstatus.ProceedingInput{Role: "suspect", Stage: "trial", Cooperation: "undecided"})
					return err
				}},
				{"hearing in a closed proceeding", "proceeding_next_hearing", "legalstatus.error.hearing_closed", func() error {
					_, err := f.svc.SaveProceeding(ctx, who, c.ID, legalstatus.ProceedingInput{Role: "witness", Stage: "closed", Cooperation: "cooperates", NextHearing: day(10)})
					return err
				}},
				{"hearing in the past", "proceeding_next_hearing", "legalstatus.error.hearing_past", func() error {
					_, err := f.svc.SaveProceeding(ctx, who, c.ID, legalstatus.ProceedingInput{Role: "witness", Stage: "trial", Cooperation: "cooperates", NextHearing: day(-3)})
					return err
				}},
				{"unknown cooperation", "proceeding_cooperation", "legalstatus.error.choose", func() error {
					_, err := f.svc.SaveProceeding(ctx, who, c.ID, legalstatus.ProceedingInput{Role: "witness", Stage: "trial", Cooperation: "required"})
					return err
				}},
				{"bad amount", "compensation_claimed", "legalstatus.error.amount", func() error {
					_, err := f.svc.SaveCompensation(ctx, who, c.ID, legalstatus.CompensationInput{Type: "civil", Status: "filed", Claimed: "-5"})
					return err
				}},
				{"awarded before a decision", "compensation_awarded", "legalstatus.error.awarded_before_decision", func() error {
					_, err := f.svc.SaveCompensation(ctx, who, c.ID, legalstatus.CompensationInput{Type: "civil", Status: "filed", Awarded: "100"})
					return err
				}},
				{"unknown compensation type", "compensation_type", "legalstatus.error.choose", func() error {
					_, err := f.svc.SaveCompensation(ctx, who, c.ID, legalstatus.CompensationInput{Type: "lottery", Status: "filed"})
					return err
				}},
			}
			refuseAll(t, c.ID, f.state, bad)

			as, err := f.svc.SaveAsylum(ctx, who, c.ID, legalstatus.AsylumInput{AppliedOn: day(-30), Status: "applied"})
			if err != nil {
				t.Fatalf("asylum: %v", err)
			}
			if _, err := f.svc.SaveAsylum(ctx, who, c.ID, legalstatus.AsylumInput{Number: as.Number, AppliedOn: day(-30), Status: "granted_subsidiary", DecidedOn: day(-1)}); err != nil {
				t.Fatalf("asylum decision: %v", err)
			}

			const court = "45 Hv 17/26"
			pr, err := f.svc.SaveProceeding(ctx, who, c.ID, legalstatus.ProceedingInput{Role: "injured_party", Stage: "trial", Cooperation: "declines",
				NextHearing: day(40), Reference: court})
			if err != nil {
				t.Fatalf("proceeding: %v", err)
			}
			if due, remind := f.deadline(t, "proceeding_date", pr.ID); due != day(40) || remind != day(26) {
				t.Errorf("proceeding_date = %s remind %s", due, remind)
			}
			f.notInClear(t, court, "declines")
			if _, err := f.svc.SaveProceeding(ctx, who, c.ID, legalstatus.ProceedingInput{Number: pr.Number, Role: "injured_party", Stage: "closed", Cooperation: "declines"}); err != nil {
				t.Fatalf("close proceeding: %v", err)
			}
			if due, _ := f.deadline(t, "proceeding_date", pr.ID); due != "" {
				t.Errorf("closed proceedings keep a hearing deadline %s", due)
			}

			cl, err := f.svc.SaveCompensation(ctx, who, c.ID, legalstatus.CompensationInput{Type: "labour_claim", Status: "awarded", FiledOn: day(-100),
				Claimed: "12500,50", Awarded: "9000", Currency: "eur"})
			if err != nil {
				t.Fatalf("compensation: %v", err)
			}
			if cl.Currency != "EUR" || *cl.Claimed != 1250050 || legalstatus.FormatAmount(cl.Awarded) != "9000.00" {
				t.Errorf("claim = %+v", cl)
			}

			ov, err := f.svc.Get(ctx, who, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(ov.Asylum) != 1 || ov.Asylum[0].Status != "granted_subsidiary" || len(ov.Proceedings) != 1 || ov.Proceedings[0].Reference != court ||
				ov.Proceedings[0].Cooperation != "declines" || len(ov.Compensation) != 1 {
				t.Errorf("overview = %+v", ov.Record)
			}
			for _, h := range ov.History {
				if strings.Contains(h.Detail, "declines") {
					t.Errorf("history shows the cooperation choice: %+v", h)
				}
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			c := f.open(t, true)
			if _, err := f.svc.AddPermit(ctx, f.worker.Actor, c.ID, legalstatus.PermitInput{Type: "reflection_period_permit", Status: "applied"}); err != nil {
				t.Fatal(err)
			}
			closed := f.open(t, false)
			if _, err := f.env.App.Cases.MoveStage(ctx, f.worker.Actor, closed.ID, cases.Closed, "person_declined"); err != nil {
				t.Fatalf("close: %v", err)
			}
			permit := legalstatus.PermitInput{Type: "humanitarian", Status: "applied"}
			tests := []struct {
				name   string
				who    apptest.User
				caseID string
				code   apperr.Code
			}{
				{"a role that only views cases", f.police, c.ID, apperr.Forbidden},
				{"a role without cases", f.screener, c.ID, apperr.Forbidden},
				{"another organisation", f.outsider, c.ID, apperr.NotFound},
				{"a closed case", f.worker, closed.ID, apperr.Conflict},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					before := f.state(t, tt.caseID)
					calls := map[string]func() error{
						"reflection": func() error {
							_, err := f.svc.ExtendReflection(ctx, tt.who.Actor, tt.caseID, legalstatus.ReflectionInput{End: day(200), Reason: "safety"})
							return err
						},
						"permit": func() error { _, err := f.svc.AddPermit(ctx, tt.who.Actor, tt.caseID, permit); return err },
						"update permit": func() error {
							_, err := f.svc.UpdatePermit(ctx, tt.who.Actor, tt.caseID, 1, legalstatus.PermitInput{Status: "refused"})
							return err
						},
						"asylum": func() error {
							_, err := f.svc.SaveAsylum(ctx, tt.who.Actor, tt.caseID, legalstatus.AsylumInput{Status: "intends_to_apply"})
							return err
						},
						"proceeding": func() error {
							_, err := f.svc.SaveProceeding(ctx, tt.who.Actor, tt.caseID, legalstatus.ProceedingInput{Role: "witness", Stage: "investigation", Cooperation: "undecided"})
							return err
						},
						"compensation": func() error {
							_, err := f.svc.SaveCompensation(ctx, tt.who.Actor, tt.caseID, legalstatus.CompensationInput{Type: "civil", Status: "planned"})
							return err
						},
					}
					for name, call := range calls {
						if err := call(); !apperr.Is(err, tt.code) {
							t.Errorf("%s: err = %v, want %s", name, err, tt.code)
						}
					}
					if after := f.state(t, tt.caseID); after != before {
						t.Errorf("refused changes changed %q to %q", before, after)
					}
				})
			}
			t.Run("reading", func(t *testing.T) {
				if _, err := f.svc.Get(ctx, f.outsider.Actor, c.ID); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("other organisation: err = %v, want not found", err)
				}
				if _, err := f.svc.Get(ctx, f.screener.Actor, c.ID); !apperr.Is(err, apperr.Forbidden) {
					t.Errorf("screener: err = %v, want forbidden", err)
				}
				ov, err := f.svc.Get(ctx, f.police.Actor, c.ID)
				if err != nil || ov.CanChange {
					t.Errorf("police contact: can change %t, err %v; want a read-only view", ov.CanChange, err)
				}
				ov, err = f.svc.Get(ctx, f.worker.Actor, closed.ID)
				if err != nil || ov.CanChange {
					t.Errorf("closed case: can change %t, err %v; want a read-only view", ov.CanChange, err)
				}
			})
		})
	}
}

func TestExport(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			c := f.open(t, true)
			who := f.worker.Actor
			if _, err := f.svc.AddPermit(ctx, who, c.ID, legalstatus.PermitInput{Type: "temporary_victim_permit", Status: "granted",
				Start: day(0), Expiry: day(365), Reference: "R-1", Authority: "Office"}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.SaveProceeding(ctx, who, c.ID, legalstatus.ProceedingInput{Role: "witness", Stage: "investigation", Cooperation: "cooperates", Reference: "P-9"}); err != nil {
				t.Fatal(err)
			}
			// The coordinator is not on the team, yet an export is the person's whole record.
			a, err := f.env.App.Cases.Get(ctx, f.coordinator.Actor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			var rec legalstatus.Record
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var err error
				rec, err = f.svc.Export(ctx, tx, a)
				return err
			})
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			b, err := json.Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{`"reference":"R-1"`, `"issuing_authority":"Office"`, `"reference":"P-9"`, `"cooperation":"cooperates"`,
				`"end":"` + day(cases.DefaultReflectionDays) + `"`, `"residence_permits":[`, `"compensation_claims":[]`} {
				if !strings.Contains(string(b), want) {
					t.Errorf("export lacks %s:\n%s", want, b)
				}
			}

			// Erasure removes every record and the legal deadlines.
			err = f.env.App.DB.Write(ctx, func(tx *storage.Tx) error { return f.svc.Erase(ctx, tx, a) })
			if err != nil {
				t.Fatalf("erase: %v", err)
			}
			ov, err := f.svc.Get(ctx, who, c.ID)
			if err != nil || len(ov.Permits)+len(ov.Proceedings)+len(ov.Asylum)+len(ov.Compensation) != 0 {
				t.Errorf("after erasure: %+v (%v)", ov.Record, err)
			}
			for _, kind := range []string{"permit_expiry", "permit_renewal"} {
				var n int
				err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
					return tx.QueryRowContext(ctx, `SELECT count(*) FROM case_deadlines WHERE case_id = $1 AND kind = $2`, c.ID, kind).Scan(&n)
				})
				if err != nil || n != 0 {
					t.Errorf("%s deadlines after erasure: %d (%v)", kind, n, err)
				}
			}
		})
	}
}
