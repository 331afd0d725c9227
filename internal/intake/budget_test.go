package intake_test

import (
	"context"
	"fmt"
	"testing"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/intake/intaketest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestBudgetAfterChecks: requests with field errors spend no budget, and
// a visitor with a solved proof of work spends the proof's budget, not the
// address's, so a flood from one address (all visitors behind a proxy)
// closes the form for nobody else.
func TestBudgetAfterChecks(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		cfg := intake.Config{SubmitsPerHour: 2, CodeTriesPerHour: 2}
		env := intaketest.New(t, db, cfg)
		env.Org(t, "Hotline", "hotline")
		s := env.Service
		proxy := s.ClientKey("192.0.2.1", env.Clock.Now())

		// Seven empty forms closed the form for an hour (issue 11).
		for range 7 {
			err := s.AdmitSubmission(ctx, proxy, intake.Submission{}, intake.Work{})
			if e := apperr.As(err); e.Code != apperr.Invalid || len(e.Fields) == 0 {
				t.Fatalf("empty form = %v, want field errors", err)
			}
		}
		if err := s.AdmitSubmission(ctx, proxy, report(), intake.Work{}); err != nil {
			t.Fatalf("after empty forms, a valid report: %v", err)
		}

		// One visitor spends the address's budget without proofs of work,
		// and a reused proof's own budget.
		reused := intaketest.Work(s)
		flooded := 0
		for range 20 {
			if apperr.Is(s.AdmitSubmission(ctx, proxy, report(), intake.Work{}), apperr.TooMany) &&
				apperr.Is(s.AdmitSubmission(ctx, proxy, report(), reused), apperr.TooMany) {
				flooded++
			}
		}
		if flooded < 15 {
			t.Fatalf("the flooding visitor was refused only %d times", flooded)
		}
		// Another visitor behind the same address with a fresh proof of
		// work is taken, and their report is not held.
		w := intaketest.Work(s)
		if err := s.AdmitSubmission(ctx, proxy, report(), w); err != nil {
			t.Fatalf("another visitor during the flood: %v", err)
		}
		if rec, err := s.Submit(ctx, report(), w); err != nil || rec.Held {
			t.Fatalf("another visitor's report = %+v, %v", rec, err)
		}

		// A forged, unsolved or foreign proof counts as none: the address.
		// The unsolved nonce is one whose hash has no leading zero bit: a
		// fixed guess solves an easy test challenge now and then.
		unsolved := "x"
		for i := 0; intake.LeadingZeroBits(w.Challenge, unsolved) > 0; i++ {
			unsolved = fmt.Sprintf("x%d", i)
		}
		for _, bad := range []intake.Work{{Challenge: w.Challenge, Nonce: unsolved}, {Challenge: "AAAA", Nonce: "1"}, {Challenge: w.Challenge + "A", Nonce: w.Nonce}} {
			if v := s.Visitor(proxy, bad); v != proxy {
				t.Errorf("visitor of %+v = %q, want the address key", bad, v)
			}
		}

		// Receipt codes: malformed ones spend nothing; guesses from the
		// address run out, a visitor with a proof of work still opens theirs.
		rec, err := s.Submit(ctx, report(), intaketest.Work(s))
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			if _, err := s.OpenThread(ctx, proxy, "12"); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("malformed code = %v", err)
			}
		}
		for i := range 5 {
			_, err := s.OpenThread(ctx, proxy, fmt.Sprintf("%016d", i))
			if i >= 2 && !apperr.Is(err, apperr.TooMany) {
				t.Fatalf("guess %d from the address = %v, want TooMany", i+1, err)
			}
		}
		if _, err := s.OpenThread(ctx, proxy, rec.Code); !apperr.Is(err, apperr.TooMany) {
			t.Fatalf("the address's budget is spent, yet = %v", err)
		}
		visitor := s.Visitor(proxy, intaketest.Work(s))
		if _, err := s.OpenThread(ctx, visitor, rec.Code); err != nil {
			t.Fatalf("a visitor with a proof of work: %v", err)
		}
		if _, err := s.Reply(ctx, visitor, rec.Code, "Thank you"); err != nil {
			t.Fatalf("the same visitor answers: %v", err)
		}
	})
}
