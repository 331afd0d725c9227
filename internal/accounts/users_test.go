package accounts_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

func TestCreateUserValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		valid := func() accounts.NewUser {
			return accounts.NewUser{OrgID: org, Username: "kim.case-worker_2", Role: access.CaseWorker, Password: password,
				Profile: accounts.Profile{DisplayName: "Kim Example", Email: "kim@example.org", Phone: "+43 1 234"}}
		}
		tests := []struct {
			name  string
			edit  func(*accounts.NewUser)
			field string
			key   string // empty: created
		}{
			{"valid", func(*accounts.NewUser) {}, "", ""},
			{"username upper case is lowered", func(u *accounts.NewUser) { u.Username = "  ANA.B " }, "", ""},
			{"username one character", func(u *accounts.NewUser) { u.Username = "a" }, "username", "user.username_invalid"},
			{"username empty", func(u *accounts.NewUser) { u.Username = "" }, "username", "user.username_invalid"},
			{"username leading dot", func(u *accounts.NewUser) { u.Username = ".kim" }, "username", "user.username_invalid"},
			{"username space", func(u *accounts.NewUser) { u.Username = "kim b" }, "username", "user.username_invalid"},
			{"username at sign", func(u *accounts.NewUser) { u.Username = "kim@org" }, "username", "user.username_invalid"},
			{"username non-ascii", func(u *accounts.NewUser) { u.Username = "zoë" }, "username", "user.username_invalid"},
			{"username 64 characters", func(u *accounts.NewUser) { u.Username = strings.Repeat("k", 64) }, "username", "user.username_invalid"},
			{"username invalid utf-8", func(u *accounts.NewUser) { u.Username = "kim\xff" }, "username", "user.username_invalid"},
			{"role unknown", func(u *accounts.NewUser) { u.Role = "boss" }, "role", "user.role_invalid"},
			{"role empty", func(u *accounts.NewUser) { u.Role = "" }, "role", "user.role_invalid"},
			{"org missing", func(u *accounts.NewUser) { u.OrgID = "" }, "org", "user.org_required"},
			{"org unknown", func(u *accounts.NewUser) { u.OrgID = accounts.NewID() }, "org", "user.org_required"},
			{"name missing", func(u *accounts.NewUser) { u.Profile.DisplayName = "  " }, "name", "user.name_required"},
			{"name too long", func(u *accounts.NewUser) { u.Profile.DisplayName = strings.Repeat("n", 201) }, "name", "error.too_long"},
			{"name invalid utf-8", func(u *accounts.NewUser) { u.Profile.DisplayName = "Kim \xc3\x28" }, "name", "error.bad_encoding"},
			{"email invalid", func(u *accounts.NewUser) { u.Profile.Email = "kim at example" }, "email", "user.email_invalid"},
			{"email with display name", func(u *accounts.NewUser) { u.Profile.Email = "Kim <kim@example.org>" }, "email", "user.email_invalid"},
			{"email invalid utf-8", func(u *accounts.NewUser) { u.Profile.Email = "k\xffm@example.org" }, "email", "error.bad_encoding"},
			{"phone invalid utf-8", func(u *accounts.NewUser) { u.Profile.Phone = "+43 \xff" }, "phone", "error.bad_encoding"},
			{"password too short", func(u *accounts.NewUser) { u.Password = "short pass" }, "password", "password.too_short"},
			{"password common", func(u *accounts.NewUser) { u.Password = "password1234" }, "password", "password.common"},
			{"password contains username", func(u *accounts.NewUser) { u.Username = "marguerite"; u.Password = "xx-Marguerite-2026!" }, "password", "password.contains_username"},
			{"password invalid utf-8", func(u *accounts.NewUser) { u.Password = "amber lantern \xff harbour" }, "password", "error.bad_encoding"},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := valid()
				in.Username = "u" + string(rune('a'+i)) + "-" + in.Username
				tt.edit(&in)
				u, err := f.svc.CreateUserWithPassword(ctx, in)
				if tt.key == "" {
					if err != nil {
						t.Fatalf("create: %v", err)
					}
					if u.Username != strings.ToLower(strings.TrimSpace(in.Username)) || u.OrgName != "Safe Harbour" || u.Role != in.Role {
						t.Errorf("created %+v", u)
					}
					return
				}
				if got := fieldKey(t, err, tt.field); got != tt.key {
					t.Errorf("field %s key = %q, want %q", tt.field, got, tt.key)
				}
			})
		}

		t.Run("duplicate username, any case", func(t *testing.T) {
			in := valid()
			in.Username = "dupe"
			if _, err := f.svc.CreateUserWithPassword(ctx, in); err != nil {
				t.Fatal(err)
			}
			in.Username = "DUPE"
			_, err := f.svc.CreateUserWithPassword(ctx, in)
			if got := fieldKey(t, err, "username"); got != "user.username_taken" {
				t.Errorf("username key = %q, want user.username_taken", got)
			}
		})
	})
}

