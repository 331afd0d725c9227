package accounts_test

import (
	"context"
	"fmt"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
)

// TestKnownDeviceSignsInDuringAttack: attackers rotating client keys (and
// one behind the owner's own proxy address) guess the owner's password;
// the owner's browser, which signed in before and holds a device token,
// gets in every time, while a browser unknown to the account is slowed.
func TestKnownDeviceSignsInDuringAttack(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		kim := f.createUser(t, org, "kim", access.CaseWorker)
		devices, err := f.svc.RememberDevice(ctx, f.session(t, kim.ID), []string{"someone-elses-token"})
		if err != nil || len(devices) != 2 || devices[1] != "someone-elses-token" {
			t.Fatalf("remember device = %v, %v", devices, err)
		}

		signedIn := 0
		for round := range 30 {
			for i := range 10 {
				client := fmt.Sprintf("bot-%d-%d", round, i)
				if i == 0 {
					client = "office-proxy" // the attacker shares the owner's address
				}
				_, err := f.svc.SignIn(ctx, "kim", fmt.Sprintf("guess %d %d", round, i), client)
				if !apperr.Is(err, apperr.Unauthorized) && !apperr.Is(err, apperr.TooMany) {
					t.Fatalf("guess: %v", err)
				}
			}
			if _, err := f.svc.SignIn(ctx, "kim", password, "office-proxy", devices...); err != nil {
				t.Errorf("round %d: the owner with a device token: %v", round, err)
				continue
			}
			signedIn++
		}
		if signedIn != 30 {
			t.Errorf("the owner got in %d of 30 times", signedIn)
		}
		_, err = f.svc.SignIn(ctx, "kim", password, "new-laptop")
		wantCode(t, err, apperr.TooMany, "login.wait")

		// A throttled attempt names the account it targeted.
		named := false
		for _, e := range f.auditEntries(t, audit.Filter{Action: "auth.login", Outcome: audit.Denied}) {
			named = named || (e.Detail == "throttled" && e.SubjectID == kim.ID)
		}
		if !named {
			t.Error("no throttled sign-in names the targeted account")
		}

		// The device token opens no other account and is no use forged.
		f.createUser(t, org, "ari", access.CaseWorker)
		for range 12 {
			_, _ = f.svc.SignIn(ctx, "ari", "wrong", "bot")
		}
		_, err = f.svc.SignIn(ctx, "ari", password, "bot", devices...)
		wantCode(t, err, apperr.TooMany, "login.wait")
		forged := []byte(devices[0])
		forged[5] ^= 1
		_, err = f.svc.SignIn(ctx, "kim", password, "office-proxy", string(forged))
		wantCode(t, err, apperr.TooMany, "login.wait")

		// Signing in again replaces the account's token and keeps others.
		again, err := f.svc.RememberDevice(ctx, f.session(t, kim.ID), append(devices, "a", "b", "c"))
		if err != nil || len(again) != 4 || again[0] == devices[0] || again[1] != "someone-elses-token" {
			t.Errorf("remember again = %v, %v", again, err)
		}
	})
}

// A session still owing its second factor gets no device token.
func TestRememberDeviceNeedsCompleteSignIn(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		f.createUser(t, org, "kim", access.CaseWorker)
		res, err := f.svc.SignIn(ctx, "kim", password, "c")
		if err != nil || res.Next == accounts.StepDone {
			t.Fatalf("sign-in = %+v, %v", res, err)
		}
		_, err = f.svc.RememberDevice(ctx, res.Token, nil)
		wantCode(t, err, apperr.Unauthorized, "")
		_, err = f.svc.RememberDevice(ctx, "no such session", nil)
		wantCode(t, err, apperr.Unauthorized, "")
	})
}
