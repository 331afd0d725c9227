package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/api"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage/storagetest"
)

// allowedUser is the first role of organisation A the route lets through.
func allowedUser(f *fixture, rt api.Route) (apptest.User, bool) {
	for _, role := range access.Roles {
		if u := f.staff[role]; want(rt, f, &u) == http.StatusOK {
			return u, true
		}
	}
	return apptest.User{}, false
}

// withNUL appends a NUL to every string in a decoded JSON value.
func withNUL(v any) any {
	switch v := v.(type) {
	case string:
		return v + "\x00"
	case []any:
		for i := range v {
			v[i] = withNUL(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = withNUL(v[k])
		}
	}
	return v
}

// TestAPIControlCharactersRefused walks every route of the API: a body
// with a NUL (escaped, as JSON sends it) in each string, or a query with
// one, is answered 422 with the translated message, and changes nothing.
func TestAPIControlCharactersRefused(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			for _, rt := range apiRoutes() {
				u, ok := allowedUser(f, rt)
				if !ok {
					continue
				}
				method, path, _ := strings.Cut(rt.Pattern, " ")
				id := f.target.ID
				if idOf := apiCases[rt.Pattern].id; idOf != nil {
					id = idOf(t, f)
				}
				req := apptest.Request{Method: method, Path: strings.ReplaceAll(path, "{id}", id), Cookie: f.env.Session(t, u.ID, true)}
				if b := apiCases[rt.Pattern].body; b != nil {
					var v any
					if err := json.Unmarshal([]byte(b(f)), &v); err != nil {
						t.Fatal(err)
					}
					body, err := json.Marshal(withNUL(v))
					if err != nil {
						t.Fatal(err)
					}
					req.Body, req.CType = string(body), "application/json"
				} else {
					req.Path += "?q=a%00b"
				}
				before := f.env.Fingerprint(t)
				res, body := f.env.Exchange(t, req)
				if res.StatusCode != http.StatusUnprocessableEntity {
					t.Errorf("%s as %s with a NUL: status %d, want 422: %s", rt.Pattern, u.Username, res.StatusCode, body)
					continue
				}
				if e := decodeError(t, res, body); e.Error.Code != apperr.Invalid || !strings.Contains(e.Error.Message, "control characters") {
					t.Errorf("%s with a NUL: error %+v", rt.Pattern, e.Error)
				}
				if after := f.env.Fingerprint(t); after != before {
					t.Errorf("%s with a NUL changed the database", rt.Pattern)
				}
			}
		})
	}
}

// TestAPIOverlongIDs: a 5,000-character id is not found, and audited.
func TestAPIOverlongIDs(t *testing.T) {
	long := strings.Repeat("a", 5000)
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			for _, rt := range apiRoutes() {
				if !strings.Contains(rt.Pattern, "{id}") {
					continue
				}
				u, ok := allowedUser(f, rt)
				if !ok {
					continue
				}
				method, path, _ := strings.Cut(rt.Pattern, " ")
				req := apptest.Request{Method: method, Path: strings.ReplaceAll(path, "{id}", long), Cookie: f.env.Session(t, u.ID, true)}
				if b := apiCases[rt.Pattern].body; b != nil {
					req.Body, req.CType = b(f), "application/json"
				}
				seq := lastDenied(t, f.env, u.ID)
				res, body := f.env.Exchange(t, req)
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("%s with a 5,000-character id: status %d, want 404: %.200s", rt.Pattern, res.StatusCode, body)
				}
				if len(deniedSince(t, f.env, u.ID, seq)) == 0 {
					t.Errorf("%s with a 5,000-character id: no denied audit entry", rt.Pattern)
				}
			}
		})
	}
}
