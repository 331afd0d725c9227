package accounts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
)

// TestThrottledSignInsAggregated: a burst of throttled sign-ins on one
// account writes one entry at once and, once the window has passed, one
// with the count — not one per attempt (100 in 0.4 s before) — and both
// name the account by id.
func TestThrottledSignInsAggregated(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", "ngo")
		kim := f.createUser(t, org, "kim", access.CaseWorker)
		for range 5 {
			_, err := f.svc.SignIn(ctx, "kim", "wrong", "attacker")
			wantCode(t, err, apperr.Unauthorized, "login.failed")
		}
		for range 100 {
			_, err := f.svc.SignIn(ctx, "kim", "wrong", "attacker")
			wantCode(t, err, apperr.TooMany, "login.wait")
		}
		throttled := func() []audit.Entry {
			var out []audit.Entry
			for _, e := range f.auditEntries(t, audit.Filter{Action: "auth.login", Outcome: audit.Denied}) {
				if strings.HasPrefix(e.Detail, "throttled") {
					out = append(out, e)
				}
			}
			return out
		}
		if got := throttled(); len(got) != 1 || got[0].SubjectID != kim.ID {
			t.Fatalf("%d throttled entries during the burst, want 1 naming the account: %+v", len(got), got)
		}

		// Nothing to report before the window has passed.
		if err := f.env.App.Audit.FlushCounts(ctx, f.env.App.DB, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got := throttled(); len(got) != 1 {
			t.Fatalf("%d throttled entries before the window passed, want 1", len(got))
		}
		f.clock.Add(audit.CountWindow + time.Second)
		if err := f.env.App.Audit.FlushCounts(ctx, f.env.App.DB, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		got := throttled()
		if len(got) != 2 || got[0].SubjectID != kim.ID || !strings.HasPrefix(got[0].Detail, "throttled attempts=100 ") {
			t.Fatalf("after the window: %+v, want a second entry counting 100 attempts on %s", got, kim.ID)
		}
		for _, e := range got {
			if strings.Contains(e.Detail, "kim") || strings.Contains(e.SubjectID, "kim") {
				t.Errorf("entry names the username: %+v", e)
			}
		}
		// Flushed once only.
		if err := f.env.App.Audit.FlushCounts(ctx, f.env.App.DB, f.clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n := len(throttled()); n != 2 {
			t.Errorf("%d entries after a second flush, want 2", n)
		}
	})
}
