package accounts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
)

// newcomer is the input of an account a coordinator creates: no password.
func newcomer(org, username string) accounts.NewUser {
	return accounts.NewUser{OrgID: org, Username: username, Role: access.CaseWorker, Language: "en",
		Profile: accounts.Profile{DisplayName: "Person " + username, Email: username + "@example.org"}}
}

// TestOwnerActivatesAccount: the creator of an account never sets or learns
// its password. The account gets a one-time link that expires; its owner
// sets the password through it and goes on to set up the second factor.
// Forged, used and expired links are refused and change nothing (issue 11,
// item 2).
func TestOwnerActivatesAccount(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("City Office", accounts.Municipality)
		coord := f.env.User("coord", access.Coordinator, org)

		withPassword := newcomer(org, "nadia")
		withPassword.Password = password
		_, _, err := f.svc.CreateUser(ctx, coord.Actor, withPassword)
		if got := fieldKey(t, err, "password"); got != "user.password_by_owner" {
			t.Errorf("a password from the creator: key %q", got)
		}
		if n, _ := f.svc.CountUsers(ctx, accounts.System, accounts.UserFilter{OrgID: org}); n != 1 {
			t.Fatalf("%d accounts after a refused creation, want 1", n)
		}

		u, link, err := f.svc.CreateUser(ctx, coord.Actor, newcomer(org, "nadia"))
		if err != nil {
			t.Fatal(err)
		}
		if link.Token == "" || link.Mailed || !link.ExpiresAt.Equal(t0.Add(accounts.ActivationLifetime)) {
			t.Fatalf("activation = %+v", link)
		}
		if got, err := f.svc.GetUser(ctx, coord.Actor, u.ID); err != nil || !got.Pending {
			t.Errorf("new account = %+v, %v; want pending activation", got, err)
		}
		// Nobody signs in to an account not yet activated, whatever they type.
		for _, pw := range []string{"", password} {
			if _, err := f.svc.SignIn(ctx, "nadia", pw, "c"); !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("sign in before activation with %q: %v", pw, err)
			}
		}

		if p, err := f.svc.PendingActivation(ctx, link.Token); err != nil || p.Username != "nadia" {
			t.Errorf("pending activation = %+v, %v", p, err)
		}
		const chosen = "copper kettle sings at dawn"
		// The token with its last character changed: "A", or "B" when it
		// ended in "A" (before, a fixed "A" left one token in 64 unchanged,
		// and decoding let three more spellings of a token through).
		altered := link.Token[:len(link.Token)-1] + "A"
		if altered == link.Token {
			altered = link.Token[:len(link.Token)-1] + "B"
		}
		// The same bytes spelt with the last character's unused low bit set.
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		last := strings.IndexByte(alphabet, link.Token[len(link.Token)-1])
		respelt := link.Token[:len(link.Token)-1] + string(alphabet[last^1])
		for _, bad := range []struct {
			token, pw, confirm string
			code               apperr.Code
			key                string
		}{
			{"forged-token", chosen, chosen, apperr.NotFound, "activate.unknown"},
			{altered, chosen, chosen, apperr.NotFound, "activate.unknown"},
			{respelt, chosen, chosen, apperr.NotFound, "activate.unknown"},
			{link.Token, "short", "short", apperr.Invalid, ""},
			{link.Token, chosen, chosen + "!", apperr.Invalid, ""},
		} {
			_, err := f.svc.Activate(ctx, bad.token, bad.pw, bad.confirm)
			wantCode(t, err, bad.code, bad.key)
		}
		if got, _ := f.svc.GetUser(ctx, coord.Actor, u.ID); !got.Pending {
			t.Fatal("a refused activation changed the account")
		}

		res, err := f.svc.Activate(ctx, link.Token, chosen, chosen)
		if err != nil || res.Next != accounts.StepEnrol || res.Token == "" {
			t.Fatalf("activate = %+v, %v", res, err)
		}
		// The owner goes on to the existing enrolment of the second factor.
		e, err := f.svc.BeginEnrolment(ctx, res.Token)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.ConfirmEnrolment(ctx, res.Token, f.code(t, e.Secret)); err != nil {
			t.Fatalf("enrol: %v", err)
		}
		_, err = f.svc.Activate(ctx, link.Token, "another phrase for the taking", "another phrase for the taking")
		wantCode(t, err, apperr.Conflict, "activate.used")
		if _, err := f.svc.SignIn(ctx, "nadia", "another phrase for the taking", "c"); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("the used link changed the password: %v", err)
		}
		if r, err := f.svc.SignIn(ctx, "nadia", chosen, "c"); err != nil || r.Next != accounts.StepTOTP {
			t.Errorf("sign in with the owner's password = %+v, %v", r, err)
		}
		if !hasAudit(f.auditEntries(t, audit.Filter{SubjectID: u.ID}), "user.activate", audit.Done) {
			t.Error("no audit entry of the activation")
		}
		// An activated account gets no new link.
		_, err = f.svc.IssueActivation(ctx, coord.Actor, u.ID)
		wantCode(t, err, apperr.Conflict, "user.already_active")

		// A link expires; a new one replaces it.
		late, old, err := f.svc.CreateUser(ctx, coord.Actor, newcomer(org, "late"))
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(accounts.ActivationLifetime + time.Minute)
		_, err = f.svc.Activate(ctx, old.Token, chosen, chosen)
		wantCode(t, err, apperr.Conflict, "activate.expired")
		fresh, err := f.svc.IssueActivation(ctx, coord.Actor, late.ID)
		if err != nil || fresh.Token == "" || fresh.Token == old.Token {
			t.Fatalf("new link = %+v, %v", fresh, err)
		}
		if _, err := f.svc.Activate(ctx, fresh.Token, chosen, chosen); err != nil {
			t.Errorf("activate with the new link: %v", err)
		}
	})
}

