package businessesui_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// TestBusinessPages: the procurement officer records an association and its
// code of ethics; refused input is shown in German with nothing stored; a
// follow-up is recorded; a case worker cannot reach the pages.
func TestBusinessPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			city := env.Org("Human Rights Office", accounts.Municipality)
			ngo := env.Org("Safe Harbour", accounts.NGO)
			buyer := env.User("buyer", access.ProcurementOfficer, city)
			worker := env.User("worker", access.CaseWorker, ngo)
			do := func(u apptest.User, method, path string, form url.Values) (*http.Response, string) {
				return env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: u.Cookie, Form: form, Header: map[string]string{"Accept-Language": "de"}})
			}
			count := func(table string) int {
				ctx := context.Background()
				var n int
				if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
					return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
				}); err != nil {
					t.Fatal(err)
				}
				return n
			}
			res, body := do(buyer, http.MethodPost, "/businesses/new", url.Values{"name": {"Cleaning Contractors"}, "kind": {"association"}, "sector": {"piracy"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Wählen Sie eine Branche aus der Liste des Mappings.") || count("businesses") != 0 {
				t.Fatalf("unknown sector: %d %s", res.StatusCode, body)
			}
			res, _ = do(buyer, http.MethodPost, "/businesses/new", url.Values{"name": {"Cleaning Contractors"}, "kind": {"association"}, "sector": {"cleaning"}, "contact_org": {city}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("create: %d", res.StatusCode)
			}
			path := strings.Split(res.Header.Get("Location"), "?")[0]
			today := time.Now().Format(time.DateOnly)
			res, body = do(buyer, http.MethodPost, path+"/commitments", url.Values{"kind": {"code_of_ethics"}, "made_on": {today}, "follow_up_on": {today}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "nach dem Datum der Zusage") || count("business_commitments") != 0 {
				t.Fatalf("follow-up on the day: %d %s", res.StatusCode, body)
			}
			soon := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
			if res, _ = do(buyer, http.MethodPost, path+"/commitments", url.Values{"kind": {"code_of_ethics"}, "made_on": {today}, "follow_up_on": {soon}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("commit: %d", res.StatusCode)
			}
			res, body = do(buyer, http.MethodGet, "/businesses", nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="businesses-due"`) || !strings.Contains(body, "Verhaltenskodex") {
				t.Fatalf("list: %d %s", res.StatusCode, body)
			}
			// Who is reminded, and the source, in plain words (en and de).
			for lang, want := range map[string][]string{
				"de": {"die kommunale Koordination und die Beschaffungsverantwortlichen", "Leitlinien für Kommunen im Donauraum", "Abschnitt 3.4"},
				"en": {"the municipal coordinators and procurement officers", "Guidelines for Municipalities", "section 3.4"},
			} {
				var text string
				for _, page := range []string{path, "/businesses"} {
					_, b := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: page, Cookie: buyer.Cookie, Header: map[string]string{"Accept-Language": lang}})
					text += b
				}
				for _, w := range want {
					if !strings.Contains(text, w) || strings.Contains(text, "keepers") || strings.Contains(text, "xii") {
						t.Fatalf("%s: want %q, no keepers, no page number: %s", lang, w, text)
					}
				}
			}
			res, body = do(buyer, http.MethodGet, path, nil)
			i := strings.Index(body, `action="/businesses/commitments/`)
			if res.StatusCode != http.StatusOK || i < 0 {
				t.Fatalf("business: %d %s", res.StatusCode, body)
			}
			action := body[i+len(`action="`):]
			action = action[:strings.Index(action, `"`)]
			res, body = do(buyer, http.MethodPost, action, url.Values{"business": {strings.TrimPrefix(path, "/businesses/")}, "next_follow_up_on": {"2001-01-01"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "nächste Nachverfolgung nach heute") {
				t.Fatalf("past follow-up: %d %s", res.StatusCode, body)
			}
			if res, _ = do(buyer, http.MethodPost, action, url.Values{"next_follow_up_on": {""}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("followed up: %d", res.StatusCode)
			}
			if _, body = do(buyer, http.MethodGet, "/businesses", nil); strings.Contains(body, `id="businesses-due"`) {
				t.Fatalf("still due after the follow-up: %s", body)
			}
			if !strings.Contains(body, `href="/businesses.csv"`) {
				t.Fatalf("list without its export links: %s", body)
			}
			res, body = do(buyer, http.MethodGet, "/businesses.csv", nil)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(body, "Name,Art,") {
				t.Fatalf("CSV export: %d %s", res.StatusCode, body)
			}
			if res, _ = do(buyer, http.MethodGet, "/businesses.xlsx", nil); res.StatusCode != http.StatusOK {
				t.Fatalf("XLSX export: %d", res.StatusCode)
			}
			for _, path := range []string{"/businesses", "/businesses.csv", "/businesses.xlsx"} {
				if res, _ := do(worker, http.MethodGet, path, nil); res.StatusCode != http.StatusForbidden {
					t.Fatalf("case worker %s: %d", path, res.StatusCode)
				}
			}
		})
	}
}