func TestUserScope(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		orgA := f.env.Org("Org A", accounts.NGO)
		orgB := f.env.Org("Org B", accounts.SocialServices)
		a1 := f.env.User("a1", access.CaseWorker, orgA)
		b1 := f.env.User("b1", access.CaseWorker, orgB)
		b2 := f.env.User("b2", access.Screener, orgB)
		coord := f.env.User("coord", access.Coordinator, orgA)
		worker := b1.Actor
		worker.SteppedUp = true

		t.Run("case worker of B cannot see a user of A", func(t *testing.T) {
			_, err := f.svc.GetUser(ctx, worker, a1.ID)
			wantCode(t, err, apperr.NotFound, "")
			_, err = f.svc.RevealProfile(ctx, worker, a1.ID)
			wantCode(t, err, apperr.NotFound, "")
			entries := f.auditEntries(t, audit.Filter{ActorUserID: b1.ID, Action: "user.reveal_contact"})
			if !hasAudit(entries, "user.reveal_contact", audit.Denied) || hasAudit(entries, "user.reveal_contact", audit.Allowed) {
				t.Errorf("reveal refusal audit = %+v", entries)
			}
		})
		t.Run("case worker of B sees users of B", func(t *testing.T) {
			if u, err := f.svc.GetUser(ctx, worker, b2.ID); err != nil || u.ID != b2.ID {
				t.Errorf("get = %+v, %v", u, err)
			}
			p, err := f.svc.RevealProfile(ctx, worker, b2.ID)
			if err != nil || p.DisplayName != "Test b2" {
				t.Errorf("reveal = %+v, %v", p, err)
			}
			users, err := f.svc.ListUsers(ctx, worker, accounts.UserFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, u := range users {
				names = append(names, u.Username)
			}
			if got := strings.Join(names, ","); got != "b1,b2" {
				t.Errorf("list = %s, want b1,b2", got)
			}
			_, err = f.svc.ListUsers(ctx, worker, accounts.UserFilter{OrgID: orgA})
			wantCode(t, err, apperr.Forbidden, "")
		})
		t.Run("case worker cannot create users", func(t *testing.T) {
			for _, org := range []string{orgA, orgB} {
				_, _, err := f.svc.CreateUser(ctx, worker, accounts.NewUser{OrgID: org, Username: "sneaky", Role: access.Administrator,
					Profile: accounts.Profile{DisplayName: "Sneaky"}})
				wantCode(t, err, apperr.Forbidden, "")
			}
			if !hasAudit(f.auditEntries(t, audit.Filter{ActorUserID: b1.ID}), string(access.CreateUsers), audit.Denied) {
				t.Error("refusal not audited")
			}
		})
		t.Run("coordinator sees every organisation's users", func(t *testing.T) {
			if _, err := f.svc.GetUser(ctx, coord.Actor, b1.ID); err != nil {
				t.Error(err)
			}
			users, err := f.svc.ListUsers(ctx, coord.Actor, accounts.UserFilter{})
			if err != nil || len(users) != 4 {
				t.Errorf("list = %d users, %v; want 4", len(users), err)
			}
		})
	})
}

