package ui_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
	"waymark.city/waymark/internal/ui"
)

// The behaviour tested here does not depend on the database engine, so
// most of these tests run on SQLite only; TestPageRouteAccess covers both
// engines, and so does the session timeout test (times in SQL).

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	admin := f.env.Session(t, f.staff[access.Administrator].ID, true)
	tests := []struct {
		name      string
		path      string
		cookie    string
		status    int
		cacheable bool
	}{
		{"sign-in page", "/login", "", http.StatusOK, false},
		{"signed-in page", "/users", admin, http.StatusOK, false},
		{"error page", "/users/no-such-user", admin, http.StatusNotFound, false},
		{"API", "/api/v1/me", admin, http.StatusOK, false},
		{"API error", "/api/v1/me", "", http.StatusUnauthorized, false},
		{"stylesheet", "/static/app.css", "", http.StatusOK, true},
		{"script", "/static/app.js", "", http.StatusOK, true},
		{"health", "/healthz", "", http.StatusOK, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: tt.path, Cookie: tt.cookie})
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			h := res.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "script-src 'self'", "base-uri 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "'unsafe-inline'") || strings.Contains(csp, "'unsafe-eval'") {
				t.Errorf("CSP %q allows inline or eval'd code", csp)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
			if got := h.Get("X-Frame-Options"); got != "DENY" {
				t.Errorf("X-Frame-Options = %q, want DENY", got)
			}
			if got := h.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("Referrer-Policy = %q, want no-referrer", got)
			}
			cc := h.Get("Cache-Control")
			if tt.cacheable {
				if !strings.Contains(cc, "max-age=") || strings.Contains(cc, "no-store") {
					t.Errorf("Cache-Control = %q, want a long max-age for a static file", cc)
				}
			} else if cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
		})
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	admin := f.staff[access.Administrator]
	crossSite := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
	tests := []struct {
		name string
		req  apptest.Request
	}{
		{"create organisation", apptest.Request{Method: http.MethodPost, Path: "/organisations",
			Form: url.Values{"name": {"Evil partner"}, "kind": {"ngo"}}}},
		{"create user", apptest.Request{Method: http.MethodPost, Path: "/users",
			Form: url.Values{"org": {f.orgA}, "username": {"evil"}, "role": {"administrator"}, "password": {apptest.Password}, "name": {"Evil"}}}},
		{"disable user", apptest.Request{Method: http.MethodPost, Path: "/users/" + f.target.ID + "/disable", Form: url.Values{}}},
		{"change language", apptest.Request{Method: http.MethodPost, Path: "/language", Form: url.Values{"lang": {"de"}, "back": {"/"}}}},
		{"API create organisation", apptest.Request{Method: http.MethodPost, Path: "/api/v1/organisations",
			Body: `{"name": "Evil partner", "kind": "ngo"}`, CType: "application/json"}},
		{"sign out", apptest.Request{Method: http.MethodPost, Path: "/logout", Form: url.Values{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.Cookie = f.env.Session(t, admin.ID, true)
			req.Header = crossSite
			before := f.env.Fingerprint(t)
			res, _ := f.env.Exchange(t, req)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", res.StatusCode)
			}
			if after := f.env.Fingerprint(t); after != before {
				t.Errorf("a refused cross-origin request changed the database:\n before %s\n after  %s", before, after)
			}
			if res.Header.Get("Set-Cookie") != "" {
				t.Errorf("a refused cross-origin request set a cookie: %q", res.Header.Get("Set-Cookie"))
			}
		})
	}
	t.Run("same origin is let through", func(t *testing.T) {
		res, _ := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/organisations", Cookie: f.env.Session(t, admin.ID, true),
			Header: map[string]string{"Sec-Fetch-Site": "same-origin"}, Form: url.Values{"name": {"Good partner"}, "kind": {"ngo"}}})
		if res.StatusCode != http.StatusCreated {
			t.Errorf("status %d, want 201", res.StatusCode)
		}
	})
}

