package workgroupui_test

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
	"waymark.city/waymark/internal/workgroup"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

func count(t *testing.T, env *apptest.Env, query string, args ...any) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error { return tx.QueryRowContext(ctx, query, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWorkingGroupPages runs the group as a coordinator would: a member,
// a meeting, its record with an action item, the library; bad input is
// refused with a translated message and changes nothing; a member
// organisation reads the minutes, another does not.
func TestWorkingGroupPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			city := env.Org("Human Rights Office", accounts.Municipality)
			ngo := env.Org("Safe Harbour", accounts.NGO)
			far := env.Org("Far NGO", accounts.NGO)
			coord := env.User("coord", access.Coordinator, city)
			worker := env.User("worker", access.CaseWorker, ngo)
			outsider := env.User("outsider", access.CaseWorker, far)
			post := func(u apptest.User, path string, form url.Values, lang string) (*http.Response, string) {
				return env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: u.Cookie, Form: form,
					Header: map[string]string{"Accept-Language": lang}})
			}
			get := func(u apptest.User, path string) (*http.Response, string) {
				return env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: u.Cookie})
			}

			res, _ := post(coord, "/workgroup/members/new", url.Values{"org": {ngo}, "joined_on": {time.Now().AddDate(-1, 0, 0).Format(time.DateOnly)}}, "en")
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("add member: %d", res.StatusCode)
			}
			res, body := post(coord, "/workgroup/members/new", url.Values{"org": {"no-such-org"}, "joined_on": {"2025-01-01"}}, "de")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Wählen Sie eine aktive Organisation der Partnerschaft.") {
				t.Fatalf("unknown organisation: %d %s", res.StatusCode, body)
			}

			res, body = post(coord, "/workgroup/meetings/new", url.Values{"starts_at": {"2026-02-30T10:00"}, "place": {"City Hall"}}, "de")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Geben Sie ein gültiges Datum mit Uhrzeit ein.") {
				t.Fatalf("invalid date: %d %s", res.StatusCode, body)
			}
			if n := count(t, env, `SELECT COUNT(*) FROM workgroup_meetings`); n != 0 {
				t.Fatalf("a refused meeting was stored")
			}
			start := time.Now().AddDate(0, 0, -7)
			res, _ = post(coord, "/workgroup/meetings/new", url.Values{"starts_at": {start.Format(workgroup.LocalMinute)}, "place": {"City Hall, room 2"},
				"agenda": {"Mapping results\nTraining plan"}}, "en")
			loc := res.Header.Get("Location")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/workgroup/meetings/") {
				t.Fatalf("create meeting: %d %q", res.StatusCode, loc)
			}
			path := strings.TrimSuffix(loc, "?done=created")

			before := start.AddDate(0, 0, -1).Format(time.DateOnly)
			res, body = post(coord, path, url.Values{"minutes": {"Mira reported two cases."}, "action_what": {"Train hotel staff"},
				"action_owner": {ngo}, "action_due": {before}}, "en")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The due date cannot be before the meeting.") {
				t.Fatalf("due before meeting: %d %s", res.StatusCode, body)
			}
			if n := count(t, env, `SELECT COUNT(*) FROM workgroup_meetings WHERE minutes IS NOT NULL`) + count(t, env, `SELECT COUNT(*) FROM workgroup_actions`); n != 0 {
				t.Fatalf("a refused record changed %d rows", n)
			}
			res, _ = post(coord, path, url.Values{"agenda": {"Mapping results\nTraining plan"}, "minutes": {"Mira reported two cases."},
				"decisions": {"Adopt the mapping plan."}, "action_what": {"Train hotel staff"}, "action_owner": {ngo},
				"action_due": {start.AddDate(0, 1, 0).Format(time.DateOnly)}}, "en")
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("record meeting: %d", res.StatusCode)
			}

			res, body = get(worker, path)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Mira reported two cases.") || !strings.Contains(body, "Adopt the mapping plan.") ||
				strings.Contains(body, "meeting-record-submit") {
				t.Fatalf("member reads meeting: %d %s", res.StatusCode, body)
			}
			if n := count(t, env, `SELECT COUNT(*) FROM audit_log WHERE action = 'workgroup.minutes.read' AND actor_user_id = $1`, worker.ID); n != 1 {
				t.Fatalf("minutes read by the member audited %d times", n)
			}
			if res, _ := get(outsider, path); res.StatusCode != http.StatusNotFound {
				t.Fatalf("outsider reads meeting: %d", res.StatusCode)
			}
			res, body = get(coord, path)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "/measure\"") || !strings.Contains(body, "meeting-record-submit") {
				t.Fatalf("coordinator's meeting page: %d", res.StatusCode)
			}
			var action string
			if err := env.App.DB.Read(context.Background(), func(tx *storage.Tx) error {
				return tx.QueryRowContext(context.Background(), `SELECT id FROM workgroup_actions`).Scan(&action)
			}); err != nil {
				t.Fatal(err)
			}
			if res, _ := post(worker, "/workgroup/actions/"+action+"/measure", url.Values{}, "en"); res.StatusCode != http.StatusForbidden {
				t.Fatalf("case worker makes a measure: %d", res.StatusCode)
			}
			res, _ = post(coord, "/workgroup/actions/"+action+"/measure", url.Values{}, "en")
			measure := res.Header.Get("Location")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(measure, "/plan/measures/") {
				t.Fatalf("make a measure: %d %q", res.StatusCode, measure)
			}
			if _, body := get(worker, path); !strings.Contains(body, `href="`+measure+`"`) {
				t.Fatalf("the meeting does not link the measure %s", measure)
			}
			res, body = get(worker, "/workgroup")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Train hotel staff") || !strings.Contains(body, "Safe Harbour") {
				t.Fatalf("member's overview: %d %s", res.StatusCode, body)
			}
			res, body = get(outsider, "/workgroup")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="workgroup-not-member"`) || strings.Contains(body, "Train hotel staff") {
				t.Fatalf("outsider's overview: %d %s", res.StatusCode, body)
			}

			res, body = post(coord, "/workgroup/practices/new", url.Values{"title": {"Standing group"}, "what": {"Partners meet monthly."},
				"source": {"Danube round table 2017"}, "transfer": {"yes"}, "country": {"Austria"}}, "en")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Give the country as a two-letter code, such as AT.") {
				t.Fatalf("bad practice: %d %s", res.StatusCode, body)
			}
			res, _ = post(coord, "/workgroup/practices/new", url.Values{"title": {"Standing group"}, "what": {"Partners meet monthly."},
				"city": {"Vienna"}, "country": {"at"}, "source": {"Danube round table 2017"}, "transfer": {"yes"},
				"transfer_why": {"We have a human rights office."}, "tags": {"coordination"}}, "en")
			practice := strings.TrimSuffix(res.Header.Get("Location"), "?done=created")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(practice, "/workgroup/practices/") {
				t.Fatalf("add practice: %d", res.StatusCode)
			}
			res, body = get(worker, "/workgroup/practices?tag=coordination")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Standing group") {
				t.Fatalf("library: %d %s", res.StatusCode, body)
			}
			if res, body := get(worker, practice); res.StatusCode != http.StatusOK || !strings.Contains(body, "We have a human rights office.") {
				t.Fatalf("practice: %d %s", res.StatusCode, body)
			}
			if res, _ := get(outsider, practice); res.StatusCode != http.StatusNotFound {
				t.Fatalf("outsider reads the practice: %d", res.StatusCode)
			}
			if res, _ := post(worker, "/workgroup/practices/new", url.Values{"title": {"x"}}, "en"); res.StatusCode != http.StatusForbidden {
				t.Fatalf("case worker adds a practice: %d", res.StatusCode)
			}
		})
	}
}
