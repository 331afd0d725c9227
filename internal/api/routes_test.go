package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/api"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage/storagetest"
)

// apiCase is how to call one route of the API table.
type apiCase struct {
	// body builds a minimal valid JSON body for a POST route.
	body func(f *fixture) string
	// id gives the route's {id} when it names a record other than a user
	// (a referral of organisation A); nil means the target user.
	id func(t *testing.T, f *fixture) string
}

// apiCases has an entry for every route of api.Routes; a route without one
// fails TestAPIRouteAccess, so a new route cannot go untested.
var apiCases = map[string]apiCase{
	"GET /api/v1/me":            {},
	"GET /api/v1/organisations": {},
	"POST /api/v1/organisations": {body: func(f *fixture) string {
		return fmt.Sprintf(`{"name": %q, "kind": "ngo"}`, f.unique("Partner"))
	}},
	"POST /api/v1/organisations/{id}/reach": {id: func(_ *testing.T, f *fixture) string { return f.orgA },
		body: func(*fixture) string { return `{"phone": "+00 555 0100", "hours": "24/7"}` }},
	"GET /api/v1/users": {},
	"POST /api/v1/users": {body: func(f *fixture) string {
		return fmt.Sprintf(`{"organisation_id": %q, "username": %q, "role": "analyst", "name": "New Colleague"}`, f.orgA, f.unique("new"))
	}},
	"GET /api/v1/users/{id}": {},
	"GET /api/v1/audit":      {},
	"GET /api/v1/indicators": {},
	"POST /api/v1/screenings/evaluate": {body: func(*fixture) string {
		return `{"setting": "outreach", "age": {"years": 17}, "answers": {"core.threats_violence": "yes", "core.debt": "unknown"}}`
	}},
	"GET /api/v1/guide/local":      {},
	"GET /api/v1/referrals/{id}":   {id: targetReferral},
	"GET /api/v1/cases":            {},
	"GET /api/v1/cases/{id}":       {id: targetCase},
	"GET /api/v1/deadlines":        {},
	"GET /api/v1/cases/{id}/htcds": {id: targetCase},
	"POST /api/v1/cases/htcds": {body: func(*fixture) string {
		return `{"standard": "HTCDS", "version": "2.0", "variant": "pseudonymous", "record": {"prs_Gender": "Masculine", "cas_Status": "Active"}}`
	}},
}

// apiRoutes is the route table; Routes only returns method values, so a
// handler without dependencies is enough to read it.
func apiRoutes() []api.Route { return api.New(api.Deps{}).Routes() }

// want is the status a caller must get, derived from the permission matrix:
// 401 signed out, 403 without the action, 404 for a record of another
// organisation when the grant reaches only the caller's own (or a record
// of someone else when it reaches only the caller's own records), else 2xx.
func want(rt api.Route, f *fixture, u *apptest.User) int {
	if u == nil {
		return http.StatusUnauthorized
	}
	switch reach := access.ReachOf(u.Role, rt.Action); {
	case reach == access.None:
		return http.StatusForbidden
	case reach == access.OwnOrg && strings.Contains(rt.Pattern, "{id}") && u.OrgID != f.orgA:
		return http.StatusNotFound
	case reach == access.OwnRecords && strings.Contains(rt.Pattern, "{id}"):
		// The walk's records are made by other staff.
		return http.StatusNotFound
	}
	return http.StatusOK
}