func TestBadFormInput(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	admin := f.staff[access.Administrator]
	huge := "name=" + strings.Repeat("a", 1<<20+1024) + "&kind=ngo"
	tests := []struct {
		name   string
		req    apptest.Request
		status int
		key    string
	}{
		{"body over 1 MiB", apptest.Request{Body: huge, CType: "application/x-www-form-urlencoded"}, http.StatusRequestEntityTooLarge, "error.too_large"},
		{"invalid UTF-8", apptest.Request{Body: "name=Caf%E9&kind=ngo", CType: "application/x-www-form-urlencoded"}, http.StatusUnprocessableEntity, "error.bad_encoding"},
		{"invalid UTF-8 in a field name", apptest.Request{Body: "na%FFme=x&name=Partner&kind=ngo", CType: "application/x-www-form-urlencoded"}, http.StatusUnprocessableEntity, "error.bad_encoding"},
		{"wrong content type", apptest.Request{Body: `{"name": "Partner", "kind": "ngo"}`, CType: "application/json"}, http.StatusUnsupportedMediaType, "error.unsupported"},
		{"no content type", apptest.Request{Body: "name=Partner&kind=ngo"}, http.StatusUnsupportedMediaType, "error.unsupported"},
		{"malformed form", apptest.Request{Body: "name=%zz&kind=ngo", CType: "application/x-www-form-urlencoded"}, http.StatusUnprocessableEntity, "error.bad_form"},
	}
	for _, tt := range tests {
		for _, lang := range []string{"en", "de"} {
			t.Run(tt.name+"/"+lang, func(t *testing.T) {
				req := tt.req
				req.Method, req.Path = http.MethodPost, "/organisations"
				req.Cookie = f.env.Session(t, admin.ID, true)
				req.Header = map[string]string{"Accept-Language": lang}
				before := f.env.Fingerprint(t)
				res, body := f.env.Exchange(t, req)
				if res.StatusCode != tt.status {
					t.Errorf("status %d, want %d", res.StatusCode, tt.status)
				}
				want := html.EscapeString(f.env.App.Catalog.For(lang).T(tt.key))
				if !strings.Contains(body, want) {
					t.Errorf("page lacks the %s message %q", lang, want)
				}
				if !strings.Contains(body, `<html lang="`+lang+`"`) {
					t.Errorf("page is not in %s", lang)
				}
				if after := f.env.Fingerprint(t); after != before {
					t.Errorf("refused input changed the database")
				}
			})
		}
	}
}

