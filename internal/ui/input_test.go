package ui_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage/storagetest"
	"waymark.city/waymark/internal/ui"
)

// allowedCaller is the first caller of a walk (signed out, then each role
// of organisation A) the route lets through.
func allowedCaller(f *fixture, rt ui.Route) (caller, bool) {
	callers := []caller{{name: "signed out"}}
	for _, role := range access.Roles {
		u := f.staff[role]
		callers = append(callers, caller{name: string(role), user: &u})
	}
	for _, c := range callers {
		if expectPage(rt, f, c) == allowed {
			return c, true
		}
	}
	return caller{}, false
}

// fillPath is the route's path with its {id} and other path values.
func fillPath(t *testing.T, f *fixture, rt ui.Route) (method, path string) {
	pc := pageCases[rt.Pattern]
	id := f.target.ID
	if pc.id != nil {
		id = pc.id(t, f)
	}
	method, path = routePath(rt.Pattern, id, f.orgC)
	for _, params := range []map[string]string{pc.params, f.params} {
		for k, v := range params {
			path = strings.ReplaceAll(path, "{"+k+"}", v)
		}
	}
	return method, path
}

// readsNoForm are routes that answer the walk's caller without reading the
// form, so a NUL in it cannot matter: sign-in steps a signed-in caller has
// passed already, and passkey ceremonies the test server (no https public
// URL) cannot run.
var readsNoForm = map[string]bool{
	"POST /login/code":              true,
	"POST /login/enrol":             true,
	"POST /login/passkey/finish":    true,
	"POST /account/passkeys/finish": true,
}

// TestControlCharactersRefused walks every posted form of the page table
// with a NUL in each of its fields, and every page with one in its query:
// each answers 422 with the translated message, on both engines, and
// nothing changes.
func TestControlCharactersRefused(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			for _, rt := range pageRoutes() {
				c, ok := allowedCaller(f, rt)
				if !ok || readsNoForm[rt.Pattern] {
					continue
				}
				pc := pageCases[rt.Pattern]
				method, path := fillPath(t, f, rt)
				req := apptest.Request{Method: method, Path: path}
				if c.user != nil {
					req.Cookie = f.env.Session(t, c.user.ID, true)
				}
				if method == http.MethodGet {
					req.Path += "?q=a%00b"
				} else {
					if pc.form == nil {
						continue
					}
					req.Form = pc.form(t, f, c.user)
					if len(req.Form) == 0 {
						continue
					}
					// An uploaded file may hold any byte; the other fields
					// of its form are text.
					file := req.Form[pc.file]
					delete(req.Form, pc.file)
					if len(req.Form) == 0 {
						continue
					}
					for k, vals := range req.Form {
						for i := range vals {
							vals[i] += "\x00"
						}
						req.Form[k] = vals
					}
					if pc.file != "" {
						req.Form[pc.file] = file
						req.Body, req.CType = multipartBody(t, req.Form, pc.file)
						req.Form = nil
					}
				}
				before := f.env.Fingerprint(t)
				res, body := f.env.Exchange(t, req)
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "control characters") {
					t.Errorf("%s as %s with a NUL: status %d (Location %q), want 422 with the message", rt.Pattern, c.name, res.StatusCode, res.Header.Get("Location"))
				}
				if after := f.env.Fingerprint(t); after != before {
					t.Errorf("%s as %s with a NUL changed the database", rt.Pattern, c.name)
				}
			}
		})
	}
}

var pathValue = regexp.MustCompile(`\{[a-z_]+(\.\.\.)?\}`)

// TestOverlongIDs sends a 5,000-character id to every route that takes
// one, as a caller the route lets in: 404, and a denied audit entry.
func TestOverlongIDs(t *testing.T) {
	long := strings.Repeat("a", 5000)
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			for _, rt := range pageRoutes() {
				if !pathValue.MatchString(rt.Pattern) || (rt.Gate != ui.SignedIn && rt.Gate != ui.Home) {
					continue
				}
				c, ok := allowedCaller(f, rt)
				if !ok || c.user == nil {
					continue
				}
				method, path, _ := strings.Cut(rt.Pattern, " ")
				req := apptest.Request{Method: method, Path: pathValue.ReplaceAllString(path, long), Cookie: f.env.Session(t, c.user.ID, true)}
				if pc := pageCases[rt.Pattern]; pc.form != nil {
					req.Form = pc.form(t, f, c.user)
				}
				seq := lastDenied(t, f.env, c.user.ID)
				res, _ := f.env.Exchange(t, req)
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("%s as %s with a 5,000-character id: status %d, want 404", rt.Pattern, c.name, res.StatusCode)
				}
				if len(deniedSince(t, f.env, c.user.ID, seq)) == 0 {
					t.Errorf("%s as %s with a 5,000-character id: no denied audit entry", rt.Pattern, c.name)
				}
			}
		})
	}
}
