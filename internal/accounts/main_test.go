package accounts_test

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// t0 starts a TOTP step (a multiple of 30 s), which keeps the replay tests
// easy to reason about.
var t0 = time.Date(2026, 3, 14, 9, 26, 30, 0, time.UTC)

// clock is a settable time source for accounts.Deps.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is a running Waymark plus an accounts service over the same
// database and keys whose clock the test controls.
type fixture struct {
	env   *apptest.Env
	svc   *accounts.Service
	clock *clock
}

func newFixture(t *testing.T, engine storage.Engine) fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	c := &clock{now: t0}
	svc := accounts.New(accounts.Deps{
		DB: env.App.DB, Vault: env.App.Vault, Audit: env.App.Audit,
		Hasher:   auth.NewHasher(auth.TestParams, 4),
		Throttle: auth.NewThrottle(env.App.Vault.BlindIndex("login-throttle", nil)),
		Log:      env.App.Log,
		Now:      c.Now,
	})
	return fixture{env: env, svc: svc, clock: c}
}

// eachEngine runs fn per engine with a fresh fixture.
func eachEngine(t *testing.T, fn func(t *testing.T, f fixture)) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) { fn(t, newFixture(t, engine)) })
	}
}

const password = "amber lantern over quiet harbour"

// createUser adds an account through the system actor and returns it.
func (f fixture) createUser(t *testing.T, orgID, username string, role access.Role) accounts.User {
	t.Helper()
	u, err := f.svc.CreateUserWithPassword(context.Background(), accounts.NewUser{
		OrgID: orgID, Username: username, Role: role, Password: password, Language: "en",
		Profile: accounts.Profile{DisplayName: "Person " + username, Email: username + "@example.org"},
	})
	if err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	return u
}

// session starts a session with the second factor done at the fixture's
// clock, the way apptest does, for tests about what happens afterwards.
func (f fixture) session(t *testing.T, userID string) string {
	t.Helper()
	ctx := context.Background()
	var token string
	err := f.env.App.DB.Write(ctx, func(tx *storage.Tx) error {
		var err error
		now := f.clock.Now()
		if token, err = auth.CreateSession(ctx, tx, userID, now); err != nil {
			return err
		}
		return auth.MarkMFA(ctx, tx, auth.TokenHash(token), now)
	})
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	return token
}

// code returns the TOTP code for secret at the fixture's clock.
func (f fixture) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, f.clock.Now())
	if err != nil {
		t.Fatalf("generate code: %v", err)
	}
	return c
}

// auditEntries returns every entry (up to audit.MaxLimit) matching filter.
func (f fixture) auditEntries(t *testing.T, filter audit.Filter) []audit.Entry {
	t.Helper()
	filter.Limit = audit.MaxLimit
	entries, _, err := f.env.App.Audit.List(context.Background(), f.env.App.DB, access.SystemScope(), filter)
	if err != nil {
		t.Fatalf("list audit entries: %v", err)
	}
	return entries
}

// hasAudit reports whether entries hold one with action and outcome.
func hasAudit(entries []audit.Entry, action, outcome string) bool {
	return slices.ContainsFunc(entries, func(e audit.Entry) bool { return e.Action == action && e.Outcome == outcome })
}

// wantCode fails the test unless err carries code and, when key is not
// empty, the message key.
func wantCode(t *testing.T, err error, code apperr.Code, key string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	if key != "" && apperr.As(err).Key != key {
		t.Fatalf("error key = %q, want %q (%v)", apperr.As(err).Key, key, err)
	}
}

// fieldKey returns the message key of field in a validation error, failing
// the test when err is not one.
func fieldKey(t *testing.T, err error, field string) string {
	t.Helper()
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("error = %v, want a validation error", err)
	}
	for _, fe := range apperr.As(err).Fields {
		if fe.Field == field {
			return fe.Key
		}
	}
	t.Fatalf("no error on field %q in %+v", field, apperr.As(err).Fields)
	return ""
}
