package accounts_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
)

func TestSignInFailures(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		kim := f.createUser(t, org, "kim", access.CaseWorker)

		t.Run("unknown user and wrong password look the same", func(t *testing.T) {
			_, unknown := f.svc.SignIn(ctx, "nobody", password, "c1")
			_, wrong := f.svc.SignIn(ctx, "kim", "not the right password", "c1")
			wantCode(t, unknown, apperr.Unauthorized, "login.failed")
			wantCode(t, wrong, apperr.Unauthorized, "login.failed")
			a, b := apperr.As(unknown), apperr.As(wrong)
			if a.Code != b.Code || a.Key != b.Key || !reflect.DeepEqual(a.Fields, b.Fields) || !reflect.DeepEqual(a.Args, b.Args) {
				t.Errorf("answers differ: %#v vs %#v", a, b)
			}
			entries := f.auditEntries(t, audit.Filter{Action: "auth.login", Outcome: audit.Failed})
			var details []string
			for _, e := range entries {
				details = append(details, e.Detail)
			}
			slices.Sort(details)
			if got := strings.Join(details, ","); got != "unknown_account,wrong_password" {
				t.Errorf("failed logins audited as %s", got)
			}
		})

		t.Run("throttle", func(t *testing.T) {
			for i := range 5 {
				_, err := f.svc.SignIn(ctx, "kim", "not the right password", "c2")
				wantCode(t, err, apperr.Unauthorized, "login.failed")
				_ = i
			}
			// Even the right password is refused while blocked, without
			// being checked.
			for _, pw := range []string{"not the right password", password} {
				_, err := f.svc.SignIn(ctx, "kim", pw, "c2")
				wantCode(t, err, apperr.TooMany, "login.wait")
				secs, ok := apperr.As(err).Args["seconds"].(int)
				if !ok || secs < 1 || secs > 2 {
					t.Errorf("seconds arg = %v, want 1 or 2", apperr.As(err).Args["seconds"])
				}
			}
			if !hasAudit(f.auditEntries(t, audit.Filter{Action: "auth.login", Outcome: audit.Denied}), "auth.login", audit.Denied) {
				t.Error("throttled attempt not audited")
			}
			// Another client is not locked out by this one's guessing.
			if _, err := f.svc.SignIn(ctx, "kim", password, "c3"); err != nil {
				t.Errorf("other client: %v", err)
			}
			f.clock.Add(2 * time.Second)
			if _, err := f.svc.SignIn(ctx, "kim", password, "c2"); err != nil {
				t.Errorf("after the wait: %v", err)
			}
		})

		t.Run("disabled account", func(t *testing.T) {
			if err := f.svc.SetDisabled(ctx, accounts.System, kim.ID, true); err != nil {
				t.Fatal(err)
			}
			_, err := f.svc.SignIn(ctx, "kim", password, "c4")
			wantCode(t, err, apperr.Unauthorized, "login.failed")
		})
	})
}

