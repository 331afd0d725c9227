package accounts_test

import (
	"context"
	"slices"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/storage"
)

func actorOf(u accounts.User) access.Actor {
	return access.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}
}

func TestChangePassword(t *testing.T) {
	const newPassword = "seven quiet lanterns drift home"
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		kim := f.createUser(t, org, "kim", access.CaseWorker)
		here, elsewhere := f.session(t, kim.ID), f.session(t, kim.ID)
		actor := actorOf(kim)

		for _, tc := range []struct {
			name       string
			in         accounts.PasswordChange
			field, key string
		}{
			{"wrong current password", accounts.PasswordChange{Current: "not the right password", New: newPassword, Confirm: newPassword},
				"current_password", "account.password_wrong"},
			{"no current password", accounts.PasswordChange{New: newPassword, Confirm: newPassword},
				"current_password", "account.password_current_required"},
			{"too short", accounts.PasswordChange{Current: password, New: "short one", Confirm: "short one"},
				"new_password", "password.too_short"},
			{"common", accounts.PasswordChange{Current: password, New: "password12345", Confirm: "password12345"},
				"new_password", "password.common"},
			{"contains the username", accounts.PasswordChange{Current: password, New: "kim likes long walks", Confirm: "kim likes long walks"},
				"new_password", "password.contains_username"},
			{"confirmation differs", accounts.PasswordChange{Current: password, New: newPassword, Confirm: newPassword + "!"},
				"confirm_password", "account.password_mismatch"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := f.svc.ChangePassword(ctx, actor, here, tc.in, "c1")
				if got := fieldKey(t, err, tc.field); got != tc.key {
					t.Errorf("%s error = %q, want %q", tc.field, got, tc.key)
				}
				if _, err := f.svc.Resolve(ctx, elsewhere); err != nil {
					t.Errorf("a refused change ended the other session: %v", err)
				}
			})
		}
		if !hasAudit(f.auditEntries(t, audit.Filter{Action: "account.password_change", Outcome: audit.Failed}), "account.password_change", audit.Failed) {
			t.Error("wrong current password not audited")
		}

		t.Run("success ends the other sessions", func(t *testing.T) {
			err := f.svc.ChangePassword(ctx, actor, here, accounts.PasswordChange{Current: password, New: newPassword, Confirm: newPassword}, "c1")
			if err != nil {
				t.Fatalf("change password: %v", err)
			}
			if _, err := f.svc.Resolve(ctx, here); err != nil {
				t.Errorf("the session that changed the password ended: %v", err)
			}
			if _, err := f.svc.Resolve(ctx, elsewhere); !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("other session after the change: %v, want Unauthorized", err)
			}
			if _, err := f.svc.SignIn(ctx, "kim", password, "c1"); !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("old password still signs in: %v", err)
			}
			if _, err := f.svc.SignIn(ctx, "kim", newPassword, "c1"); err != nil {
				t.Errorf("new password does not sign in: %v", err)
			}
			if !hasAudit(f.auditEntries(t, audit.Filter{Action: "account.password_change"}), "account.password_change", audit.Done) {
				t.Error("password change not audited")
			}
		})

		t.Run("wrong current passwords are throttled", func(t *testing.T) {
			bad := accounts.PasswordChange{Current: "still not the password", New: newPassword, Confirm: newPassword}
			var err error
			for range 6 {
				if err = f.svc.ChangePassword(ctx, actor, here, bad, "c2"); apperr.Is(err, apperr.TooMany) {
					break
				}
			}
			wantCode(t, err, apperr.TooMany, "login.wait")
		})

		t.Run("another user's session", func(t *testing.T) {
			lee := f.createUser(t, org, "lee", access.CaseWorker)
			err := f.svc.ChangePassword(ctx, actorOf(lee), here, accounts.PasswordChange{Current: password, New: newPassword, Confirm: newPassword}, "c3")
			wantCode(t, err, apperr.Unauthorized, "")
		})
	})
}

