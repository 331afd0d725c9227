package dataprotection_test

import (
	"context"
	"os"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/dataprotection"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

type fixture struct {
	env         *apptest.Env
	svc         *dataprotection.Service
	cases       *cases.Service
	worker      apptest.User // case worker of the NGO: the worker of every case
	coordinator apptest.User // coordinator of the NGO, not on the team
	other       apptest.User // case worker of another NGO
	screener    apptest.User
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	ngo := env.Org("Safe Harbour", accounts.NGO)
	other := env.Org("Other NGO", accounts.NGO)
	return &fixture{env: env, svc: env.App.DataProtection, cases: env.App.Cases,
		worker:      env.User("worker", access.CaseWorker, ngo),
		coordinator: env.User("coord", access.Coordinator, ngo),
		other:       env.User("other", access.CaseWorker, other),
		screener:    env.User("screener", access.Screener, ngo)}
}

func stepped(u apptest.User) access.Actor {
	a := u.Actor
	a.SteppedUp = true
	return a
}

func person() cases.PersonInput {
	return cases.PersonInput{
		Person: cases.Person{GivenNames: "Marija", FamilyName: "Kovačević", BirthDate: "1990-04-12", Contact: "+40 712 345 678"},
		Gender: "feminine", Citizenships: []string{"RO", "MD"}, Languages: []string{"ro", "ru"}, ContactMethod: "phone",
		Exploitation: []string{"labour", "begging", "criminality", "other"},
	}
}

func (f *fixture) open(t *testing.T) cases.Case {
	t.Helper()
	c, err := f.cases.Open(context.Background(), f.worker.Actor, cases.NewCase{Person: person()})
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	return c
}

// closed opens a case, adds a note and closes it; ago moves the closure back.
func (f *fixture) closed(t *testing.T, ago time.Duration) cases.Case {
	t.Helper()
	ctx := context.Background()
	c := f.open(t)
	if _, err := f.cases.AddNote(ctx, f.worker.Actor, c.ID, "She fears the recruiter in Constanța.", nil); err != nil {
		t.Fatalf("add note: %v", err)
	}
	if _, err := f.cases.MoveStage(ctx, f.worker.Actor, c.ID, cases.Closed, "recovered_included"); err != nil {
		t.Fatalf("close: %v", err)
	}
	f.exec(t, `UPDATE cases SET closed_at = $1 WHERE id = $2`, storage.Now().Add(-ago), c.ID)
	return c
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if err := f.env.App.DB.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	}); err != nil {
		t.Fatalf("exec: %v", err)
	}
}

func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, q, args...).Scan(&n)
	}); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

func (f *fixture) caseRow(t *testing.T, id string) (anonymised bool, identity []byte, stage string) {
	t.Helper()
	ctx := context.Background()
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT anonymised_at IS NOT NULL, identity, stage FROM cases WHERE id = $1`, id).Scan(&anonymised, &identity, &stage)
	})
	if err != nil {
		t.Fatalf("load case: %v", err)
	}
	return anonymised, identity, stage
}

// noteBody returns the sealed body of the case's first note.
func (f *fixture) noteBody(t *testing.T, caseID string) (string, []byte) {
	t.Helper()
	ctx := context.Background()
	var id string
	var body []byte
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT id, body FROM case_events WHERE case_id = $1 AND kind = 'note'`, caseID).Scan(&id, &body)
	})
	if err != nil {
		t.Fatalf("load note: %v", err)
	}
	return id, body
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("error %v, want %s", err, code)
	}
}