func TestLanguage(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	de := f.env.App.Catalog.For("de")
	t.Run("Accept-Language picks German", func(t *testing.T) {
		res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/login", Header: map[string]string{"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		if !strings.Contains(body, `<html lang="de"`) || !strings.Contains(body, html.EscapeString(de.T("login.title"))) {
			t.Errorf("sign-in page is not German")
		}
	})
	t.Run("unknown language falls back to English", func(t *testing.T) {
		_, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/login", Header: map[string]string{"Accept-Language": "xx-YY"}})
		if !strings.Contains(body, `<html lang="en"`) {
			t.Errorf("sign-in page is not English")
		}
	})

	backs := []struct {
		back, want string
	}{
		{"/users", "/users"},
		{"/users?org=1", "/users?org=1"},
		{"", "/"},
		{"https://evil.example", "/"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"users", "/"},
		// A page that answered a refused form sits at an address only forms
		// are sent to: the switch lands on the nearest page above it.
		{"/procurement/risk-lists/tvpra", "/procurement/risk-lists"},
		{"/procurement/contracts/c-1/status", "/procurement/contracts/c-1"},
		{"/procurement/contracts/c-1?sites=50", "/procurement/contracts/c-1?sites=50"},
		{"/report", "/report"},
	}
	for _, tt := range backs {
		t.Run("back "+strings.ReplaceAll(url.QueryEscape(tt.back), "%", "_"), func(t *testing.T) {
			res, _ := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/language", Form: url.Values{"lang": {"de"}, "back": {tt.back}}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d, want 303", res.StatusCode)
			}
			if got := res.Header.Get("Location"); got != tt.want {
				t.Errorf("Location %q, want %q", got, tt.want)
			}
			var lang *http.Cookie
			for _, c := range res.Cookies() {
				if c.Name == "lang" {
					lang = c
				}
			}
			if lang == nil || lang.Value != "de" || !lang.HttpOnly || lang.SameSite != http.SameSiteLaxMode {
				t.Errorf("lang cookie = %+v, want de, HttpOnly, SameSite=Lax", lang)
			}
		})
	}
	t.Run("the cookie is honoured", func(t *testing.T) {
		_, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/login", Cookie: "lang=de", Header: map[string]string{"Accept-Language": "en"}})
		if !strings.Contains(body, `<html lang="de"`) {
			t.Errorf("sign-in page is not German")
		}
	})
	t.Run("an unknown language changes nothing", func(t *testing.T) {
		res, _ := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/language", Form: url.Values{"lang": {"xx"}, "back": {"/login"}}})
		if res.StatusCode != http.StatusSeeOther || len(res.Cookies()) != 0 {
			t.Errorf("status %d, cookies %v; want 303 and no cookie", res.StatusCode, res.Cookies())
		}
	})
	t.Run("a signed-in user's choice is saved", func(t *testing.T) {
		u := f.staff[access.CaseWorker]
		res, _ := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/language", Cookie: f.env.Session(t, u.ID, true),
			Form: url.Values{"lang": {"de"}, "back": {"/users"}}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		_, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/users", Cookie: f.env.Session(t, u.ID, true),
			Header: map[string]string{"Accept-Language": "en"}})
		if !strings.Contains(body, `<html lang="de"`) {
			t.Errorf("the saved language is not used")
		}
	})
}

// TestEveryPageTranslated renders every page in every language and checks
// that no message key was missing from the catalogues.
func TestEveryPageTranslated(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	ctx := context.Background()
	admin := f.staff[access.Administrator]
	for _, lang := range env.App.Catalog.Languages() {
		t.Run(lang.Tag, func(t *testing.T) {
			get := func(path, cookie string, status int) string {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: cookie,
					Header: map[string]string{"Accept-Language": lang.Tag}})
				if res.StatusCode != status {
					t.Fatalf("GET %s: status %d, want %d", path, res.StatusCode, status)
				}
				// A calendar feed or a download is not a page.
				if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && !strings.Contains(body, `<html lang="`+lang.Tag+`"`) {
					t.Errorf("GET %s is not in %s", path, lang.Tag)
				}
				return body
			}
			// Every GET page of the route table, as a user allowed it.
			for _, rt := range app.PageRoutes() {
				pc := pageCases[rt.Pattern]
				id := f.target.ID
				if pc.id != nil {
					id = pc.id(t, f)
				}
				method, path := routePath(rt.Pattern, id, f.orgC)
				for _, params := range []map[string]string{pc.params, f.params} {
					for k, v := range params {
						path = strings.ReplaceAll(path, "{"+k+"}", v)
					}
				}
				if method != http.MethodGet || rt.Gate == ui.Partial {
					continue
				}
				cookie := ""
				if rt.Gate == ui.SignedIn || rt.Gate == ui.Home {
					// The administrator, or a role allowed the route when the administrator is not.
					user := admin
					for _, role := range access.Roles {
						if !access.Can(user.Actor, rt.Action) && access.Can(f.staff[role].Actor, rt.Action) {
							user = f.staff[role]
						}
					}
					cookie = env.Session(t, user.ID, true)
				}
				get(path, cookie, http.StatusOK)
			}
			get("/audit?outcome=denied&from=2020-01-01&to=2099-12-31", env.Session(t, admin.ID, true), http.StatusOK)
			get("/audit?from=yesterday", env.Session(t, admin.ID, true), http.StatusUnprocessableEntity)
			get("/users/new-user-that-does-not-exist", env.Session(t, admin.ID, true), http.StatusNotFound)
			get("/users", env.Session(t, f.staff[access.Analyst].ID, true), http.StatusForbidden)

			// The sign-in steps: enrolment, recovery codes, code entry.
			u := env.User("enrol-"+lang.Tag, access.CaseWorker, f.orgA)
			partial := env.Session(t, u.ID, false)
			get("/login/enrol", partial, http.StatusOK)
			e, err := env.App.Accounts.BeginEnrolment(ctx, strings.TrimPrefix(partial, "waymark="))
			if err != nil {
				t.Fatalf("begin enrolment: %v", err)
			}
			code, err := totp.GenerateCode(e.Secret, time.Now())
			if err != nil {
				t.Fatalf("totp code: %v", err)
			}
			res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/login/enrol", Cookie: partial,
				Header: map[string]string{"Accept-Language": lang.Tag}, Form: url.Values{"code": {"000000"}}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, html.EscapeString(env.App.Catalog.For(lang.Tag).T("login.code_wrong"))) {
				t.Errorf("POST /login/enrol with a wrong code: status %d, want 422 with the translated message", res.StatusCode)
			}
			res, _ = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/login/enrol", Cookie: partial,
				Header: map[string]string{"Accept-Language": lang.Tag}, Form: url.Values{"code": {code}}})
			if res.StatusCode != http.StatusOK {
				t.Fatalf("POST /login/enrol: status %d, want 200 with the recovery codes", res.StatusCode)
			}
			get("/login/code", env.Session(t, u.ID, false), http.StatusOK)
			get("/login?next=/users", "", http.StatusOK)
		})
	}
	if missing := env.App.Catalog.Missing(); len(missing) > 0 {
		t.Errorf("pages asked for message keys no catalogue has: %v", missing)
	}
}