func TestRevealProfile(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		coord := f.env.User("coord", access.Coordinator, org)
		target, err := f.svc.CreateUserWithPassword(ctx, accounts.NewUser{OrgID: org, Username: "kim", Role: access.CaseWorker,
			Password: password, Profile: accounts.Profile{DisplayName: "Kim Ålander", Email: "kim@example.org", Phone: "+43 1 234"}})
		if err != nil {
			t.Fatal(err)
		}

		_, err = f.svc.RevealProfile(ctx, coord.Actor, target.ID)
		wantCode(t, err, apperr.StepUp, "error.step_up")

		actor := coord.Actor
		actor.SteppedUp = true
		p, err := f.svc.RevealProfile(ctx, actor, target.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := (accounts.Profile{DisplayName: "Kim Ålander", Email: "kim@example.org", Phone: "+43 1 234"}); p != want {
			t.Errorf("profile = %+v, want %+v", p, want)
		}
		entries := f.auditEntries(t, audit.Filter{Action: "user.reveal_contact", SubjectID: target.ID})
		if len(entries) != 1 || entries[0].ActorUserID != coord.ID || entries[0].Outcome != audit.Allowed || entries[0].SubjectOrgID != org {
			t.Errorf("audit = %+v, want one allowed reveal by the coordinator", entries)
		}
		for _, e := range entries {
			if strings.Contains(e.Detail, "Kim") || strings.Contains(e.Detail, "example.org") {
				t.Errorf("audit detail holds personal data: %q", e.Detail)
			}
		}

		_, err = f.svc.RevealProfile(ctx, actor, accounts.NewID())
		wantCode(t, err, apperr.NotFound, "")
	})
}

func TestSetDisabled(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		admin := f.env.User("admin", access.Administrator, org)
		kim := f.createUser(t, org, "kim", access.Analyst)
		res, err := f.svc.SignIn(ctx, "kim", password, "client")
		if err != nil || res.Next != accounts.StepDone {
			t.Fatalf("sign in = %+v, %v", res, err)
		}
		other := f.session(t, kim.ID)
		for _, tok := range []string{res.Token, other} {
			if _, err := f.svc.Resolve(ctx, tok); err != nil {
				t.Fatalf("resolve before disabling: %v", err)
			}
		}

		if err := f.svc.SetDisabled(ctx, admin.Actor, kim.ID, true); err != nil {
			t.Fatalf("disable: %v", err)
		}
		for _, tok := range []string{res.Token, other} {
			_, err := f.svc.Resolve(ctx, tok)
			wantCode(t, err, apperr.Unauthorized, "")
		}
		_, err = f.svc.SignIn(ctx, "kim", password, "client")
		wantCode(t, err, apperr.Unauthorized, "login.failed")
		if u, err := f.svc.GetUser(ctx, admin.Actor, kim.ID); err != nil || u.Active() {
			t.Errorf("get after disable = %+v, %v", u, err)
		}
		if users, _ := f.svc.ListUsers(ctx, admin.Actor, accounts.UserFilter{}); len(users) != 1 {
			t.Errorf("active list has %d users, want 1", len(users))
		}
		if users, _ := f.svc.ListUsers(ctx, admin.Actor, accounts.UserFilter{IncludeDisabled: true}); len(users) != 2 {
			t.Errorf("full list has %d users, want 2", len(users))
		}
		if !hasAudit(f.auditEntries(t, audit.Filter{SubjectID: kim.ID}), "user.disable", audit.Done) {
			t.Error("disable not audited")
		}

		if err := f.svc.SetDisabled(ctx, admin.Actor, kim.ID, false); err != nil {
			t.Fatalf("enable: %v", err)
		}
		if _, err := f.svc.SignIn(ctx, "kim", password, "client"); err != nil {
			t.Errorf("sign in after enabling: %v", err)
		}

		err = f.svc.SetDisabled(ctx, admin.Actor, admin.ID, true)
		wantCode(t, err, apperr.Invalid, "user.cannot_disable_self")
		if _, err := f.env.App.Accounts.Resolve(ctx, strings.TrimPrefix(admin.Cookie, "waymark=")); err != nil {
			t.Errorf("admin session after refused self-disable: %v", err)
		}

		worker := f.env.User("worker", access.CaseWorker, org)
		err = f.svc.SetDisabled(ctx, worker.Actor, kim.ID, true)
		wantCode(t, err, apperr.Forbidden, "")
	})
}