// errorJSON is the API's error answer.
type errorJSON struct {
	Error struct {
		Code    apperr.Code `json:"code"`
		Message string      `json:"message"`
		Fields  []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"fields"`
	} `json:"error"`
}

func decodeError(t *testing.T, res *http.Response, body string) errorJSON {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error answer has Content-Type %q, want JSON", ct)
	}
	var e errorJSON
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error answer is not JSON: %v: %s", err, body)
	}
	return e
}

var codeOfStatus = map[int]apperr.Code{
	http.StatusUnauthorized: apperr.Unauthorized,
	http.StatusForbidden:    apperr.Forbidden,
	http.StatusNotFound:     apperr.NotFound,
}

type refusal struct {
	route      string
	action     access.Action
	actor      apptest.User
	outOfScope bool
	subject    string
	denied     []audit.Entry
}

func TestAPIRouteAccess(t *testing.T) {
	routes := apiRoutes()
	inTable := map[string]bool{}
	for _, rt := range routes {
		inTable[rt.Pattern] = true
		if _, ok := apiCases[rt.Pattern]; !ok {
			t.Errorf("route %q has no case in apiCases: add one", rt.Pattern)
		}
		if rt.Action == "" {
			t.Errorf("route %q names no action", rt.Pattern)
		}
	}
	for p := range apiCases {
		if !inTable[p] {
			t.Errorf("apiCases has %q, which is not in the route table", p)
		}
	}
	if t.Failed() {
		return
	}
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			refusals := walkAPI(t, f, routes)
			t.Run("refusals are audited as denied", func(t *testing.T) {
				checkRefusalsAudited(t, refusals)
			})
		})
	}
}

func walkAPI(t *testing.T, f *fixture, routes []api.Route) []refusal {
	type caller struct {
		name string
		user *apptest.User
	}
	callers := []caller{{name: "signed out"}}
	for _, role := range access.Roles {
		u := f.staff[role]
		callers = append(callers, caller{name: string(role), user: &u})
	}
	callers = append(callers, caller{name: "case worker of B", user: &f.outsider})

	var refusals []refusal
	for _, c := range callers {
		for _, rt := range routes {
			method, path, _ := strings.Cut(rt.Pattern, " ")
			id := f.target.ID
			if idOf := apiCases[rt.Pattern].id; idOf != nil {
				id = idOf(t, f)
			}
			path = strings.ReplaceAll(path, "{id}", id)
			req := apptest.Request{Method: method, Path: path}
			if c.user != nil {
				req.Cookie = f.env.Session(t, c.user.ID, true)
			}
			if b := apiCases[rt.Pattern].body; b != nil {
				req.Body, req.CType = b(f), "application/json"
			}
			status := want(rt, f, c.user)
			before := ""
			if method == http.MethodPost && status >= 400 {
				before = f.env.Fingerprint(t)
			}
			var seq int64
			refused := c.user != nil && status >= 400
			if refused {
				seq = lastDenied(t, f.env, c.user.ID)
			}
			res, body := f.env.Exchange(t, req)
			switch {
			case status < 400:
				if res.StatusCode < 200 || res.StatusCode >= 300 {
					t.Errorf("%s as %s: status %d, want 2xx: %s", rt.Pattern, c.name, res.StatusCode, body)
				}
			case res.StatusCode != status:
				t.Errorf("%s as %s: status %d, want %d: %s", rt.Pattern, c.name, res.StatusCode, status, body)
			default:
				if e := decodeError(t, res, body); e.Error.Code != codeOfStatus[status] || e.Error.Message == "" {
					t.Errorf("%s as %s: error %+v, want code %s with a message", rt.Pattern, c.name, e.Error, codeOfStatus[status])
				}
			}
			if before != "" {
				if after := f.env.Fingerprint(t); after != before {
					t.Errorf("%s as %s was refused but changed the database:\n before %s\n after  %s", rt.Pattern, c.name, before, after)
				}
			}
			if c.user != nil && c.user.OrgID != f.orgA && strings.Contains(body, f.target.Username) {
				t.Errorf("%s as %s shows a username of organisation A", rt.Pattern, c.name)
			}
			if refused {
				refusals = append(refusals, refusal{route: rt.Pattern, action: rt.Action, actor: *c.user,
					outOfScope: status == http.StatusNotFound, subject: id, denied: deniedSince(t, f.env, c.user.ID, seq)})
			}
		}
	}
	return refusals
}

// deniedSince returns the "denied" audit entries of a user after seq.
func deniedSince(t *testing.T, env *apptest.Env, userID string, seq int64) []audit.Entry {
	t.Helper()
	entries, _, err := env.App.Audit.List(context.Background(), env.App.DB, access.SystemScope(),
		audit.Filter{ActorUserID: userID, Outcome: audit.Denied, Limit: audit.MaxLimit})
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	var out []audit.Entry
	for _, e := range entries {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

// lastDenied is the sequence number of the user's latest "denied" entry, or -1.
func lastDenied(t *testing.T, env *apptest.Env, userID string) int64 {
	t.Helper()
	if e := deniedSince(t, env, userID, -1); len(e) > 0 {
		return e[0].Seq // newest first
	}
	return -1
}

// checkRefusalsAudited checks that each refusal wrote a "denied" entry: a
// refusal at the gate names the route's action; a record out of scope
// names the record.
func checkRefusalsAudited(t *testing.T, refusals []refusal) {
	if len(refusals) == 0 {
		t.Fatal("the walk refused nothing; the test is broken")
	}
	for _, r := range refusals {
		found := false
		for _, e := range r.denied {
			if (!r.outOfScope && e.Action == string(r.action)) || (r.outOfScope && e.SubjectID == r.subject) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("refusal of %s (%s) for %s is not in the audit log as denied", r.route, r.action, r.actor.Username)
		}
	}
}