// setIdle moves every session of a user back so it has been idle for d.
func setIdle(t *testing.T, env *apptest.Env, userID string, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	err := env.App.DB.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE user_id = $2`, storage.Now().Add(-d), userID)
		return err
	})
	if err != nil {
		t.Fatalf("age sessions: %v", err)
	}
}

func sessionCount(t *testing.T, env *apptest.Env, userID string) int {
	t.Helper()
	ctx := context.Background()
	var n int
	err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE user_id = $1`, userID).Scan(&n)
	})
	if err != nil {
		t.Fatalf("count sessions: %v", err)
	}
	return n
}

func TestSessionIdleTimeout(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			strict, relaxed := auth.StrictPolicy.Idle, auth.RelaxedPolicy.Idle
			tests := []struct {
				name  string
				role  access.Role
				idle  time.Duration
				ended bool
			}{
				{"case worker active", access.CaseWorker, strict - time.Minute, false},
				{"case worker idle over 15 minutes", access.CaseWorker, strict + time.Minute, true},
				{"administrator idle over 15 minutes", access.Administrator, strict + time.Minute, true},
				{"analyst idle over 15 minutes", access.Analyst, strict + time.Minute, false},
				{"analyst idle over an hour", access.Analyst, relaxed + time.Minute, true},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					u := f.env.User(f.unique("idle"), tt.role, f.orgA)
					cookie := f.env.Session(t, u.ID, true)
					setIdle(t, f.env, u.ID, tt.idle)
					res, _ := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/", Cookie: cookie})
					if !tt.ended {
						if res.StatusCode != http.StatusOK {
							t.Fatalf("status %d (Location %q), want 200", res.StatusCode, res.Header.Get("Location"))
						}
						return
					}
					if res.StatusCode != http.StatusSeeOther || redirectPath(res) != "/login" {
						t.Fatalf("status %d (Location %q), want 303 to /login", res.StatusCode, res.Header.Get("Location"))
					}
					if n := sessionCount(t, f.env, u.ID); n != 1 {
						// apptest.User's own session is still there, also idle; the used one is gone.
						t.Errorf("%d sessions left, want 1 (the one never used)", n)
					}
					cleared := false
					for _, c := range res.Cookies() {
						cleared = cleared || (c.Name == "waymark" && c.MaxAge < 0)
					}
					if !cleared {
						t.Errorf("the ended session's cookie was not cleared")
					}
					// The same token stays refused.
					res, _ = f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/", Cookie: cookie})
					if redirectPath(res) != "/login" {
						t.Errorf("the ended session still works: status %d", res.StatusCode)
					}
				})
			}
		})
	}
}