// TestNoPlaintextInDatabase reads the SQLite files byte by byte: a user's
// name, e-mail, phone and TOTP secret must only be stored encrypted.
func TestNoPlaintextInDatabase(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	ctx := context.Background()
	org := f.env.Org("Plaintext Organisation Marker", accounts.NGO)
	secretName, secretEmail, secretPhone := "Zebediah Quartermaine", "zebediah.q@hidden.example", "+43 664 9876543"
	_, err := f.svc.CreateUserWithPassword(ctx, accounts.NewUser{OrgID: org, Username: "zq", Role: access.CaseWorker,
		Password: password, Profile: accounts.Profile{DisplayName: secretName, Email: secretEmail, Phone: secretPhone}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.SignIn(ctx, "zq", password, "client")
	if err != nil {
		t.Fatal(err)
	}
	enrol, err := f.svc.BeginEnrolment(ctx, res.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.ConfirmEnrolment(ctx, res.Token, f.code(t, enrol.Secret)); err != nil {
		t.Fatal(err)
	}

	var all []byte
	for _, name := range []string{"waymark.db", "waymark.db-wal", "waymark.db-journal"} {
		b, err := os.ReadFile(filepath.Join(f.env.App.Config.DataDir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if !bytes.Contains(all, []byte("Plaintext Organisation Marker")) {
		t.Fatal("the organisation name (stored in plain text) is not in the files read: wrong files?")
	}
	for what, s := range map[string]string{"name": secretName, "e-mail": secretEmail, "phone": secretPhone, "TOTP secret": enrol.Secret} {
		for _, form := range []string{s, strings.ToLower(s)} {
			if bytes.Contains(all, []byte(form)) {
				t.Errorf("the database files contain the %s in plain text", what)
			}
		}
	}
}

func TestSetRole(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Riverton Human Rights Office", accounts.Municipality)
		admin := f.env.User("admin", access.Administrator, org)
		ari := f.createUser(t, org, "ari", access.Analyst)

		err := f.svc.SetRole(ctx, admin.Actor, ari.ID, "boss")
		if got := fieldKey(t, err, "role"); got != "user.role_invalid" {
			t.Errorf("role key = %q", got)
		}
		wantCode(t, f.svc.SetRole(ctx, admin.Actor, admin.ID, access.Analyst), apperr.Invalid, "user.cannot_change_own_role")
		worker := f.env.User("worker", access.CaseWorker, org)
		wantCode(t, f.svc.SetRole(ctx, worker.Actor, ari.ID, access.Coordinator), apperr.Forbidden, "")
		// Only an administrator makes administrators, by role change or by creating an account.
		coord := f.env.User("coord", access.Coordinator, org)
		if got := fieldKey(t, f.svc.SetRole(ctx, coord.Actor, ari.ID, access.Administrator), "role"); got != "user.role_not_grantable" {
			t.Errorf("coordinator promoting to administrator: key %q", got)
		}
		_, _, err = f.svc.CreateUser(ctx, coord.Actor, accounts.NewUser{OrgID: org, Username: "newadmin", Role: access.Administrator,
			Profile: accounts.Profile{DisplayName: "New Admin"}})
		if got := fieldKey(t, err, "role"); got != "user.role_not_grantable" {
			t.Errorf("coordinator creating an administrator: key %q", got)
		}

		// An analyst signs in without a second factor. Promoted to a role
		// that sees personal data, that session must not carry over.
		res, err := f.svc.SignIn(ctx, "ari", password, "c")
		if err != nil || res.Next != accounts.StepDone {
			t.Fatalf("sign in = %+v, %v", res, err)
		}
		if err := f.svc.SetRole(ctx, admin.Actor, ari.ID, access.Coordinator); err != nil {
			t.Fatalf("set role: %v", err)
		}
		if cur, err := f.svc.Resolve(ctx, res.Token); err == nil {
			t.Errorf("analyst session survives promotion: role %s, next step %d", cur.Actor.Role, cur.Next)
		}
		if u, err := f.svc.GetUser(ctx, admin.Actor, ari.ID); err != nil || u.Role != access.Coordinator {
			t.Errorf("get = %+v, %v", u, err)
		}
		res, err = f.svc.SignIn(ctx, "ari", password, "c")
		if err != nil || res.Next != accounts.StepEnrol {
			t.Errorf("sign in after promotion = %+v, %v; want StepEnrol", res, err)
		}
		entries := f.auditEntries(t, audit.Filter{Action: "user.role_change", Outcome: audit.Done, SubjectID: ari.ID})
		if len(entries) != 1 || entries[0].Detail != "analyst->coordinator" || entries[0].ActorUserID != admin.ID {
			t.Errorf("audit = %+v", entries)
		}
	})
}

// ListUsers pages in a stable order and CountUsers counts what it would list.
func TestListUsersPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org := f.env.Org("Safe Harbour", accounts.NGO)
		admin := f.env.User("admin", access.Administrator, org)
		for _, name := range []string{"d", "b", "e", "a", "c"} {
			f.createUser(t, org, "user-"+name, access.Analyst)
		}
		var got []string
		for offset := 0; offset < 10; offset += 2 {
			page, err := f.svc.ListUsers(ctx, admin.Actor, accounts.UserFilter{Limit: 2, Offset: offset})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range page {
				got = append(got, u.Username)
			}
		}
		want := []string{"admin", "user-a", "user-b", "user-c", "user-d", "user-e"}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("pages = %v, want %v", got, want)
		}
		if n, err := f.svc.CountUsers(ctx, admin.Actor, accounts.UserFilter{Limit: 2}); err != nil || n != 6 {
			t.Errorf("count = %d, %v; want 6", n, err)
		}
	})
}

// Usernames names only users in the actor's scope.
func TestUsernamesInScope(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		orgA := f.env.Org("Organisation A", accounts.NGO)
		orgB := f.env.Org("Organisation B", accounts.NGO)
		a := f.env.User("worker-a", access.CaseWorker, orgA)
		b := f.env.User("worker-b", access.CaseWorker, orgB)
		admin := f.env.User("admin", access.Administrator, orgA)
		got, err := f.svc.Usernames(ctx, a.Actor, []string{a.ID, b.ID, "missing"})
		if err != nil || len(got) != 1 || got[a.ID] != "worker-a" {
			t.Errorf("case worker sees %v, %v; want only worker-a", got, err)
		}
		got, err = f.svc.Usernames(ctx, admin.Actor, []string{a.ID, b.ID})
		if err != nil || len(got) != 2 {
			t.Errorf("administrator sees %v, %v; want both", got, err)
		}
		screener := f.env.User("screener", access.Screener, orgA)
		if got, err := f.svc.Usernames(ctx, screener.Actor, []string{a.ID}); err != nil || len(got) != 0 {
			t.Errorf("screener sees %v, %v; want none", got, err)
		}
	})
}