// TestSignInWithTOTP walks a case worker through enrolment, later
// sign-ins with codes and recovery codes, step-up and sign-out on a fixed
// clock, so replays are refused for being replays and not for being late.
func TestSignInWithTOTP(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		kim := f.createUser(t, org, "kim", access.CaseWorker)
		if _, err := f.svc.SignIn(ctx, "kim", "not the right password", "c"); err == nil {
			t.Fatal("wrong password accepted")
		}

		// Enrolment.
		res, err := f.svc.SignIn(ctx, "  KIM ", password, "c")
		if err != nil || res.Next != accounts.StepEnrol || res.Token == "" {
			t.Fatalf("first sign-in = %+v, %v; want StepEnrol", res, err)
		}
		if cur, err := f.svc.Resolve(ctx, res.Token); err != nil || cur.Next != accounts.StepEnrol {
			t.Fatalf("resolve pending = %+v, %v", cur.Next, err)
		}
		e1, err := f.svc.BeginEnrolment(ctx, res.Token)
		if err != nil {
			t.Fatal(err)
		}
		e2, err := f.svc.BeginEnrolment(ctx, res.Token)
		if err != nil {
			t.Fatal(err)
		}
		if e1.Secret == "" || e1.Secret != e2.Secret || e1.URL != e2.URL || !strings.HasPrefix(e1.URL, "otpauth://totp/") || len(e1.QRPNG) == 0 {
			t.Fatalf("enrolments differ or are incomplete: %q %q", e1.URL, e2.URL)
		}
		secret := e1.Secret
		_, _, err = f.svc.ConfirmEnrolment(ctx, res.Token, wrongCode(f.code(t, secret)))
		if got := fieldKey(t, err, "code"); got != "login.code_wrong" {
			t.Errorf("wrong enrolment code key = %q", got)
		}
		recovery, token, err := f.svc.ConfirmEnrolment(ctx, res.Token, f.code(t, secret))
		if err != nil {
			t.Fatalf("confirm enrolment: %v", err)
		}
		if len(recovery) != 10 || len(slices.Compact(slices.Sorted(slices.Values(recovery)))) != 10 {
			t.Errorf("recovery codes = %v, want 10 distinct", recovery)
		}
		if token == "" || token == res.Token {
			t.Fatal("enrolment did not issue a new token")
		}
		_, err = f.svc.Resolve(ctx, res.Token)
		wantCode(t, err, apperr.Unauthorized, "")
		cur, err := f.svc.Resolve(ctx, token)
		if err != nil || cur.Next != accounts.StepDone || cur.Actor.UserID != kim.ID || !cur.User.TOTPEnabled {
			t.Fatalf("resolve after enrolment = %+v, %v", cur, err)
		}
		_, err = f.svc.BeginEnrolment(ctx, token)
		wantCode(t, err, apperr.Conflict, "enrol.already")

		// Second sign-in asks for a code. The enrolment code's step is spent.
		res, err = f.svc.SignIn(ctx, "kim", password, "c")
		if err != nil || res.Next != accounts.StepTOTP {
			t.Fatalf("second sign-in = %+v, %v; want StepTOTP", res, err)
		}
		if cur, err := f.svc.Resolve(ctx, res.Token); err != nil || cur.Next != accounts.StepTOTP {
			t.Fatalf("resolve pending = %+v, %v", cur.Next, err)
		}
		_, err = f.svc.VerifySecondFactor(ctx, res.Token, f.code(t, secret), "c")
		if got := fieldKey(t, err, "code"); got != "login.code_wrong" {
			t.Errorf("enrolment code replayed: key = %q", got)
		}
		f.clock.Add(30 * time.Second)
		code := f.code(t, secret)
		token, err = f.svc.VerifySecondFactor(ctx, res.Token, code, "c")
		if err != nil || token == "" || token == res.Token {
			t.Fatalf("verify code = %q, %v", token, err)
		}
		_, err = f.svc.Resolve(ctx, res.Token)
		wantCode(t, err, apperr.Unauthorized, "")
		if cur, err := f.svc.Resolve(ctx, token); err != nil || cur.Next != accounts.StepDone {
			t.Fatalf("resolve after code = %+v, %v", cur.Next, err)
		}

		// The same code again, still inside its time window: a replay.
		res, err = f.svc.SignIn(ctx, "kim", password, "c")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.VerifySecondFactor(ctx, res.Token, code, "c")
		if got := fieldKey(t, err, "code"); got != "login.code_wrong" {
			t.Errorf("replayed code: key = %q", got)
		}

		// A recovery code works once; case and dashes do not matter.
		if _, err := f.svc.VerifySecondFactor(ctx, res.Token, recovery[0], "c"); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		res, err = f.svc.SignIn(ctx, "kim", password, "c")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.VerifySecondFactor(ctx, res.Token, recovery[0], "c")
		if got := fieldKey(t, err, "code"); got != "login.code_wrong" {
			t.Errorf("used recovery code: key = %q", got)
		}
		token, err = f.svc.VerifySecondFactor(ctx, res.Token, strings.ToUpper(strings.ReplaceAll(recovery[1], "-", "")), "c")
		if err != nil {
			t.Fatalf("second recovery code: %v", err)
		}

		// Step-up before revealing contact details.
		cur, err = f.svc.Resolve(ctx, token)
		if err != nil || cur.Actor.SteppedUp {
			t.Fatalf("resolve = %+v, %v; want not stepped up", cur.Actor, err)
		}
		_, err = f.svc.RevealProfile(ctx, cur.Actor, kim.ID)
		wantCode(t, err, apperr.StepUp, "error.step_up")
		f.clock.Add(30 * time.Second)
		err = f.svc.StepUp(ctx, token, "not the right password", f.code(t, secret), "c")
		if got := fieldKey(t, err, "password"); got != "login.failed" {
			t.Errorf("step-up with wrong password: key = %q", got)
		}
		err = f.svc.StepUp(ctx, token, password, wrongCode(f.code(t, secret)), "c")
		if got := fieldKey(t, err, "password"); got != "login.failed" {
			t.Errorf("step-up with wrong code: key = %q", got)
		}
		if err := f.svc.StepUp(ctx, token, password, f.code(t, secret), "c"); err != nil {
			t.Fatalf("step-up: %v", err)
		}
		cur, err = f.svc.Resolve(ctx, token)
		if err != nil || !cur.Actor.SteppedUp {
			t.Fatalf("resolve = %+v, %v; want stepped up", cur.Actor, err)
		}
		p, err := f.svc.RevealProfile(ctx, cur.Actor, kim.ID)
		if err != nil || p.DisplayName != "Person kim" || p.Email != "kim@example.org" {
			t.Errorf("reveal = %+v, %v", p, err)
		}
		f.clock.Add(5 * time.Minute)
		if cur, err := f.svc.Resolve(ctx, token); err != nil || cur.Actor.SteppedUp {
			t.Errorf("five minutes after step-up: %+v, %v; want not stepped up", cur.Actor, err)
		}

		if err := f.svc.SignOut(ctx, token); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Resolve(ctx, token)
		wantCode(t, err, apperr.Unauthorized, "")

		entries := f.auditEntries(t, audit.Filter{Action: "auth.*", SubjectID: kim.ID})
		for _, want := range []struct{ action, outcome string }{
			{"auth.login", audit.Done}, {"auth.login", audit.Failed},
			{"auth.totp_enrol", audit.Done}, {"auth.totp_enrol", audit.Failed},
			{"auth.second_factor", audit.Done}, {"auth.second_factor", audit.Failed},
			{"auth.step_up", audit.Done}, {"auth.step_up", audit.Failed},
			{"auth.logout", audit.Done},
		} {
			if !hasAudit(entries, want.action, want.outcome) {
				t.Errorf("no audit entry %s %s", want.action, want.outcome)
			}
		}
		if !slices.ContainsFunc(entries, func(e audit.Entry) bool {
			return e.Action == "auth.second_factor" && e.Outcome == audit.Done && e.Detail == "recovery_code"
		}) {
			t.Error("sign-in with a recovery code not audited as such")
		}
	})
}

