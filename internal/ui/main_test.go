package ui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// fixture is a running Waymark with two organisations: A, which has one
// user of every role plus the user every {id} names, and B, whose case
// worker tries to reach A's records.
type fixture struct {
	env      *apptest.Env
	orgA     string
	orgB     string
	orgC     string                       // the {org} of organisation routes: no users, safe to disable
	staff    map[access.Role]apptest.User // one user of each role in A
	target   apptest.User                 // screener of A: the {id} of every route
	login    apptest.User                 // analyst of A whose password POST /login sends
	outsider apptest.User                 // case worker of B
	// codes holds each user's unused recovery codes, for step-up.
	codes map[string][]string
	seq   int
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	f := &fixture{env: env, staff: map[access.Role]apptest.User{}, codes: map[string][]string{}}
	f.orgA = env.Org("Organisation A", accounts.NGO)
	f.orgB = env.Org("Organisation B", accounts.SocialServices)
	f.orgC = env.Org("Organisation C", accounts.Shelter)
	for _, role := range access.Roles {
		u := env.User("a-"+strings.ReplaceAll(string(role), "_", "-"), role, f.orgA)
		f.staff[role] = u
		f.giveRecoveryCodes(t, u.ID)
	}
	f.target = env.User("target-a", access.Screener, f.orgA)
	f.login = env.User("login-a", access.Analyst, f.orgA)
	f.outsider = env.User("outsider-b", access.CaseWorker, f.orgB)
	f.giveRecoveryCodes(t, f.outsider.ID)
	return f
}

// giveRecoveryCodes stores fresh recovery codes for a user, so tests can
// pass the step-up check without an authenticator app.
func (f *fixture) giveRecoveryCodes(t testing.TB, userID string) {
	t.Helper()
	codes, hashes, err := auth.NewRecoveryCodes(10)
	if err != nil {
		t.Fatalf("recovery codes: %v", err)
	}
	err = f.env.App.DB.Write(context.Background(), func(tx *storage.Tx) error {
		return auth.ReplaceRecoveryCodes(context.Background(), tx, userID, hashes)
	})
	if err != nil {
		t.Fatalf("store recovery codes: %v", err)
	}
	f.codes[userID] = codes
}

// recoveryCode hands out one unused recovery code of a user.
func (f *fixture) recoveryCode(t testing.TB, userID string) string {
	t.Helper()
	codes := f.codes[userID]
	if len(codes) == 0 {
		t.Fatalf("no recovery codes left for %s", userID)
	}
	f.codes[userID] = codes[1:]
	return codes[0]
}

// unique returns a name no earlier call returned.
func (f *fixture) unique(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s-%d", prefix, f.seq)
}

// session starts a new session for userID and returns its cookie. A complete
// session has passed its second factor and stepped up just now; a partial
// one still owes the second factor.
func session(t testing.TB, env *apptest.Env, userID string, complete bool) string {
	t.Helper()
	ctx := context.Background()
	var token string
	err := env.App.DB.Write(ctx, func(tx *storage.Tx) error {
		now := storage.Now()
		var err error
		token, err = auth.CreateSession(ctx, tx, userID, now)
		if err != nil || !complete {
			return err
		}
		if err := auth.MarkMFA(ctx, tx, auth.TokenHash(token), now); err != nil {
			return err
		}
		return auth.MarkStepUp(ctx, tx, auth.TokenHash(token), now)
	})
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	return "waymark=" + token
}

// request is one HTTP request of a test.
type request struct {
	method string
	path   string
	cookie string
	header map[string]string
	form   url.Values // sent form-encoded when not nil
	body   string     // sent as is when form is nil
	ctype  string
}

// send performs req without following redirects and returns the response
// with its body read.
func send(t testing.TB, env *apptest.Env, req request) (*http.Response, string) {
	t.Helper()
	body, ctype := req.body, req.ctype
	if req.form != nil {
		body = req.form.Encode()
		if ctype == "" {
			ctype = "application/x-www-form-urlencoded"
		}
	}
	r, err := http.NewRequest(req.method, env.Server.URL+req.path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	if req.cookie != "" {
		r.Header.Set("Cookie", req.cookie)
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	client := *env.Server.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	client.Timeout = 30 * time.Second
	res, err := client.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", req.method, req.path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", req.method, req.path, err)
	}
	return res, string(b)
}

// fingerprint summarises what a refused request must not change: the
// organisations and the users with their roles and whether they are active.
func fingerprint(t testing.TB, env *apptest.Env) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		var orgs int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations`).Scan(&orgs); err != nil {
			return err
		}
		fmt.Fprintf(&b, "orgs=%d", orgs)
		rows, err := tx.QueryContext(ctx, `SELECT id, role, disabled_at IS NULL, language FROM users ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, role, lang string
			var active bool
			if err := rows.Scan(&id, &role, &active, &lang); err != nil {
				return err
			}
			fmt.Fprintf(&b, " %s:%s:%t:%s", id, role, active, lang)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("fingerprint: %v", err)
	}
	return b.String()
}

// redirectPath is the path a redirect response points to, or "".
func redirectPath(res *http.Response) string {
	loc := res.Header.Get("Location")
	if loc == "" {
		return ""
	}
	u, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	return u.Path
}
