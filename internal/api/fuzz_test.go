package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage"
)

// FuzzCreateOrganisation sends arbitrary bodies to a write endpoint: the
// answer is never a server error, always JSON, and a refused body creates
// nothing.
func FuzzCreateOrganisation(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Safe Harbour","kind":"ngo"}`,
		`{"name":"","kind":"ngo"}`,
		`{"name":"x","kind":"ngo","extra":1}`,
		`{"name":"\ud800","kind":"ngo"}`,
		"{\"name\":\"\xff\",\"kind\":\"ngo\"}",
		`[1,2,3]`,
		`{"name":"a"}{"name":"b"}`,
		``,
		`null`,
	} {
		f.Add([]byte(seed), "application/json")
	}
	f.Add([]byte(`name=x&kind=ngo`), "application/x-www-form-urlencoded")
	env := apptest.Start(f, storage.SQLite)
	org := env.Org("Riverton Human Rights Office", accounts.Municipality)
	coord := env.User("coord", access.Coordinator, org)
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		if strings.ContainsFunc(contentType, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			t.Skip("not a header value a client can send")
		}
		before := countOrgs(t, env, coord)
		res := env.Send(t, coord, http.MethodPost, "/api/v1/organisations", contentType, bytes.NewReader(body))
		if res.StatusCode >= 500 {
			t.Fatalf("status %d for %q", res.StatusCode, body)
		}
		var answer map[string]any
		if err := json.NewDecoder(res.Body).Decode(&answer); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
		after := countOrgs(t, env, coord)
		if res.StatusCode != http.StatusCreated && after != before {
			t.Fatalf("refused body (status %d) changed the organisations: %d → %d", res.StatusCode, before, after)
		}
	})
}

func countOrgs(t *testing.T, env *apptest.Env, u apptest.User) int {
	t.Helper()
	orgs, err := env.App.Accounts.ListOrganisations(t.Context(), u.Actor)
	if err != nil {
		t.Fatal(err)
	}
	return len(orgs)
}