// TestEnrolmentCodeFromNextStep enrols with a code of the next time step
// (accepted for clock drift): it must not be accepted again once that step
// arrives.
func TestEnrolmentCodeFromNextStep(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		f.createUser(t, org, "kim", access.CaseWorker)
		res, err := f.svc.SignIn(ctx, "kim", password, "c")
		if err != nil {
			t.Fatal(err)
		}
		e, err := f.svc.BeginEnrolment(ctx, res.Token)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(30 * time.Second)
		next := f.code(t, e.Secret)
		f.clock.Add(-30 * time.Second)
		if _, _, err := f.svc.ConfirmEnrolment(ctx, res.Token, next); err != nil {
			t.Fatalf("confirm with next step's code: %v", err)
		}
		f.clock.Add(30 * time.Second)
		res, err = f.svc.SignIn(ctx, "kim", password, "c")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.VerifySecondFactor(ctx, res.Token, next, "c")
		if got := fieldKey(t, err, "code"); got != "login.code_wrong" {
			t.Errorf("enrolment code replayed: key = %q", got)
		}
	})
}

func TestSecondFactorThrottle(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		f.createUser(t, org, "kim", access.CaseWorker)
		res, _ := f.svc.SignIn(ctx, "kim", password, "c")
		e, _ := f.svc.BeginEnrolment(ctx, res.Token)
		if _, _, err := f.svc.ConfirmEnrolment(ctx, res.Token, f.code(t, e.Secret)); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(30 * time.Second)
		res, err := f.svc.SignIn(ctx, "kim", password, "c")
		if err != nil {
			t.Fatal(err)
		}
		right := f.code(t, e.Secret)
		for range 5 {
			_, err := f.svc.VerifySecondFactor(ctx, res.Token, wrongCode(right), "c")
			wantCode(t, err, apperr.Invalid, "")
		}
		_, err = f.svc.VerifySecondFactor(ctx, res.Token, right, "c")
		wantCode(t, err, apperr.TooMany, "login.wait")
	})
}