func TestStepUpBeforeContact(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	cw := f.staff[access.CaseWorker]
	path := "/users/" + f.target.ID + "/contact"
	cookie := f.env.Session(t, cw.ID, false)
	ctx := context.Background()
	// A complete session that has not stepped up.
	err := f.env.App.DB.Write(ctx, func(tx *storage.Tx) error {
		return auth.MarkMFA(ctx, tx, auth.TokenHash(strings.TrimPrefix(cookie, "waymark=")), storage.Now())
	})
	if err != nil {
		t.Fatalf("mark mfa: %v", err)
	}
	res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: cookie})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/stepup?next="+url.QueryEscape(path) {
		t.Fatalf("status %d Location %q, want 303 to step-up", res.StatusCode, res.Header.Get("Location"))
	}
	if strings.Contains(body, "@example.org") {
		t.Errorf("contact details shown before step-up")
	}
	res, _ = f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/stepup", Cookie: cookie,
		Form: url.Values{"password": {apptest.Password}, "code": {"wrong-code"}, "next": {path}}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("step-up with a wrong code: status %d, want 422", res.StatusCode)
	}
	res, _ = f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/stepup", Cookie: cookie,
		Form: url.Values{"password": {apptest.Password}, "code": {f.recoveryCode(t, cw.ID)}, "next": {path}}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
		t.Fatalf("step-up: status %d Location %q, want 303 back to %s", res.StatusCode, res.Header.Get("Location"), path)
	}
	res, body = f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: cookie})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, f.target.Username+"@example.org") {
		t.Errorf("after step-up: status %d, want 200 with the contact details", res.StatusCode)
	}
}

func TestOperationalEndpoints(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	admin := f.env.Session(t, f.staff[access.Administrator].ID, true)
	// Requests with ids in the path, to check they do not reach the metrics.
	f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/users/" + f.target.ID, Cookie: admin})
	f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/v1/users/" + f.target.ID, Cookie: admin})
	f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/no/such/page/" + f.target.ID})
	f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/static/app.css"})
	for _, tt := range []struct{ path, want string }{
		{"/healthz", "ok"},
		{"/readyz", "ready"},
	} {
		res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: tt.path})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s: status %d body %q", tt.path, res.StatusCode, body)
		}
	}
	// The metrics listener's handler: without a token, the public one has
	// no /metrics.
	rec := httptest.NewRecorder()
	f.env.App.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: status %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		"waymark_http_requests_total",
		`route="GET /users/{id}",status="200"`,
		`route="GET /api/v1/users/{id}",status="200"`,
		`route="GET /static/",status="200"`,
		"waymark_database_up 1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, f.target.ID) {
		t.Errorf("metrics contain a raw record id")
	}
}

func TestSignInRedirectStaysOnSite(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	for _, tt := range []struct{ next, want string }{
		{"/users", "/users"},
		{"https://evil.example/", "/"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/\t/evil.example", "/"},
	} {
		res, _ := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/login",
			Form: url.Values{"username": {f.login.Username}, "password": {apptest.Password}, "next": {tt.next}}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != tt.want {
			t.Errorf("next %q: status %d Location %q, want 303 to %q", tt.next, res.StatusCode, res.Header.Get("Location"), tt.want)
		}
	}
	res, _ := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/login",
		Form: url.Values{"username": {f.login.Username}, "password": {"wrong password entirely"}}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: status %d, want 401", res.StatusCode)
	}
}