func TestRetention(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			old := f.closed(t, 6*365*24*time.Hour)
			noteID, sealed := f.noteBody(t, old.ID)
			recent := f.closed(t, 24*time.Hour)
			held := f.closed(t, 6*365*24*time.Hour)
			if _, err := f.svc.SetHold(ctx, f.worker.Actor, held.ID, dataprotection.HoldInput{Reason: "criminal_proceedings_ongoing",
				Until: time.Now().AddDate(1, 0, 0).Format(time.DateOnly)}); err != nil {
				t.Fatalf("set hold: %v", err)
			}
			asked := f.closed(t, 6*365*24*time.Hour)
			if _, err := f.svc.RequestErasure(ctx, f.worker.Actor, asked.ID, dataprotection.ErasureInput{
				ReceivedOn: time.Now().Format(time.DateOnly), Channel: "letter"}); err != nil {
				t.Fatalf("request erasure: %v", err)
			}
			// An expired hold keeps nothing.
			expired := f.closed(t, 6*365*24*time.Hour)
			f.exec(t, `INSERT INTO case_legal_holds (id, case_id, number, reason, until_on, set_by, set_at) VALUES ($1, $2, 1, 'court_order', '2020-01-01', $3, $4)`,
				cases.NewID(), expired.ID, f.worker.ID, storage.Now())
			open := f.open(t)

			n, err := f.svc.Retain(ctx)
			if err != nil || n != 2 {
				t.Fatalf("retain: %d, %v; want 2 cases", n, err)
			}
			for _, tt := range []struct {
				name string
				c    cases.Case
				want bool
			}{{"closed six years ago", old, true}, {"expired hold", expired, true}, {"closed yesterday", recent, false},
				{"held", held, false}, {"erasure pending", asked, false}, {"open", open, false}} {
				anonymised, identity, _ := f.caseRow(t, tt.c.ID)
				if anonymised != tt.want || (identity == nil) != tt.want {
					t.Errorf("%s: anonymised %v (identity cleared %v), want %v", tt.name, anonymised, identity == nil, tt.want)
				}
			}
			// The note is unreadable: its key is forgotten (and its body gone).
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				_, err := f.cases.Vault().Open(ctx, tx, cases.Record(old.ID), "note/"+noteID, sealed)
				return err
			})
			if err == nil {
				t.Error("the note of an anonymised case can still be decrypted")
			}
			if _, body := f.noteBody(t, old.ID); body != nil {
				t.Error("the note body is still stored")
			}
			// The codes are still counted.
			if n := f.count(t, `SELECT COUNT(*) FROM cases WHERE id = $1 AND gender = 'feminine' AND exploitation LIKE '%"labour"%'`, old.ID); n != 1 {
				t.Error("the codes of an anonymised case are gone")
			}
			if n := f.count(t, `SELECT COUNT(*) FROM case_search WHERE case_id = $1`, old.ID); n != 0 {
				t.Error("search tokens survive anonymisation")
			}
			// System actor, reason retention, in the audit log.
			if n := f.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'case.anonymised' AND subject_id = $1 AND detail = 'retention'`, old.ID); n != 1 {
				t.Errorf("retention audit entries: %d, want 1", n)
			}
			// Run again: nothing more to do.
			if n, err := f.svc.Retain(ctx); err != nil || n != 0 {
				t.Errorf("second run: %d, %v", n, err)
			}
		})
	}
}

func TestErasure(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			today := time.Now().UTC().Format(time.DateOnly)
			c := f.open(t)

			// Bad input changes nothing.
			before := f.env.Fingerprint(t)
			for _, in := range []dataprotection.ErasureInput{
				{ReceivedOn: today, Channel: "pigeon"},
				{ReceivedOn: "2999-01-01", Channel: "letter"},
				{ReceivedOn: "yesterday", Channel: "letter"},
			} {
				_, err := f.svc.RequestErasure(ctx, f.worker.Actor, c.ID, in)
				wantCode(t, err, apperr.Invalid)
			}
			_, err := f.svc.RequestErasure(ctx, f.screener.Actor, c.ID, dataprotection.ErasureInput{ReceivedOn: today, Channel: "letter"})
			wantCode(t, err, apperr.Forbidden)
			_, err = f.svc.RequestErasure(ctx, f.other.Actor, c.ID, dataprotection.ErasureInput{ReceivedOn: today, Channel: "letter"})
			wantCode(t, err, apperr.NotFound)
			if after := f.env.Fingerprint(t); after != before {
				t.Fatalf("refused requests changed the database")
			}

			r, err := f.svc.RequestErasure(ctx, f.coordinator.Actor, c.ID, dataprotection.ErasureInput{ReceivedOn: today, Channel: "letter"})
			if err != nil || r.Number != 1 {
				t.Fatalf("request erasure: %+v, %v", r, err)
			}
			if n := f.count(t, `SELECT COUNT(*) FROM case_deadlines WHERE kind = 'erasure_request' AND ref_id = $1 AND due_on = $2`,
				r.ID, time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly)); n != 1 {
				t.Error("no erasure deadline one month ahead")
			}
			_, err = f.svc.RequestErasure(ctx, f.worker.Actor, c.ID, dataprotection.ErasureInput{ReceivedOn: today, Channel: "phone"})
			wantCode(t, err, apperr.Conflict)

			// An open case is not erased: close it first.
			err = f.svc.DecideErasure(ctx, f.worker.Actor, c.ID, 1, dataprotection.Decision{CarryOut: true, DecidedOn: today})
			wantCode(t, err, apperr.Conflict)
			if apperr.As(err).Key != "error.data.erasure_case_open" {
				t.Errorf("key %s", apperr.As(err).Key)
			}
			// A refusal needs a ground and that the person was told.
			err = f.svc.DecideErasure(ctx, f.worker.Actor, c.ID, 1, dataprotection.Decision{DecidedOn: today, Reason: "bored"})
			if e := apperr.As(err); e.Code != apperr.Invalid || len(e.Fields) != 2 {
				t.Errorf("refusal without ground: %v", err)
			}
			err = f.svc.DecideErasure(ctx, f.worker.Actor, c.ID, 9, dataprotection.Decision{DecidedOn: today, Reason: "legal_claims", Informed: true})
			wantCode(t, err, apperr.NotFound)
			if err := f.svc.DecideErasure(ctx, f.worker.Actor, c.ID, 1, dataprotection.Decision{DecidedOn: today, Reason: "legal_claims", Informed: true}); err != nil {
				t.Fatalf("refuse: %v", err)
			}
			err = f.svc.DecideErasure(ctx, f.worker.Actor, c.ID, 1, dataprotection.Decision{DecidedOn: today, Reason: "legal_claims", Informed: true})
			wantCode(t, err, apperr.Conflict)
			if n := f.count(t, `SELECT COUNT(*) FROM case_deadlines WHERE kind = 'erasure_request'`); n != 0 {
				t.Error("the deadline of a decided request remains")
			}

			// A second request on the closed case is carried out, unless held.
			if _, err := f.cases.MoveStage(ctx, f.worker.Actor, c.ID, cases.Closed, "person_declined"); err != nil {
				t.Fatalf("close: %v", err)
			}
			if _, err := f.svc.RequestErasure(ctx, f.worker.Actor, c.ID, dataprotection.ErasureInput{ReceivedOn: today, Channel: "in_person"}); err != nil {
				t.Fatalf("second request on a closed case: %v", err)
			}
			if _, err := f.svc.SetHold(ctx, f.worker.Actor, c.ID, dataprotection.HoldInput{Reason: "compensation_claim",
				Until: time.Now().AddDate(0, 6, 0).Format(time.DateOnly)}); err != nil {
				t.Fatalf("hold: %v", err)
			}
			err = f.svc.DecideErasure(ctx, f.worker.Actor, c.ID, 2, dataprotection.Decision{CarryOut: true, DecidedOn: today})
			wantCode(t, err, apperr.Conflict)
			if err := f.svc.LiftHold(ctx, f.worker.Actor, c.ID, 1); err != nil {
				t.Fatalf("lift hold: %v", err)
			}
			wantCode(t, f.svc.LiftHold(ctx, f.worker.Actor, c.ID, 1), apperr.Conflict)
			if err := f.svc.DecideErasure(ctx, f.worker.Actor, c.ID, 2, dataprotection.Decision{CarryOut: true, DecidedOn: today}); err != nil {
				t.Fatalf("carry out: %v", err)
			}
			if anonymised, identity, _ := f.caseRow(t, c.ID); !anonymised || identity != nil {
				t.Error("the case was not anonymised")
			}
			// The requests stay, as proof of the answer; the case takes no more changes.
			if n := f.count(t, `SELECT COUNT(*) FROM case_erasure_requests WHERE case_id = $1`, c.ID); n != 2 {
				t.Errorf("requests kept: %d", n)
			}
			_, err = f.svc.RequestErasure(ctx, f.worker.Actor, c.ID, dataprotection.ErasureInput{ReceivedOn: today, Channel: "letter"})
			wantCode(t, err, apperr.Conflict)
			o, err := f.svc.Overview(ctx, f.worker.Actor, c.ID)
			if err != nil || len(o.Requests) != 2 || o.Requests[0].Status != dataprotection.CarriedOut || o.Requests[1].Reason != "legal_claims" {
				t.Errorf("overview: %+v, %v", o.Requests, err)
			}
		})
	}
}

func TestHoldValidation(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	ctx := context.Background()
	c := f.open(t)
	before := f.env.Fingerprint(t)
	for _, in := range []dataprotection.HoldInput{
		{Reason: "because", Until: time.Now().AddDate(1, 0, 0).Format(time.DateOnly)},
		{Reason: "court_order", Until: time.Now().Format(time.DateOnly)},
		{Reason: "court_order", Until: time.Now().AddDate(20, 0, 0).Format(time.DateOnly)},
		{Reason: "court_order", Until: "soon"},
	} {
		_, err := f.svc.SetHold(ctx, f.worker.Actor, c.ID, in)
		wantCode(t, err, apperr.Invalid)
	}
	if f.env.Fingerprint(t) != before {
		t.Error("refused holds changed the database")
	}
}

func TestExportPersonalData(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.open(t)
			if _, err := f.cases.AddNote(ctx, f.worker.Actor, c.ID, "Prefers a female interpreter.", nil); err != nil {
				t.Fatalf("note: %v", err)
			}
			_, err := f.svc.ExportPersonalData(ctx, f.worker.Actor, c.ID)
			wantCode(t, err, apperr.StepUp)
			_, err = f.svc.ExportPersonalData(ctx, stepped(f.coordinator), c.ID)
			wantCode(t, err, apperr.Forbidden)
			_, err = f.svc.ExportPersonalData(ctx, stepped(f.other), c.ID)
			wantCode(t, err, apperr.NotFound)
			_, err = f.svc.ExportPersonalData(ctx, stepped(f.screener), c.ID)
			wantCode(t, err, apperr.Forbidden)

			d, err := f.svc.ExportPersonalData(ctx, stepped(f.worker), c.ID)
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			if d.Identity.FamilyName != "Kovačević" || d.Case.Code != c.Code || d.Demographics.Gender != "feminine" || len(d.History) != 1 {
				t.Errorf("export: %+v", d)
			}
			found := false
			for _, e := range d.Timeline {
				found = found || e.Note == "Prefers a female interpreter."
			}
			if !found {
				t.Error("the note is not in the export")
			}
			if _, ok := d.Sections["legal_status"]; !ok {
				t.Errorf("sections: %v", d.Sections)
			}
			if n := f.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'case.data_exported' AND subject_id = $1`, c.ID); n != 1 {
				t.Errorf("export audit entries: %d", n)
			}
			if n := f.count(t, `SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%Kova%' OR detail LIKE '%interpreter%'`); n != 0 {
				t.Error("the audit entry holds personal data")
			}
		})
	}
}
