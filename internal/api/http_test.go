package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"waymark.city/waymark/internal/app/apptest"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// The behaviour tested here does not depend on the database engine, so
// most of these tests run on SQLite only; TestAPIRouteAccess covers both
// engines, and so do the tests that depend on SQL (times, ids).

func TestBadJSONInput(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	admin := f.staff[access.Administrator]
	tests := []struct {
		name   string
		path   string
		ctype  string
		body   string
		status int
		code   apperr.Code
		key    string
	}{
		{"invalid JSON", "/api/v1/organisations", "application/json", `{"name": "Partner", `, http.StatusUnprocessableEntity, apperr.Invalid, "error.bad_json"},
		{"unknown field", "/api/v1/organisations", "application/json", `{"name": "Partner", "kind": "ngo", "admin": true}`, http.StatusUnprocessableEntity, apperr.Invalid, "error.bad_json"},
		{"two values", "/api/v1/organisations", "application/json", `{"name": "Partner", "kind": "ngo"} {}`, http.StatusUnprocessableEntity, apperr.Invalid, "error.bad_json"},
		{"wrong type", "/api/v1/organisations", "application/json", `{"name": 7, "kind": "ngo"}`, http.StatusUnprocessableEntity, apperr.Invalid, "error.bad_json"},
		{"wrong content type", "/api/v1/organisations", "application/x-www-form-urlencoded", `name=Partner&kind=ngo`, http.StatusUnsupportedMediaType, apperr.Unsupported, "error.unsupported"},
		{"no content type", "/api/v1/organisations", "", `{"name": "Partner", "kind": "ngo"}`, http.StatusUnsupportedMediaType, apperr.Unsupported, "error.unsupported"},
		{"invalid UTF-8", "/api/v1/organisations", "application/json", "{\"name\": \"Caf\xe9\", \"kind\": \"ngo\"}", http.StatusUnprocessableEntity, apperr.Invalid, "error.bad_encoding"},
		{"body over 1 MiB", "/api/v1/organisations", "application/json", `{"name": "` + strings.Repeat("a", 1<<20+1024) + `", "kind": "ngo"}`, http.StatusRequestEntityTooLarge, apperr.TooLarge, "error.too_large"},
		{"invalid user", "/api/v1/users", "application/json", `{"organisation_id": "", "username": "x", "role": "king", "password": "short", "name": ""}`, http.StatusUnprocessableEntity, apperr.Invalid, "error.invalid_form"},
	}
	for _, tt := range tests {
		for _, lang := range []string{"en", "de"} {
			t.Run(tt.name+"/"+lang, func(t *testing.T) {
				before := f.env.Fingerprint(t)
				res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: tt.path, CType: tt.ctype, Body: tt.body,
					Cookie: f.env.Session(t, admin.ID, true), Header: map[string]string{"Accept-Language": lang}})
				if res.StatusCode != tt.status {
					t.Errorf("status %d, want %d", res.StatusCode, tt.status)
				}
				e := decodeError(t, res, body)
				if e.Error.Code != tt.code {
					t.Errorf("code %q, want %q", e.Error.Code, tt.code)
				}
				if want := f.env.App.Catalog.For(lang).T(tt.key); e.Error.Message != want {
					t.Errorf("message %q, want the %s text %q", e.Error.Message, lang, want)
				}
				for _, fe := range e.Error.Fields {
					if fe.Field == "" || fe.Message == "" || strings.Contains(fe.Message, "⟦") {
						t.Errorf("field error %+v is incomplete or untranslated", fe)
					}
				}
				if after := f.env.Fingerprint(t); after != before {
					t.Errorf("refused input changed the database")
				}
			})
		}
	}
	if missing := f.env.App.Catalog.Missing(); len(missing) > 0 {
		t.Errorf("errors asked for message keys no catalogue has: %v", missing)
	}
}

func TestGermanErrorMessage(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/v1/me", Header: map[string]string{"Accept-Language": "de-CH, en;q=0.5"}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", res.StatusCode)
	}
	if e := decodeError(t, res, body); e.Error.Message != "Bitte melden Sie sich an." {
		t.Errorf("message %q, want the German text", e.Error.Message)
	}
}

