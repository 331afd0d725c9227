// Package apptest runs a whole Waymark in-process for tests: a real database
// (SQLite, or PostgreSQL from storagetest), real keys, the real HTTP stack on
// a loopback httptest server, and helpers to create organisations and
// signed-in users of any role without walking the sign-in pages each time.
package apptest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/config"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// Password is the password of every user the helpers create.
const Password = "correct horse battery staple"

// Env is a running Waymark.
type Env struct {
	App    *app.App
	Server *httptest.Server
	t      testing.TB
}

// Config returns a configuration for engine: a temporary data directory, and
// for PostgreSQL a fresh database on the test server.
func Config(t testing.TB, engine storage.Engine) config.Config {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Config{DataDir: dir, KeysFile: filepath.Join(dir, "waymark.keys"), LogFormat: "text", Addr: "127.0.0.1:0"}
	if engine == storage.Postgres {
		cfg.DatabaseURL = storagetest.NewPostgresDatabase(t)
	}
	return cfg
}

// Start assembles and serves Waymark on engine. The package's TestMain must
// call storagetest.Main.
func Start(t testing.TB, engine storage.Engine) *Env {
	t.Helper()
	return StartWith(t, Config(t, engine))
}

// StartWith assembles and serves Waymark with cfg.
func StartWith(t testing.TB, cfg config.Config) *Env {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// A fuzz test's F may not log once its targets run, and the server
	// logs every request: only a T or B gets the log.
	if _, fuzz := t.(*testing.F); testing.Verbose() && !fuzz {
		log = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	return StartLogging(t, cfg, log)
}

// StartLogging is StartWith logging to log, for tests that check what
// the log says.
func StartLogging(t testing.TB, cfg config.Config, log *slog.Logger) *Env {
	t.Helper()
	a, err := app.Open(context.Background(), cfg, log, app.WithPasswordParams(auth.TestParams))
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	h, err := a.Handler()
	if err != nil {
		t.Fatalf("build handler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &Env{App: a, Server: srv, t: t}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Org creates an organisation and returns its id.
func (e *Env) Org(name string, kind accounts.OrgKind) string {
	e.t.Helper()
	o, err := e.App.Accounts.CreateOrganisation(context.Background(), accounts.System, accounts.NewOrganisation{Name: name, Kind: kind})
	if err != nil {
		e.t.Fatalf("create organisation: %v", err)
	}
	return o.ID
}

// User is a test account with a complete (second factor passed) session.
type User struct {
	ID       string
	OrgID    string
	Username string
	Role     access.Role
	// Cookie is the session cookie header value, e.g. "waymark=…".
	Cookie string
	Actor  access.Actor
}

// User creates an account of role in orgID and signs it in completely.
func (e *Env) User(username string, role access.Role, orgID string) User {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.App.Accounts.CreateUserWithPassword(ctx, accounts.NewUser{
		OrgID: orgID, Username: username, Role: role, Password: Password,
		Profile: accounts.Profile{DisplayName: "Test " + username, Email: username + "@example.org"},
	})
	if err != nil {
		e.t.Fatalf("create user %s: %v", username, err)
	}
	var token string
	err = e.App.DB.Write(ctx, func(tx *storage.Tx) error {
		now := storage.Now()
		token, err = auth.CreateSession(ctx, tx, u.ID, now)
		if err != nil {
			return err
		}
		return auth.MarkMFA(ctx, tx, auth.TokenHash(token), now)
	})
	if err != nil {
		e.t.Fatalf("sign in %s: %v", username, err)
	}
	return User{ID: u.ID, OrgID: orgID, Username: u.Username, Role: role, Cookie: "waymark=" + token,
		Actor: access.Actor{UserID: u.ID, OrgID: orgID, Role: role}}
}

// Do sends a request as user (an empty User is signed out) and returns the
// response. Redirects are not followed. body may be nil.
func (e *Env) Do(u User, method, path, contentType string, body io.Reader) *http.Response {
	e.t.Helper()
	return e.Send(e.t, u, method, path, contentType, body)
}

// Send is Do reporting to t, for subtests and fuzz targets of a shared Env.
func (e *Env) Send(t testing.TB, u User, method, path, contentType string, body io.Reader) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, e.Server.URL+path, body)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if u.Cookie != "" {
		req.Header.Set("Cookie", u.Cookie)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// Body reads a response body.
func Body(t testing.TB, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

// Session starts a new session for userID and returns its cookie. A complete
// session has passed its second factor and stepped up just now; a partial
// one still owes the second factor.
func (e *Env) Session(t testing.TB, userID string, complete bool) string {
	t.Helper()
	ctx := context.Background()
	var token string
	err := e.App.DB.Write(ctx, func(tx *storage.Tx) error {
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

// Request is one HTTP request of a test.
type Request struct {
	Method string
	Path   string
	Cookie string
	Header map[string]string
	Form   url.Values // sent form-encoded when not nil
	Body   string     // sent as is when Form is nil
	CType  string
}

// Exchange performs req without following redirects and returns the
// response with its body read.
func (e *Env) Exchange(t testing.TB, req Request) (*http.Response, string) {
	t.Helper()
	body, ctype := req.Body, req.CType
	if req.Form != nil {
		body = req.Form.Encode()
		if ctype == "" {
			ctype = "application/x-www-form-urlencoded"
		}
	}
	r, err := http.NewRequest(req.Method, e.Server.URL+req.Path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	if req.Cookie != "" {
		r.Header.Set("Cookie", req.Cookie)
	}
	for k, v := range req.Header {
		r.Header.Set(k, v)
	}
	client := *e.Server.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	client.Timeout = 30 * time.Second
	res, err := client.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", req.Method, req.Path, err)
	}
	return res, string(b)
}

// Fingerprint summarises what a refused request must not change: the
// organisations and the users with their roles and whether they are active.
func (e *Env) Fingerprint(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	err := e.App.DB.Read(ctx, func(tx *storage.Tx) error {
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
