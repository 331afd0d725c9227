package trainingui_test

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
	"waymark.city/waymark/internal/training"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

func count(t *testing.T, env *apptest.Env, query string) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error { return tx.QueryRowContext(ctx, query).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTrainingPages records a need, a session and its attendance as the
// coordinator; bad input is refused with a translated message and changes
// nothing; the analyst sees the counts and coverage but no name.
func TestTrainingPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			city := env.Org("Human Rights Office", accounts.Municipality)
			police := env.Org("City Police", accounts.Police)
			coord := env.User("coord", access.Coordinator, city)
			analyst := env.User("analyst", access.Analyst, city)
			worker := env.User("worker", access.CaseWorker, police)
			post := func(u apptest.User, path string, form url.Values, lang string) (*http.Response, string) {
				return env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: u.Cookie, Form: form,
					Header: map[string]string{"Accept-Language": lang}})
			}
			get := func(u apptest.User, path string) (*http.Response, string) {
				return env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: u.Cookie})
			}

			res, body := post(coord, "/training/needs/new", url.Values{"org": {police}, "topic": {"Indicators"}, "priority": {"urgent"}}, "de")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Wählen Sie eine Priorität.") {
				t.Fatalf("bad priority: %d %s", res.StatusCode, body)
			}
			res, _ = post(coord, "/training/needs/new", url.Values{"group": {"taxi"}, "role": {"night drivers"}, "topic": {"Signs in the back seat"}, "priority": {"high"}}, "en")
			if res.StatusCode != http.StatusSeeOther || count(t, env, `SELECT COUNT(*) FROM training_needs`) != 1 {
				t.Fatalf("record need: %d", res.StatusCode)
			}

			res, body = post(coord, "/training/sessions/new", url.Values{"starts_at": {"2026-02-30T09:00"}, "topic": {"Signs"}, "groups": {"police"},
				"trainer": {"Helpline team"}, "languages": {"en"}}, "de")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Geben Sie ein gültiges Datum mit Uhrzeit ein.") {
				t.Fatalf("invalid date: %d %s", res.StatusCode, body)
			}
			if count(t, env, `SELECT COUNT(*) FROM training_sessions`) != 0 {
				t.Fatal("a refused session was stored")
			}
			res, _ = post(coord, "/training/sessions/new", url.Values{"starts_at": {time.Now().AddDate(0, -1, 0).Format(training.LocalMinute)},
				"topic": {"Recognising exploitation"}, "groups": {"police", "taxi"}, "trainer": {"Helpline team"}, "languages": {"en, de"},
				"materials": {"Indicator card | https://example.org/card.pdf\nHandout"}}, "en")
			path := strings.TrimSuffix(res.Header.Get("Location"), "?done=created")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(path, "/training/sessions/") {
				t.Fatalf("record session: %d %q", res.StatusCode, path)
			}

			for _, tc := range []struct {
				name, lang, want string
				form             url.Values
			}{
				{"negative", "en", "The number of people cannot be negative.", url.Values{"org_0": {police}, "attended_0": {"-3"}}},
				{"unknown organisation", "de", "Wählen Sie eine aktive Organisation der Partnerschaft.", url.Values{"org_0": {"no-such-org"}, "attended_0": {"3"}}},
			} {
				res, body := post(coord, path+"/attendance", tc.form, tc.lang)
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
					t.Fatalf("%s: %d %s", tc.name, res.StatusCode, body)
				}
			}
			if count(t, env, `SELECT COUNT(*) FROM training_attendance`) != 0 {
				t.Fatal("refused attendance was stored")
			}
			res, _ = post(coord, path+"/attendance", url.Values{"org_0": {police}, "role_0": {"patrol"}, "attended_0": {"12"},
				"group_1": {"taxi"}, "role_1": {"drivers"}, "attended_1": {"3"}, "org_2": {""}, "attended_2": {""},
				"contact_org": {police}, "contact_name": {"Lena Horvat"}, "contact_function": {"Trafficking contact point"}}, "en")
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("record attendance: %d", res.StatusCode)
			}

			res, body = get(coord, path)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Lena Horvat") || !strings.Contains(body, "15 people attended") ||
				!strings.Contains(body, `href="https://example.org/card.pdf"`) || !strings.Contains(body, "Taxi drivers") {
				t.Fatalf("coordinator's session: %d %s", res.StatusCode, body)
			}
			res, body = get(analyst, path)
			if res.StatusCode != http.StatusOK || strings.Contains(body, "Lena Horvat") || !strings.Contains(body, "Name not shown") ||
				strings.Contains(body, "session-record-submit") {
				t.Fatalf("analyst's session: %d %s", res.StatusCode, body)
			}
			res, body = get(analyst, "/training")
			if res.StatusCode != http.StatusOK || strings.Contains(body, "Lena Horvat") || !strings.Contains(body, `id="coverage-taxi"`) ||
				!strings.Contains(body, "Signs in the back seat") {
				t.Fatalf("analyst's overview: %d %s", res.StatusCode, body)
			}
			// A case worker reads what is published to the partnership, with
			// the names of their own organisation's contact points, and
			// records nothing.
			if res, _ := get(worker, "/training"); res.StatusCode != http.StatusOK {
				t.Fatalf("case worker's overview: %d", res.StatusCode)
			}
			res, body = get(worker, path)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Lena Horvat") || strings.Contains(body, "session-record-submit") {
				t.Fatalf("the police case worker's session: %d %s", res.StatusCode, body)
			}
			if res, _ := get(worker, "/training/sessions/new"); res.StatusCode != http.StatusForbidden {
				t.Fatalf("case worker's new session form: %d", res.StatusCode)
			}
			if res, _ := post(analyst, path+"/attendance", url.Values{"attended_0": {"1"}}, "en"); res.StatusCode != http.StatusForbidden {
				t.Fatalf("analyst records attendance: %d", res.StatusCode)
			}
		})
	}
}