func TestAnalystNeedsNoSecondFactor(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Riverton Human Rights Office", accounts.Municipality)
		ari := f.createUser(t, org, "ari", access.Analyst)
		res, err := f.svc.SignIn(ctx, "ari", password, "c")
		if err != nil || res.Next != accounts.StepDone {
			t.Fatalf("sign in = %+v, %v; want StepDone", res, err)
		}
		cur, err := f.svc.Resolve(ctx, res.Token)
		if err != nil || cur.Next != accounts.StepDone || cur.Actor.Role != access.Analyst || cur.Actor.UserID != ari.ID {
			t.Fatalf("resolve = %+v, %v", cur, err)
		}
		if err := f.svc.StepUp(ctx, res.Token, "not the right password", "", "c"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("step-up with wrong password = %v", err)
		}
		if err := f.svc.StepUp(ctx, res.Token, password, "", "c"); err != nil {
			t.Errorf("step-up without code: %v", err)
		}
	})
}

func TestSessionTimeouts(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		kim := f.createUser(t, org, "kim", access.CaseWorker)
		ari := f.createUser(t, org, "ari", access.Analyst)
		resolve := func(t *testing.T, token string, wantOK bool) {
			t.Helper()
			_, err := f.svc.Resolve(ctx, token)
			switch {
			case wantOK && err != nil:
				t.Fatalf("at %s: resolve: %v", f.clock.Now().Sub(t0), err)
			case !wantOK:
				if !apperr.Is(err, apperr.Unauthorized) {
					t.Fatalf("at %s: resolve = %v, want Unauthorized", f.clock.Now().Sub(t0), err)
				}
				// The ended session is gone for good.
				f.clock.Add(time.Nanosecond)
				_, err = f.svc.Resolve(ctx, token)
				wantCode(t, err, apperr.Unauthorized, "")
			}
		}

		t.Run("idle 15 minutes for roles that see personal data", func(t *testing.T) {
			active, idle := f.session(t, kim.ID), f.session(t, kim.ID)
			f.clock.Add(15*time.Minute - time.Second)
			resolve(t, active, true)
			f.clock.Add(time.Second)
			resolve(t, idle, false)
			resolve(t, active, true) // seen a second ago
			f.clock.Add(15 * time.Minute)
			resolve(t, active, false)
		})
		t.Run("idle 60 minutes for analysts", func(t *testing.T) {
			active, idle := f.session(t, ari.ID), f.session(t, ari.ID)
			f.clock.Add(59 * time.Minute)
			resolve(t, active, true)
			f.clock.Add(time.Minute)
			resolve(t, idle, false)
			resolve(t, active, true)
		})
		t.Run("absolute 12 hours however active", func(t *testing.T) {
			for _, id := range []string{kim.ID, ari.ID} {
				token := f.session(t, id)
				for range 12*6 - 1 {
					f.clock.Add(10 * time.Minute)
					resolve(t, token, true)
				}
				f.clock.Add(10 * time.Minute)
				resolve(t, token, false)
			}
		})
		t.Run("a pending sign-in expires too", func(t *testing.T) {
			res, err := f.svc.SignIn(ctx, "kim", password, "c")
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Add(15 * time.Minute)
			_, err = f.svc.BeginEnrolment(ctx, res.Token)
			wantCode(t, err, apperr.Unauthorized, "")
		})
	})
}

// wrongCode returns a six-digit code different from right.
func wrongCode(right string) string {
	if right == "000000" {
		return "111111"
	}
	return "000000"
}

// TestThrottleConcurrentGuesses sends a burst of simultaneous wrong
// passwords from one client: the throttle must answer all but the free
// allowance with TooMany, not let every request of the burst through
// because each checked the counter before any failure was recorded.
func TestThrottleConcurrentGuesses(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		f.createUser(t, org, "kim", access.CaseWorker)
		const burst = 24
		errs := make(chan error, burst)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range burst {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := f.svc.SignIn(ctx, "kim", "not the right password", "burst")
				errs <- err
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		answered := 0
		for err := range errs {
			switch {
			case apperr.Is(err, apperr.TooMany):
			case apperr.Is(err, apperr.Unauthorized):
				answered++
			default:
				t.Errorf("sign-in: %v", err)
			}
		}
		// Five failures are free (auth's pairFreeFailures).
		if answered > 5 {
			t.Errorf("%d of %d simultaneous attempts were checked, want at most 5", answered, burst)
		}
	})
}
