package intelligenceui_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// TestIntelligencePages: a case worker sends information and sees its
// status only; the police contact point reads it and marks it; the
// analyst, a case worker and the coordinator get 403 on the entry.
func TestIntelligencePages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ngo := env.Org("Safe Harbour", accounts.NGO)
			city := env.Org("Human Rights Office", accounts.Municipality)
			police := env.Org("City Police", accounts.Police)
			worker := env.User("worker", access.CaseWorker, ngo)
			coord := env.User("coord", access.Coordinator, city)
			analyst := env.User("analyst", access.Analyst, city)
			officer := env.User("officer", access.PoliceContact, police)
			do := func(u apptest.User, method, path string, form url.Values) (*http.Response, string) {
				return env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: u.Cookie, Form: form, Header: map[string]string{"Accept-Language": "de"}})
			}
			res, body := do(worker, http.MethodGet, "/intelligence/new", nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Nie über Opfer.") {
				t.Fatalf("form: %d %s", res.StatusCode, body)
			}
			res, body = do(worker, http.MethodPost, "/intelligence/new", url.Values{"about": {"recruiter"}, "text": {"Vans at the station."}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Bestätigen Sie, dass es nicht um ein Opfer geht.") {
				t.Fatalf("unconfirmed: %d %s", res.StatusCode, body)
			}
			secret := "The agency on Mill Lane keeps its workers' passports."
			if res, _ = do(worker, http.MethodPost, "/intelligence/new", url.Values{"about": {"recruiter"}, "text": {secret}, "not_about_victims": {"yes"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("submit: %d", res.StatusCode)
			}
			res, body = do(officer, http.MethodGet, "/intelligence", nil)
			inbox := strings.Index(body, `id="intelligence-inbox"`)
			i := strings.Index(body[max(inbox, 0):], `<a href="/intelligence/`) + max(inbox, 0)
			if res.StatusCode != http.StatusOK || inbox < 0 || i < inbox || strings.Contains(body, secret) {
				t.Fatalf("police list: %d %s", res.StatusCode, body)
			}
			path := body[i+len(`<a href="`):]
			path = path[:strings.Index(path, `"`)]
			for _, u := range []apptest.User{worker, coord, analyst} {
				if res, _ := do(u, http.MethodGet, path, nil); res.StatusCode != http.StatusForbidden {
					t.Fatalf("%s reads the entry: %d", u.Username, res.StatusCode)
				}
			}
			if res, _ := do(analyst, http.MethodGet, "/intelligence", nil); res.StatusCode != http.StatusForbidden {
				t.Fatalf("analyst lists: %d", res.StatusCode)
			}
			res, body = do(officer, http.MethodGet, path, nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Mill Lane") {
				t.Fatalf("police read: %d %s", res.StatusCode, body)
			}
			if res, _ = do(officer, http.MethodPost, path+"/status", url.Values{"status": {"acted_upon"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("mark: %d", res.StatusCode)
			}
			res, body = do(worker, http.MethodGet, "/intelligence", nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Bearbeitet") || strings.Contains(body, "Mill Lane") || strings.Contains(body, path) {
				t.Fatalf("submitter's list: %d %s", res.StatusCode, body)
			}
		})
	}
}