// TestAccountsElsewhereNeedAnAdministrator: a coordinator creates accounts
// only in their own organisation and leaves administrators' accounts alone;
// the refusal is a 403 that changes nothing. An account an administrator
// creates in another organisation is shown to that organisation's account
// managers (issue 11, item 2).
func TestAccountsElsewhereNeedAnAdministrator(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		city := f.env.Org("City Office", accounts.Municipality)
		ngo := f.env.Org("Safe Harbour", accounts.NGO)
		coord := f.env.User("coord", access.Coordinator, city)
		admin := f.env.User("admin", access.Administrator, city)
		ngoAdmin := f.env.User("ngo-admin", access.Administrator, ngo)
		ngoCoord := f.env.User("ngo-coord", access.Coordinator, ngo)

		_, _, err := f.svc.CreateUser(ctx, coord.Actor, newcomer(ngo, "intruder"))
		wantCode(t, err, apperr.Forbidden, "user.other_org_admin_only")
		if n, _ := f.svc.CountUsers(ctx, accounts.System, accounts.UserFilter{OrgID: ngo}); n != 2 {
			t.Errorf("%d accounts in the NGO after a refused creation, want 2", n)
		}
		if !hasAudit(f.auditEntries(t, audit.Filter{ActorUserID: coord.ID}), "users.create", audit.Denied) {
			t.Error("the refusal is not audited")
		}

		for _, change := range []func() error{
			func() error { return f.svc.SetRole(ctx, coord.Actor, ngoAdmin.ID, access.CaseWorker) },
			func() error { return f.svc.SetDisabled(ctx, coord.Actor, ngoAdmin.ID, true) },
			func() error { return f.svc.SetDisabled(ctx, coord.Actor, admin.ID, true) },
		} {
			wantCode(t, change(), apperr.Forbidden, "user.admin_only")
		}
		for _, id := range []string{ngoAdmin.ID, admin.ID} {
			if u, _ := f.svc.GetUser(ctx, accounts.System, id); u.Role != access.Administrator || u.DisabledAt != nil {
				t.Errorf("a refused change changed %s: %+v", u.Username, u)
			}
		}
		if n := len(f.auditEntries(t, audit.Filter{ActorUserID: coord.ID, Outcome: audit.Denied})); n != 4 {
			t.Errorf("%d refusals audited, want 4", n)
		}
		// A coordinator still manages other accounts of the partnership.
		if err := f.svc.SetDisabled(ctx, coord.Actor, ngoCoord.ID, true); err != nil {
			t.Errorf("coordinator disabling a coordinator elsewhere: %v", err)
		}
		if err := f.svc.SetDisabled(ctx, coord.Actor, ngoCoord.ID, false); err != nil {
			t.Fatal(err)
		}

		u, _, err := f.svc.CreateUser(ctx, admin.Actor, newcomer(ngo, "placed"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.IssueActivation(ctx, coord.Actor, u.ID)
		wantCode(t, err, apperr.NotFound, "")
		for _, viewer := range []access.Actor{ngoAdmin.Actor, ngoCoord.Actor} {
			notes, err := f.svc.CreatedElsewhere(ctx, viewer)
			if err != nil || len(notes) != 1 || notes[0].Username != "placed" || notes[0].ByOrgName != "City Office" || notes[0].ByUsername != "admin" {
				t.Errorf("notices for %s = %+v, %v", viewer.Role, notes, err)
			}
		}
		if notes, err := f.svc.CreatedElsewhere(ctx, admin.Actor); err != nil || len(notes) != 0 {
			t.Errorf("notices for the creating organisation = %+v, %v", notes, err)
		}
		if err := f.svc.SetRole(ctx, admin.Actor, ngoAdmin.ID, access.Coordinator); err != nil {
			t.Errorf("administrator changing an administrator's role: %v", err)
		}
	})
}