func TestNotFound(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			admin := f.staff[access.Administrator]
			for _, path := range []string{
				"/api/v1/users/01a00000-0000-7000-8000-000000000000",
				"/api/v1/users/not-an-id",
				"/api/unknown",
				"/api/v1/users/" + f.target.ID + "/nothing",
				"/api/v2/users",
			} {
				res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: f.env.Session(t, admin.ID, true)})
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("GET %s: status %d, want 404", path, res.StatusCode)
					continue
				}
				if e := decodeError(t, res, body); e.Error.Code != apperr.NotFound || e.Error.Message == "" {
					t.Errorf("GET %s: error %+v, want not_found with a message", path, e.Error)
				}
			}
			res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/unknown"})
			if res.StatusCode != http.StatusUnauthorized || decodeError(t, res, body).Error.Code != apperr.Unauthorized {
				t.Errorf("GET /api/unknown signed out: status %d, want 401 JSON", res.StatusCode)
			}
		})
	}
}

func TestPartialSessionRefused(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	cookie := f.env.Session(t, f.staff[access.Administrator].ID, false)
	res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/v1/users", Cookie: cookie})
	if res.StatusCode != http.StatusUnauthorized || decodeError(t, res, body).Error.Code != apperr.Unauthorized {
		t.Errorf("a session without its second factor: status %d, want 401", res.StatusCode)
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			tests := []struct {
				role  access.Role
				idle  time.Duration
				ended bool
			}{
				{access.CaseWorker, auth.StrictPolicy.Idle - time.Minute, false},
				{access.CaseWorker, auth.StrictPolicy.Idle + time.Minute, true},
				{access.Analyst, auth.StrictPolicy.Idle + time.Minute, false},
				{access.Analyst, auth.RelaxedPolicy.Idle + time.Minute, true},
			}
			for _, tt := range tests {
				t.Run(string(tt.role)+"/"+tt.idle.String(), func(t *testing.T) {
					u := f.env.User(f.unique("idle"), tt.role, f.orgA)
					cookie := f.env.Session(t, u.ID, true)
					err := f.env.App.DB.Write(t.Context(), func(tx *storage.Tx) error {
						_, err := tx.ExecContext(t.Context(), `UPDATE sessions SET last_seen_at = $1 WHERE user_id = $2`, storage.Now().Add(-tt.idle), u.ID)
						return err
					})
					if err != nil {
						t.Fatalf("age session: %v", err)
					}
					res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/v1/me", Cookie: cookie})
					if !tt.ended {
						if res.StatusCode != http.StatusOK {
							t.Errorf("status %d, want 200", res.StatusCode)
						}
						return
					}
					if res.StatusCode != http.StatusUnauthorized || decodeError(t, res, body).Error.Code != apperr.Unauthorized {
						t.Errorf("status %d, want 401 unauthorized", res.StatusCode)
					}
				})
			}
		})
	}
}

func TestMeListsPermissions(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	for _, role := range access.Roles {
		u := f.staff[role]
		res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/v1/me", Cookie: f.env.Session(t, u.ID, true)})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", role, res.StatusCode)
		}
		var me struct {
			User struct {
				ID   string `json:"id"`
				Role string `json:"role"`
			} `json:"user"`
			Permissions []access.Action `json:"permissions"`
		}
		if err := json.Unmarshal([]byte(body), &me); err != nil {
			t.Fatalf("%s: %v", role, err)
		}
		var want []access.Action
		for _, a := range access.Actions {
			if access.ReachOf(role, a) != access.None {
				want = append(want, a)
			}
		}
		if me.User.ID != u.ID || me.User.Role != string(role) || strings.Join(actionStrings(me.Permissions), ",") != strings.Join(actionStrings(want), ",") {
			t.Errorf("%s: me = %+v, want permissions %v", role, me, want)
		}
		if strings.Contains(body, "@example.org") || strings.Contains(body, "Test "+u.Username) {
			t.Errorf("%s: /me carries personal data", role)
		}
	}
}

func actionStrings(as []access.Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}
