package cli_test

import (
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/storage"
)

func TestHelp(t *testing.T) {
	commands := []string{"serve", "org add", "user add", "audit verify", "backup", "restore", "keys rotate", "bench", "version"}
	for _, c := range commands {
		t.Run(c, func(t *testing.T) {
			for _, help := range []string{"--help", "-h"} {
				r := run(t, nil, "", append(strings.Fields(c), help)...)
				if r.code != 0 {
					t.Errorf("%s %s: %s", c, help, r)
				}
				if !strings.Contains(r.stderr, "Usage: waymark "+c) {
					t.Errorf("%s %s prints no usage: %s", c, help, r)
				}
			}
		})
	}
	t.Run("no arguments", func(t *testing.T) {
		r := run(t, nil, "")
		for _, c := range commands {
			if !strings.Contains(r.stderr, "  "+c+" ") {
				t.Errorf("usage does not list %q: %s", c, r)
			}
		}
	})
	for _, args := range [][]string{{"frobnicate"}, {"org"}, {"org", "remove"}, {"keys"}} {
		t.Run("unknown "+strings.Join(args, " "), func(t *testing.T) {
			r := run(t, nil, "", args...)
			if r.code != 2 || !strings.Contains(r.stderr, "Usage: waymark COMMAND") {
				t.Errorf("%s", r)
			}
		})
	}
	t.Run("unknown flag", func(t *testing.T) {
		r := run(t, nil, "", "org", "add", "--colour", "red")
		if r.code != 2 || !strings.Contains(r.stderr, "colour") {
			t.Errorf("%s", r)
		}
	})
	t.Run("version", func(t *testing.T) {
		r := run(t, nil, "", "version")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "waymark ") {
			t.Errorf("%s", r)
		}
	})
}

func TestOrgAndUserAdd(t *testing.T) {
	in := newInstallation(t, storage.SQLite)
	// The data directory comes from the environment here, as in a container.
	env := map[string]string{"WAYMARK_DATA": in.cfg.DataDir}

	r := mustRun(t, env, "", "org", "add", "--name", "Safe Harbour", "--kind", "ngo")
	if !strings.Contains(r.stdout, `organisation "Safe Harbour" added with id `) {
		t.Errorf("org add: %s", r)
	}
	r = mustRun(t, env, "a long and unusual passphrase\n", "user", "add", "--org", "safe harbour", "--username", "Kim",
		"--role", "case_worker", "--name", "Kim Example", "--email", "kim@example.org")
	if !strings.Contains(r.stdout, `user "kim" added with id `) {
		t.Errorf("user add: %s", r)
	}
	if strings.Contains(r.stdout+r.stderr, "a long and unusual passphrase") || strings.Contains(r.stdout+r.stderr, "Kim Example") {
		t.Errorf("user add echoes the password or the name: %s", r)
	}

	tests := []struct {
		name  string
		stdin string
		args  []string
		want  []string // in stderr
	}{
		{"short password", "too short\n", []string{"user", "add", "--org", "Safe Harbour", "--username", "ana", "--role", "case_worker", "--name", "Ana"},
			[]string{"password: The password needs at least 12 characters."}},
		{"password from a file without newline", "short", []string{"user", "add", "--org", "Safe Harbour", "--username", "ana", "--role", "case_worker", "--name", "Ana"},
			[]string{"password: The password needs at least 12 characters."}},
		{"no password", "", []string{"user", "add", "--org", "Safe Harbour", "--username", "ana", "--role", "case_worker", "--name", "Ana"},
			[]string{"password"}},
		{"taken username", "a long and unusual passphrase\n", []string{"user", "add", "--org", "Safe Harbour", "--username", "KIM", "--role", "case_worker", "--name", "Kim"},
			[]string{"username: This username is already taken."}},
		{"several fields", "a long and unusual passphrase\n", []string{"user", "add", "--org", "Safe Harbour", "--username", "-x", "--role", "boss", "--email", "nope"},
			[]string{"username: ", "role: Choose a role.", "name: Enter the person's name.", "email: "}},
		{"unknown organisation", "a long and unusual passphrase\n", []string{"user", "add", "--org", "Nowhere", "--username", "ana", "--role", "case_worker", "--name", "Ana"},
			[]string{`no organisation with id or name "Nowhere"`}},
		{"duplicate organisation", "", []string{"org", "add", "--name", "SAFE HARBOUR", "--kind", "shelter"},
			[]string{"name: An organisation with this name already exists."}},
		{"bad organisation kind", "", []string{"org", "add", "--name", "Riverton Gang", "--kind", "gang"},
			[]string{"kind: Choose the type of organisation."}},
		{"organisation without name", "", []string{"org", "add", "--kind", "ngo"},
			[]string{"name: Enter the organisation's name."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, env, tt.stdin, tt.args...)
			if r.code != 1 {
				t.Errorf("exit %d, want 1: %s", r.code, r)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q: %s", w, r)
				}
			}
			if strings.Contains(r.stderr, "error.") || strings.Contains(r.stderr, "user.") || strings.Contains(r.stderr, "password.") {
				t.Errorf("stderr shows a message key instead of text: %s", r)
			}
		})
	}

	a := in.open(t)
	users, err := a.Accounts.ListUsers(t.Context(), accounts.System, accounts.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].Username != "kim" || users[0].Role != access.CaseWorker || users[0].OrgName != "Safe Harbour" {
		t.Errorf("users = %+v, want only kim", users)
	}
	p, err := a.Accounts.RevealProfile(t.Context(), accounts.System, users[0].ID)
	if err != nil || p.DisplayName != "Kim Example" || p.Email != "kim@example.org" {
		t.Errorf("profile = %+v, %v", p, err)
	}
	if _, err := a.Accounts.SignIn(t.Context(), "kim", "a long and unusual passphrase", "test"); err != nil {
		t.Errorf("sign in with the password given on stdin: %v", err)
	}
}

func TestUserAddOrgByID(t *testing.T) {
	in := newInstallation(t, storage.SQLite)
	r := mustRun(t, nil, "", append([]string{"org", "add", "--name", "Helpline", "--kind", "hotline"}, in.flags()...)...)
	id := strings.TrimSpace(r.stdout[strings.LastIndex(r.stdout, " ")+1:])
	mustRun(t, nil, "a long and unusual passphrase\r\n", append([]string{"user", "add", "--org", id, "--username", "hana",
		"--role", "hotline_operator", "--name", "Hana"}, in.flags()...)...)
	a := in.open(t)
	if _, err := a.Accounts.SignIn(t.Context(), "hana", "a long and unusual passphrase", "test"); err != nil {
		t.Errorf("sign in (CRLF stripped from the password): %v", err)
	}
}
