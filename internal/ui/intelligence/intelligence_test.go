package intelligenceui_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage"
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
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Mill Lane") || !strings.Contains(body, "Was gemeldet wurde") || strings.Contains(body, "Was Sie wissen") {
				t.Fatalf("police read: %d %s", res.StatusCode, body)
			}
			_, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: officer.Cookie, Header: map[string]string{"Accept-Language": "en"}})
			if !strings.Contains(body, "What was reported") || strings.Contains(body, "What you know") {
				t.Fatalf("police read in English: %s", body)
			}
			for lang, want := range map[string]string{"de": "Leitlinien für Kommunen im Donauraum), Abschnitt 3.4", "en": "(Danube Region), section 3.4"} {
				_, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/intelligence", Cookie: officer.Cookie, Header: map[string]string{"Accept-Language": lang}})
				if !strings.Contains(body, want) || strings.Contains(body, "xii") {
					t.Fatalf("%s: the source, cited readably: %s", lang, body)
				}
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

// TestReviewStep: without JavaScript, a text naming a victim comes back in
// German as the review step (what was found, the text to edit, the
// confirmation) with nothing stored; sent again unconfirmed it comes back
// again; confirmed it is sent. A recruiter's phone number and a business's
// address go straight through.
func TestReviewStep(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ngo := env.Org("Safe Harbour", accounts.NGO)
			worker := env.User("worker", access.CaseWorker, ngo)
			do := func(form url.Values) (*http.Response, string) {
				return env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/intelligence/new", Cookie: worker.Cookie, Form: form,
					Header: map[string]string{"Accept-Language": "de"}})
			}
			stored := func() int {
				var n int
				if err := env.App.DB.Read(context.Background(), func(tx *storage.Tx) error {
					return tx.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM intelligence_entries`).Scan(&n)
				}); err != nil {
					t.Fatal(err)
				}
				return n
			}
			text := "Das Opfer namens Anna arbeitet im Lokal Lotus, Bahnhofstraße 3."
			form := url.Values{"about": {"business"}, "text": {text}, "not_about_victims": {"yes"}}
			res, body := do(form)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="intelligence-review"`) || !strings.Contains(body, "Ein namentlich genanntes Opfer") ||
				!strings.Contains(body, "<q>Opfer namens Anna</q>") || !strings.Contains(body, `<input type="hidden" name="flagged" value="victim_named">`) ||
				!strings.Contains(body, ">"+text+"</textarea>") || stored() != 0 {
				t.Fatalf("review: %d %s", res.StatusCode, body)
			}
			form.Set("flagged", "victim_named")
			if res, body = do(form); res.StatusCode != http.StatusOK || !strings.Contains(body, `id="intelligence-review"`) || stored() != 0 {
				t.Fatalf("sent again unconfirmed: %d %s", res.StatusCode, body)
			}
			form.Set("confirm_flags", "yes")
			if res, _ = do(form); res.StatusCode != http.StatusSeeOther || stored() != 1 {
				t.Fatalf("confirmed: %d, %d stored", res.StatusCode, stored())
			}
			if res, _ = do(url.Values{"about": {"recruiter"}, "not_about_victims": {"yes"},
				"text": {"Anwerber unter 0171 2345678, Treffpunkt Hafenstraße 12, 20457 Hamburg."}}); res.StatusCode != http.StatusSeeOther || stored() != 2 {
				t.Fatalf("recruiter's phone: %d", res.StatusCode)
			}
		})
	}
}
