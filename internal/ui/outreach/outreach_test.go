package outreachui_test

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
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// TestOutreachPages: a refused session is shown again with the message in
// the user's language and stores nothing; a recorded one is added up in
// the table and the chart, and an analyst cannot reach the pages.
func TestOutreachPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ngo := env.Org("Safe Harbour", accounts.NGO)
			worker := env.User("worker", access.CaseWorker, ngo)
			analyst := env.User("analyst", access.Analyst, ngo)
			coord := env.User("coord", access.Coordinator, env.Org("Human Rights Office", accounts.Municipality))
			areas := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"harbour","name":"Harbour"},` +
				`"geometry":{"type":"Polygon","coordinates":[[[16.30,48.20],[16.31,48.20],[16.31,48.21],[16.30,48.21],[16.30,48.20]]]}}]}`
			if _, err := env.App.Geo.Upload(context.Background(), coord.Actor, strings.NewReader(areas), geo.Properties{Name: "name", Code: "code"}); err != nil {
				t.Fatal(err)
			}
			post := func(form url.Values, lang string) (*http.Response, string) {
				return env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/outreach/new", Cookie: worker.Cookie, Form: form,
					Header: map[string]string{"Accept-Language": lang}})
			}
			today := time.Now().Format(time.DateOnly)
			for _, tc := range []struct{ lang, want string }{
				{"en", "Choose an area, a kind of place, or both."},
				{"de", "Wählen Sie ein Gebiet, eine Art von Ort oder beides."},
			} {
				res, body := post(url.Values{"held_on": {today}, "team_org_0": {ngo}, "team_staff_0": {"2"}}, tc.lang)
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
					t.Fatalf("%s: %d %s", tc.lang, res.StatusCode, body)
				}
			}
			res, body := post(url.Values{"held_on": {today}, "location_type": {"construction_site"}, "team_org_0": {ngo}, "team_staff_0": {"x"}}, "de")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Geben Sie an, wie viele Mitarbeitende") {
				t.Fatalf("bad staff: %d %s", res.StatusCode, body)
			}
			ctx := context.Background()
			var n int
			if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM outreach_sessions`).Scan(&n)
			}); err != nil || n != 0 {
				t.Fatalf("refused sessions stored: %d %v", n, err)
			}
			res, _ = post(url.Values{"held_on": {today}, "area": {"harbour"}, "location_type": {"construction_site"}, "team_org_0": {ngo}, "team_staff_0": {"2"},
				"contacts_workers": {"7"}, "contacts_men": {"2"}, "materials": {"30"}, "referrals": {"1"}}, "en")
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("record: %d", res.StatusCode)
			}
			res, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/outreach/" + strings.TrimPrefix(strings.Split(res.Header.Get("Location"), "?")[0], "/outreach/"),
				Cookie: worker.Cookie})
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "9 contacts") || !strings.Contains(body, "Harbour · large construction sites") {
				t.Fatalf("session page: %d %s", res.StatusCode, body)
			}
			res, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/outreach?per=quarter", Cookie: worker.Cookie})
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="outreach-chart"`) || !strings.Contains(body, `<td data-label="Contacts">9</td>`) ||
				!strings.Contains(body, `id="outreach-map-figure"`) {
				t.Fatalf("overview: %d %s", res.StatusCode, body)
			}
			if !strings.Contains(body, `href="/outreach.csv?per=quarter&amp;from=`) {
				t.Fatalf("overview without its export links: %s", body)
			}
			if !strings.Contains(body, "(Danube Region), section 3.4") || !strings.Contains(body, "“Taking a stand”") || strings.Contains(body, "Danube guidelines") {
				t.Fatalf("overview without its sources cited readably: %s", body)
			}
			_, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/outreach", Cookie: worker.Cookie, Header: map[string]string{"Accept-Language": "de"}})
			if !strings.Contains(body, "(Leitlinien für Kommunen im Donauraum), Abschnitt 3.4") || strings.Contains(body, "Donau-Leitlinien") {
				t.Fatalf("German overview without its sources cited readably: %s", body)
			}
			res, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/outreach.csv?per=quarter", Cookie: worker.Cookie,
				Header: map[string]string{"Accept-Language": "de"}})
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
				!strings.HasPrefix(body, "Zeitraum,") || !strings.Contains(body, ",Harbour,") {
				t.Fatalf("CSV export: %d %s", res.StatusCode, body)
			}
			res, _ = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/outreach.xlsx", Cookie: worker.Cookie})
			if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), ".xlsx") {
				t.Fatalf("XLSX export: %d", res.StatusCode)
			}
			res, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/outreach.csv?from=2026-05-01&to=2026-04-01", Cookie: worker.Cookie})
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("export of a range ending before it starts: %d %s", res.StatusCode, body)
			}
			for _, path := range []string{"/outreach", "/outreach.csv", "/outreach.xlsx"} {
				if res, _ := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: analyst.Cookie}); res.StatusCode != http.StatusForbidden {
					t.Fatalf("analyst %s: %d", path, res.StatusCode)
				}
			}
		})
	}
}
