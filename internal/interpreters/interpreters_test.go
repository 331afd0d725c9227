package interpreters_test

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/crisisunit"
	"waymark.city/waymark/internal/interpreters"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

type fixture struct {
	env         *apptest.Env
	svc         *interpreters.Service
	ngo         string
	worker      apptest.User
	coordinator apptest.User
	otherWorker apptest.User
	// hotline is an operator of an organisation that holds no cases.
	hotline apptest.User
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	f := &fixture{env: env, svc: env.App.Interpreters}
	f.ngo = env.Org("Safe Harbour", accounts.NGO)
	other := env.Org("Other NGO", accounts.NGO)
	hotlineOrg := env.Org("Helpline", accounts.NGO)
	f.worker = env.User("worker", access.CaseWorker, f.ngo)
	f.coordinator = env.User("coord", access.Coordinator, f.ngo)
	f.otherWorker = env.User("other", access.CaseWorker, other)
	f.hotline = env.User("hotline", access.HotlineOperator, hotlineOrg)
	return f
}

func wantCode(t *testing.T, what string, err error, code apperr.Code, key string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("%s: error %v, want %s", what, err, code)
	}
	if key == "" {
		return
	}
	e := apperr.As(err)
	if e.Key == key {
		return
	}
	for _, f := range e.Fields {
		if f.Key == key {
			return
		}
	}
	t.Fatalf("%s: key %q, fields %+v, want %q", what, e.Key, e.Fields, key)
}

func count(t *testing.T, env *apptest.Env, table string) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRegister(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			in := interpreters.Input{Name: "Elena Popescu", Contact: "+40 712 345 678", Languages: []string{"ro", "BG", "en"},
				Kind: "both", TraffickingTrained: true, ConfidentialityOn: "2024-05-02", Availability: "Mon-Wed mornings", Active: true}
			it, err := f.svc.Create(ctx, f.coordinator.Actor, in)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if it.Name != "Elena Popescu" || !it.Speaks("bg") || it.Kind != "both" || !it.TraffickingTrained || it.ChildTrained {
				t.Fatalf("created %+v", it)
			}
			for _, tc := range []struct {
				name  string
				actor access.Actor
				in    interpreters.Input
				code  apperr.Code
			}{
				{"case worker", f.worker.Actor, in, apperr.Forbidden},
				{"no name", f.coordinator.Actor, interpreters.Input{Contact: "x", Languages: []string{"ro"}, Kind: "interpreter"}, apperr.Invalid},
				{"no contact", f.coordinator.Actor, interpreters.Input{Name: "x", Languages: []string{"ro"}, Kind: "interpreter"}, apperr.Invalid},
				{"bad language", f.coordinator.Actor, interpreters.Input{Name: "x", Contact: "y", Languages: []string{"Romanian"}, Kind: "interpreter"}, apperr.Invalid},
				{"bad kind", f.coordinator.Actor, interpreters.Input{Name: "x", Contact: "y", Languages: []string{"ro"}, Kind: "translator"}, apperr.Invalid},
				{"future agreement", f.coordinator.Actor, interpreters.Input{Name: "x", Contact: "y", Languages: []string{"ro"}, Kind: "mediator", ConfidentialityOn: "2999-01-01"}, apperr.Invalid},
			} {
				_, err := f.svc.Create(ctx, tc.actor, tc.in)
				wantCode(t, tc.name, err, tc.code, "")
			}
			if n := count(t, f.env, "interpreters"); n != 1 {
				t.Fatalf("%d interpreters after refused input, want 1", n)
			}
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var name, contact []byte
				if err := tx.QueryRowContext(ctx, `SELECT name, contact FROM interpreters`).Scan(&name, &contact); err != nil {
					return err
				}
				if bytes.Contains(name, []byte("Popescu")) || bytes.Contains(contact, []byte("712")) {
					t.Error("name or contact stored in the clear")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			// A case-holding organisation sees the name, and the contact after a step-up.
			list, err := f.svc.List(ctx, f.otherWorker.Actor, interpreters.Filter{Language: "bg"})
			if err != nil || len(list) != 1 || list[0].Name != "Elena Popescu" || list[0].Contact != "" {
				t.Fatalf("list = %+v, %v", list, err)
			}
			_, err = f.svc.Contact(ctx, f.otherWorker.Actor, it.ID)
			wantCode(t, "without step-up", err, apperr.StepUp, "")
			stepped := f.otherWorker.Actor
			stepped.SteppedUp = true
			got, err := f.svc.Contact(ctx, stepped, it.ID)
			if err != nil || got.Contact != "+40 712 345 678" {
				t.Fatalf("contact = %+v, %v", got, err)
			}

			// An organisation that holds no cases sees languages and training only.
			list, err = f.svc.List(ctx, f.hotline.Actor, interpreters.Filter{})
			if err != nil || len(list) != 1 || list[0].Name != "" || !list[0].Speaks("ro") {
				t.Fatalf("hotline list = %+v, %v", list, err)
			}
			e, err := f.svc.Get(ctx, f.hotline.Actor, it.ID)
			if err != nil || e.Name != "" || e.Contact != "" {
				t.Fatalf("hotline entry = %+v, %v", e, err)
			}
			hs := f.hotline.Actor
			hs.SteppedUp = true
			_, err = f.svc.Contact(ctx, hs, it.ID)
			wantCode(t, "hotline contact", err, apperr.Forbidden, "interpreters.error.not_case_holder")

			// A change keeps the contact when none is given.
			in.Contact, in.Languages = "", []string{"ro", "en"}
			if _, err := f.svc.Update(ctx, f.coordinator.Actor, it.ID, in); err != nil {
				t.Fatalf("update: %v", err)
			}
			if got, _ := f.svc.Contact(ctx, stepped, it.ID); got.Contact != "+40 712 345 678" || got.Speaks("bg") {
				t.Errorf("after update: %+v", got)
			}
		})
	}
}