func TestRegenerateRecoveryCodes(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		kim := f.createUser(t, org, "kim", access.CaseWorker)
		old, hashes, err := auth.NewRecoveryCodes(auth.DefaultRecoveryCodes)
		if err != nil {
			t.Fatal(err)
		}
		f.write(t, func(ctx context.Context, tx *storage.Tx) error {
			return auth.ReplaceRecoveryCodes(ctx, tx, kim.ID, hashes)
		})
		actor := actorOf(kim)

		_, err = f.svc.RegenerateRecoveryCodes(ctx, actor)
		wantCode(t, err, apperr.StepUp, "error.step_up")

		actor.SteppedUp = true
		codes, err := f.svc.RegenerateRecoveryCodes(ctx, actor)
		if err != nil {
			t.Fatalf("regenerate: %v", err)
		}
		if len(codes) != auth.DefaultRecoveryCodes || slices.ContainsFunc(codes, func(c string) bool { return slices.Contains(old, c) }) {
			t.Fatalf("got %d codes, some perhaps old: %v", len(codes), codes)
		}
		a, err := f.svc.Account(ctx, actor, f.session(t, kim.ID))
		if err != nil {
			t.Fatal(err)
		}
		if a.RecoveryCodesLeft != auth.DefaultRecoveryCodes {
			t.Errorf("codes left = %d, want %d", a.RecoveryCodesLeft, auth.DefaultRecoveryCodes)
		}
		f.write(t, func(ctx context.Context, tx *storage.Tx) error {
			if ok, err := auth.UseRecoveryCode(ctx, tx, kim.ID, old[0]); err != nil || ok {
				t.Errorf("old code still works: %v %v", ok, err)
			}
			if ok, err := auth.UseRecoveryCode(ctx, tx, kim.ID, codes[0]); err != nil || !ok {
				t.Errorf("new code does not work: %v %v", ok, err)
			}
			return nil
		})
		if !hasAudit(f.auditEntries(t, audit.Filter{Action: "account.recovery_codes"}), "account.recovery_codes", audit.Done) {
			t.Error("regeneration not audited")
		}
	})
}

func TestSessionsAndEndOthers(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		kim := f.createUser(t, org, "kim", access.CaseWorker)
		lee := f.createUser(t, org, "lee", access.CaseWorker)
		here := f.session(t, kim.ID)
		others := []string{f.session(t, kim.ID), f.session(t, kim.ID)}
		leeSession := f.session(t, lee.ID)
		actor := actorOf(kim)

		a, err := f.svc.Account(ctx, actor, here)
		if err != nil {
			t.Fatal(err)
		}
		current := 0
		for _, s := range a.Sessions {
			if s.Current {
				current++
			}
			if !s.Complete || !s.CreatedAt.Equal(f.clock.Now()) {
				t.Errorf("session %+v: want complete, created at the fixture's clock", s)
			}
		}
		if len(a.Sessions) != 3 || current != 1 {
			t.Fatalf("sessions = %+v, want 3 with one current", a.Sessions)
		}
		if a.User.Username != "kim" || a.User.OrgName != "Safe Harbour" {
			t.Errorf("account user = %+v", a.User)
		}

		n, err := f.svc.EndOtherSessions(ctx, actor, here)
		if err != nil || n != 2 {
			t.Fatalf("end others = %d, %v; want 2", n, err)
		}
		for _, tok := range others {
			if _, err := f.svc.Resolve(ctx, tok); !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("other session after ending: %v", err)
			}
		}
		if _, err := f.svc.Resolve(ctx, leeSession); err != nil {
			t.Errorf("another user's session ended: %v", err)
		}
		if a, err = f.svc.Account(ctx, actor, here); err != nil || len(a.Sessions) != 1 || !a.Sessions[0].Current {
			t.Errorf("sessions after ending others = %+v, %v", a.Sessions, err)
		}
		if !hasAudit(f.auditEntries(t, audit.Filter{Action: "account.sessions_end"}), "account.sessions_end", audit.Done) {
			t.Error("ending sessions not audited")
		}
		// A token of someone else's session cannot end sessions.
		_, err = f.svc.EndOtherSessions(ctx, actor, leeSession)
		wantCode(t, err, apperr.Unauthorized, "")
	})
}

// write runs fn in a write transaction of the fixture's database.
func (f fixture) write(t *testing.T, fn func(ctx context.Context, tx *storage.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := f.env.App.DB.Write(ctx, func(tx *storage.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("write: %v", err)
	}
}
