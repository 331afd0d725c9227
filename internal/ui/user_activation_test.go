package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage/storagetest"
)

// newPending creates a case worker of organisation A waiting for
// activation and returns it with its activation link's token.
func newPending(t *testing.T, f *fixture) (accounts.User, string) {
	t.Helper()
	u, link, err := f.env.App.Accounts.CreateUser(context.Background(), accounts.System, accounts.NewUser{
		OrgID: f.orgA, Username: f.unique("pending"), Role: access.CaseWorker, Language: "en",
		Profile: accounts.Profile{DisplayName: "Pending Person"}})
	if err != nil {
		t.Fatalf("create pending account: %v", err)
	}
	return u, link.Token
}

// pendingUser is the {id} of POST /users/{id}/activation.
func pendingUser(t *testing.T, f *fixture) string {
	u, _ := newPending(t, f)
	return u.ID
}

// activationLink gives GET and POST /activate/{token} a fresh link.
func activationLink(t *testing.T, f *fixture) string {
	u, token := newPending(t, f)
	f.params["token"] = token
	return u.ID
}

var linkPattern = regexp.MustCompile(`/activate/([A-Za-z0-9_-]{43})`)

// TestAccountActivationPages: a coordinator creates an account without a
// password and is shown its link once; the owner opens it signed out, sets
// a password and goes on to the authenticator set-up. A used or forged link,
// a password from the creator, an account in another organisation and a
// change to an administrator's account by a coordinator are refused with a
// translated message and change nothing (issue 11, item 2).
func TestAccountActivationPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			coord := f.env.Session(t, f.staff[access.Coordinator].ID, true)
			de := map[string]string{"Accept-Language": "de"}

			res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/users/new", Cookie: coord})
			if res.StatusCode != http.StatusOK || strings.Contains(body, `name="password"`) || strings.Contains(body, f.orgB) {
				t.Errorf("new account form: %d; it asks for a password or offers another organisation", res.StatusCode)
			}
			form := func(org string) url.Values {
				return url.Values{"org": {org}, "username": {"n.okafor"}, "role": {"case_worker"}, "language": {"en"}, "name": {"Nkechi Okafor"}}
			}
			for _, bad := range []struct {
				form   url.Values
				header map[string]string
				status int
				text   string
			}{
				{func() url.Values { v := form(f.orgA); v.Set("password", apptest.Password); return v }(), nil, http.StatusUnprocessableEntity,
					"the owner of the account sets it through the activation link"},
				{form(f.orgB), nil, http.StatusForbidden, "Only an administrator can create an account in another organisation"},
				{form(f.orgB), de, http.StatusForbidden, "Nur eine Administrationsperson kann ein Konto in einer anderen"},
			} {
				before := f.env.Fingerprint(t)
				res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/users", Cookie: coord, Form: bad.form, Header: bad.header})
				if res.StatusCode != bad.status || !strings.Contains(body, bad.text) {
					t.Errorf("create %v: %d, want %d with %q", bad.form, res.StatusCode, bad.status, bad.text)
				}
				if f.env.Fingerprint(t) != before {
					t.Errorf("a refused creation changed the database")
				}
			}

			res, body = f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/users", Cookie: coord, Form: form(f.orgA)})
			m := linkPattern.FindStringSubmatch(body)
			if res.StatusCode != http.StatusCreated || m == nil {
				t.Fatalf("create: %d, link %v", res.StatusCode, m)
			}
			link := "/activate/" + m[1]

			res, body = f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: link})
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "n.okafor") {
				t.Fatalf("activation page: %d", res.StatusCode)
			}
			const chosen = "copper kettle sings at dawn"
			before := f.env.Fingerprint(t)
			res, body = f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: link, Header: de,
				Form: url.Values{"password": {chosen}, "confirm": {chosen + "!"}}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Die beiden neuen Passwörter sind nicht gleich") {
				t.Errorf("mismatched confirmation: %d", res.StatusCode)
			}
			if f.env.Fingerprint(t) != before {
				t.Error("a refused activation changed the database")
			}
			res, _ = f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: link, Form: url.Values{"password": {chosen}, "confirm": {chosen}}})
			if res.StatusCode != http.StatusSeeOther || redirectPath(res) != "/login/enrol" || res.Header.Get("Set-Cookie") == "" {
				t.Fatalf("activate: %d to %q", res.StatusCode, res.Header.Get("Location"))
			}
			for _, tt := range []struct {
				path, text string
			}{
				{link, "This activation link has already been used"},
				{"/activate/" + strings.Repeat("A", 43), "This activation link is not valid"},
			} {
				before := f.env.Fingerprint(t)
				res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: tt.path,
					Form: url.Values{"password": {"another phrase entirely"}, "confirm": {"another phrase entirely"}}})
				if res.StatusCode < 400 || !strings.Contains(body, tt.text) || strings.Contains(body, `name="password"`) {
					t.Errorf("POST %s: %d, want a refusal saying %q", tt.path, res.StatusCode, tt.text)
				}
				if f.env.Fingerprint(t) != before {
					t.Errorf("POST %s changed the database", tt.path)
				}
			}

			// A coordinator leaves administrators' accounts alone.
			adminID := f.staff[access.Administrator].ID
			for _, path := range []string{"/users/" + adminID + "/role", "/users/" + adminID + "/disable"} {
				before := f.env.Fingerprint(t)
				res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: coord, Header: de,
					Form: url.Values{"role": {"analyst"}}})
				if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Nur eine Administrationsperson kann das Konto einer Administrationsperson ändern") {
					t.Errorf("POST %s as coordinator: %d", path, res.StatusCode)
				}
				if f.env.Fingerprint(t) != before {
					t.Errorf("POST %s as coordinator changed the database", path)
				}
			}

			// An administrator's account created in organisation B is
			// shown to B's account managers on their accounts page.
			admin := f.env.Session(t, adminID, true)
			res, _ = f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/users", Cookie: admin,
				Form: url.Values{"org": {f.orgB}, "username": {"b.placed"}, "role": {"case_worker"}, "language": {"en"}, "name": {"Placed Person"}}})
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("administrator creating in B: %d", res.StatusCode)
			}
			coordB := f.env.User("b-coord", access.Coordinator, f.orgB)
			_, body = f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/users", Cookie: coordB.Cookie})
			if !strings.Contains(body, "Accounts created in your organisation by another organisation") || !strings.Contains(body, "“b.placed” (Case worker), created by a-administrator of Organisation A") {
				t.Errorf("B's accounts page does not show the account created from A")
			}
			_, body = f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/users", Cookie: coord})
			if strings.Contains(body, "Accounts created in your organisation by another organisation") {
				t.Errorf("A's accounts page shows a notice meant for B")
			}
		})
	}
}