func TestBookings(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			it, err := f.svc.Create(ctx, f.coordinator.Actor, interpreters.Input{Name: "Elena Popescu", Contact: "+40 712",
				Languages: []string{"ro", "bg", "en"}, Kind: "interpreter", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			c, err := f.env.App.Cases.Open(ctx, f.worker.Actor, cases.NewCase{Person: cases.PersonInput{
				Person: cases.Person{GivenNames: "Ana", FamilyName: "Testa", BirthDate: "1990-04-12"}, Gender: "feminine",
				Citizenships: []string{"RO"}, Languages: []string{"ro"}, ContactMethod: "phone", Exploitation: []string{"labour"}}})
			if err != nil {
				t.Fatalf("open case: %v", err)
			}
			at := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
			conf, err := f.env.App.CrisisUnit.CreateConference(ctx, f.worker.Actor, c.ID, crisisunit.NewConference{At: at, Orgs: []string{f.ngo}})
			if err != nil {
				t.Fatalf("schedule conference: %v", err)
			}
			cb, err := f.svc.ForCase(ctx, f.worker.Actor, c.ID)
			if err != nil || len(cb.Refs) != 1 || cb.Refs[0].Kind != "conference" || cb.Refs[0].ID != conf.ID {
				t.Fatalf("refs = %+v, %v", cb.Refs, err)
			}
			b, err := f.svc.Book(ctx, f.worker.Actor, c.ID, interpreters.BookingInput{InterpreterID: it.ID, Kind: "conference",
				RefID: conf.ID, Language: "ro", Start: at, Minutes: 90})
			if err != nil {
				t.Fatalf("book: %v", err)
			}
			if b.CaseCode != c.Code || !b.End.Equal(at.Add(90*time.Minute)) {
				t.Fatalf("booking = %+v", b)
			}
			for _, tc := range []struct {
				name  string
				actor access.Actor
				in    interpreters.BookingInput
				code  apperr.Code
				key   string
			}{
				{"double booking", f.worker.Actor, interpreters.BookingInput{InterpreterID: it.ID, Kind: "screening", Language: "en",
					Start: at.Add(time.Hour), Minutes: 60}, apperr.Conflict, "interpreters.error.double_booked"},
				{"language not spoken", f.worker.Actor, interpreters.BookingInput{InterpreterID: it.ID, Kind: "screening", Language: "uk",
					Start: at.Add(5 * time.Hour), Minutes: 60}, apperr.Invalid, "interpreters.error.language_not_spoken"},
				{"unknown language code", f.worker.Actor, interpreters.BookingInput{InterpreterID: it.ID, Kind: "screening", Language: "Romanian",
					Start: at.Add(5 * time.Hour), Minutes: 60}, apperr.Invalid, ""},
				{"hearing of another case", f.worker.Actor, interpreters.BookingInput{InterpreterID: it.ID, Kind: "hearing", RefID: conf.ID,
					Language: "ro", Start: at.Add(5 * time.Hour), Minutes: 60}, apperr.Invalid, "interpreters.error.ref"},
				{"unknown interpreter", f.worker.Actor, interpreters.BookingInput{InterpreterID: "nope", Kind: "screening", Language: "ro",
					Start: at.Add(5 * time.Hour), Minutes: 60}, apperr.Invalid, "interpreters.error.unknown"},
				{"in the past", f.worker.Actor, interpreters.BookingInput{InterpreterID: it.ID, Kind: "screening", Language: "ro",
					Start: time.Now().Add(-time.Hour), Minutes: 60}, apperr.Invalid, ""},
				{"other organisation", f.otherWorker.Actor, interpreters.BookingInput{InterpreterID: it.ID, Kind: "screening", Language: "ro",
					Start: at.Add(5 * time.Hour), Minutes: 60}, apperr.NotFound, ""},
			} {
				_, err := f.svc.Book(ctx, tc.actor, c.ID, tc.in)
				wantCode(t, tc.name, err, tc.code, tc.key)
			}
			if n := count(t, f.env, "interpreter_bookings"); n != 1 {
				t.Fatalf("%d bookings after refused ones, want 1", n)
			}
			// Right after the first booking ends is free.
			if _, err := f.svc.Book(ctx, f.worker.Actor, c.ID, interpreters.BookingInput{InterpreterID: it.ID, Kind: "screening",
				Language: "bg", Start: at.Add(90 * time.Minute), Minutes: 30}); err != nil {
				t.Fatalf("book after: %v", err)
			}
			e, err := f.svc.Get(ctx, f.worker.Actor, it.ID)
			if err != nil || len(e.Bookings) != 2 || e.Bookings[0].CaseCode != c.Code {
				t.Fatalf("entry bookings = %+v, %v", e.Bookings, err)
			}
			if e, _ := f.svc.Get(ctx, f.otherWorker.Actor, it.ID); len(e.Bookings) != 2 || e.Bookings[0].CaseCode != "" {
				t.Errorf("another organisation sees the case of a booking: %+v", e.Bookings)
			}
			// Cancelling frees the time.
			if err := f.svc.Cancel(ctx, f.worker.Actor, c.ID, b.ID); err != nil {
				t.Fatalf("cancel: %v", err)
			}
			wantCode(t, "cancel twice", f.svc.Cancel(ctx, f.worker.Actor, c.ID, b.ID), apperr.NotFound, "")
			if _, err := f.svc.Book(ctx, f.worker.Actor, c.ID, interpreters.BookingInput{InterpreterID: it.ID, Kind: "screening",
				Language: "en", Start: at.Add(time.Hour), Minutes: 30}); err != nil {
				t.Fatalf("book the freed time: %v", err)
			}
		})
	}
}
