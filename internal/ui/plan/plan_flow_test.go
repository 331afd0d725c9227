package planui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/printout/printouttest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// planRows counts the rows of the plan's tables and the measures' status.
func planRows(t *testing.T, env *apptest.Env) string {
	t.Helper()
	ctx := context.Background()
	var out []string
	err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		for _, q := range []string{`SELECT count(*) FROM plan_findings`, `SELECT count(*) FROM plan_measures`, `SELECT count(*) FROM plan_progress`,
			`SELECT count(*) FROM plan_indicator_values`, `SELECT count(*) FROM plan_rechecks`, `SELECT count(*) FROM plan_measures WHERE status = 'in_progress'`} {
			var n int
			if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
				return err
			}
			out = append(out, fmt.Sprint(n))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	return strings.Join(out, "/")
}

// send posts or gets as a user and checks the status; it returns the
// response and body.
func send(t *testing.T, env *apptest.Env, u apptest.User, method, path string, form url.Values, want int, lang ...string) (*http.Response, string) {
	t.Helper()
	cookie := u.Cookie
	if len(lang) > 0 {
		cookie += "; lang=" + lang[0]
	}
	res, body := env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: cookie, Form: form})
	if res.StatusCode != want {
		t.Fatalf("%s %s as %s: status %d, want %d\n%s", method, path, u.Username, res.StatusCode, want, body)
	}
	return res, body
}

func measureForm(owner, start, due string, findings ...string) url.Values {
	return url.Values{"objective": {"Outreach to the farm housing east of the river"}, "owner_org": {owner}, "start_on": {start}, "due_on": {due},
		"next_review_on": {""}, "resources": {"Two outreach workers"}, "amount": {"4000"}, "currency": {"EUR"}, "programme": {""},
		"status": {"planned"}, "dropped_reason": {""}, "findings": findings,
		"indicator_id": {"", ""}, "indicator_name": {"Sites visited", ""}, "indicator_unit": {"sites", ""},
		"indicator_baseline": {"0", ""}, "indicator_target": {"10", ""}}
}

func TestPlanPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			city := env.Org("City Office", accounts.Municipality)
			ngo := env.Org("Safe Harbour", accounts.NGO)
			social := env.Org("Social Services", accounts.SocialServices)
			coordinator := env.User("coordinator", access.Coordinator, city)
			caseworker := env.User("caseworker", access.CaseWorker, ngo)
			socialworker := env.User("socialworker", access.CaseWorker, social)
			screener := env.User("screener", access.Screener, ngo)

			_, body := send(t, env, coordinator, http.MethodGet, "/plan/findings/new", nil, http.StatusOK)
			if !strings.Contains(body, `id="f-title"`) || !strings.Contains(body, "never a person") {
				t.Errorf("finding form lacks its title field or the no-personal-data hint")
			}
			res, _ := send(t, env, coordinator, http.MethodPost, "/plan/findings/new", url.Values{"title": {"Workers housed by their employer"},
				"description": {"Containers on the farms east of the river."}, "topic": {"labour_exploitation"}, "area_code": {"east"},
				"source_kind": {"mapping_round"}, "source_id": {"round-1"}, "priority": {"high"}}, http.StatusSeeOther)
			findingPath := res.Header.Get("Location")
			findingID := strings.TrimPrefix(strings.Split(findingPath, "?")[0], "/plan/findings/")

			// A typo is corrected on the finding's own form, filled with what is recorded.
			_, body = send(t, env, coordinator, http.MethodGet, "/plan/findings/"+findingID+"/edit", nil, http.StatusOK)
			if !strings.Contains(body, `value="Workers housed by their employer"`) || strings.Contains(body, `id="f-source_kind"`) {
				t.Errorf("the correction form is not filled in, or offers to change the source")
			}
			send(t, env, coordinator, http.MethodPost, "/plan/findings/"+findingID+"/edit", url.Values{"title": {"Workers housed by their employers"},
				"description": {"Containers on the farms east of the river."}, "topic": {"labour_exploitation"}, "area_code": {"east"},
				"priority": {"high"}}, http.StatusSeeOther)
			_, body = send(t, env, coordinator, http.MethodPost, "/plan/findings/"+findingID+"/edit", url.Values{"title": {""},
				"description": {"x"}, "topic": {"labour_exploitation"}, "priority": {"high"}}, http.StatusUnprocessableEntity, "de")
			if !strings.Contains(body, `href="#f-title"`) {
				t.Errorf("an empty title is not refused at its field")
			}
			_, body = send(t, env, coordinator, http.MethodGet, "/plan/findings/"+findingID, nil, http.StatusOK)
			if !strings.Contains(body, "Workers housed by their employers</h1>") || !strings.Contains(body, "round-1") {
				t.Errorf("the corrected finding does not show its new title and its source")
			}
			send(t, env, socialworker, http.MethodGet, "/plan/findings/"+findingID+"/edit", nil, http.StatusForbidden)

			_, body = send(t, env, coordinator, http.MethodGet, "/plan/measures/new?finding="+findingID, nil, http.StatusOK)
			if !strings.Contains(body, `value="`+findingID+`" checked`) {
				t.Errorf("new measure form is not linked to the finding it was opened from")
			}
			before := planRows(t, env)
			for lang, want := range map[string]string{"en": "The due date is before the start date.", "de": "Das Fälligkeitsdatum liegt vor dem Beginn."} {
				_, body = send(t, env, coordinator, http.MethodPost, "/plan/measures/new", measureForm(ngo, "2027-05-01", "2027-04-01", findingID),
					http.StatusUnprocessableEntity, lang)
				if !strings.Contains(body, want) {
					t.Errorf("%s: due before start does not say %q", lang, want)
				}
			}
			if after := planRows(t, env); after != before {
				t.Errorf("a refused measure changed the plan: %s, was %s", after, before)
			}
			res, _ = send(t, env, coordinator, http.MethodPost, "/plan/measures/new", measureForm(ngo, "2020-01-01", "2020-02-01", findingID), http.StatusSeeOther)
			measurePath := strings.Split(res.Header.Get("Location"), "?")[0]
			measureID := strings.TrimPrefix(measurePath, "/plan/measures/")

			// Only the owner's users (and the coordinator) record progress.
			_, body = send(t, env, caseworker, http.MethodGet, measurePath, nil, http.StatusOK)
			if strings.Contains(body, `id="measure-edit"`) || !strings.Contains(body, `id="progress-submit"`) {
				t.Errorf("the owner's case worker should see the progress form and not the edit form")
			}
			indicator := between(body, `name="progress_value_`, `"`)
			progress := url.Values{"progress_status": {"in_progress"}, "progress_note": {"Three sites visited."},
				"progress_value_" + indicator: {"3"}, "progress_measured_on": {""}, "progress_next_review_on": {""}}
			before = planRows(t, env)
			send(t, env, socialworker, http.MethodPost, measurePath+"/progress", progress, http.StatusNotFound)
			// The plan is published to the partnership: another
			// organisation reads the measure but is offered no progress form.
			_, body = send(t, env, socialworker, http.MethodGet, measurePath, nil, http.StatusOK)
			if strings.Contains(body, `id="progress-submit"`) {
				t.Errorf("another organisation's case worker is offered the progress form")
			}
			send(t, env, screener, http.MethodPost, measurePath+"/progress", progress, http.StatusForbidden)
			send(t, env, caseworker, http.MethodPost, measurePath, measureForm(ngo, "2020-01-01", "2020-03-01"), http.StatusForbidden)
			if after := planRows(t, env); after != before {
				t.Errorf("refused progress changed the plan: %s, was %s", after, before)
			}
			send(t, env, caseworker, http.MethodPost, measurePath+"/progress", progress, http.StatusSeeOther)
			_, body = send(t, env, caseworker, http.MethodGet, measurePath, nil, http.StatusOK)
			if !strings.Contains(body, "Latest value 3") || !strings.Contains(body, "30 % of the way") || !strings.Contains(body, "Three sites visited.") {
				t.Errorf("the measure page does not show the progress as text")
			}
			bad := url.Values{"progress_status": {"in_progress"}, "progress_note": {""}, "progress_value_" + indicator: {"lots"}}
			_, body = send(t, env, caseworker, http.MethodPost, measurePath+"/progress", bad, http.StatusUnprocessableEntity)
			if !strings.Contains(body, `id="f-progress_value_`+indicator+`-error"`) {
				t.Errorf("a value that is no number is not shown at its field")
			}

			// The coordinator sees the overdue measure on the dashboard, in
			// the list first, and in the report.
			_, body = send(t, env, coordinator, http.MethodGet, "/", nil, http.StatusOK)
			if !strings.Contains(body, `id="plan-due"`) || !strings.Contains(body, "/plan/measures/"+measureID) {
				t.Errorf("dashboard does not list the overdue measure")
			}
			_, body = send(t, env, coordinator, http.MethodGet, "/plan?owner="+ngo+"&status=in_progress", nil, http.StatusOK)
			if !strings.Contains(body, `id="measure-`+measureID+`" class="overdue"`) {
				t.Errorf("the plan list does not mark the measure overdue")
			}
			_, body = send(t, env, coordinator, http.MethodGet, "/plan?status=done", nil, http.StatusOK)
			if strings.Contains(body, `id="measure-`+measureID+`"`) {
				t.Errorf("the status filter shows an in-progress measure among the done ones")
			}
			_, body = send(t, env, coordinator, http.MethodGet, "/plan/report", nil, http.StatusOK)
			if !strings.Contains(body, "Workers housed by their employer") || !strings.Contains(body, "Outreach to the farm housing") ||
				!strings.Contains(body, "30 % of the way") {
				t.Errorf("the report lacks the finding, its measure or the indicator's progress as text")
			}
			// The same report as a PDF, in both languages, for the readers of the page only.
			if !strings.Contains(body, `href="/plan/report.pdf"`) {
				t.Error("the report page does not link its PDF")
			}
			res, pdf := send(t, env, coordinator, http.MethodGet, "/plan/report.pdf", nil, http.StatusOK)
			if res.Header.Get("Content-Type") != "application/pdf" || res.Header.Get("Cache-Control") != "no-store" ||
				res.Header.Get("Content-Disposition") != `attachment; filename=Plan-report.pdf` {
				t.Errorf("the PDF is sent with %q", res.Header)
			}
			text := printouttest.Text(t, []byte(pdf))
			for _, want := range []string{"Plan report", "Workers housed by their employer", "Outreach to the farm housing", "Safe Harbour",
				"in progress ⚠ overdue", "Sites visited", "30 % of the way", "overdue: 1", "Page 1 of 1"} {
				if !strings.Contains(text, want) {
					t.Errorf("the plan PDF lacks %q:\n%s", want, text)
				}
			}
			_, pdf = send(t, env, coordinator, http.MethodGet, "/plan/report.pdf", nil, http.StatusOK, "de")
			text = printouttest.Text(t, []byte(pdf))
			for _, want := range []string{"Bericht zum Aktionsplan", "in Arbeit ⚠ überfällig", "Seite 1 von 1"} {
				if !strings.Contains(text, want) {
					t.Errorf("the German plan PDF lacks %q:\n%s", want, text)
				}
			}
			send(t, env, screener, http.MethodGet, "/plan/report.pdf", nil, http.StatusForbidden)

			// The coordinator edits the measure and re-checks the finding.
			edit := measureForm(ngo, "2020-01-01", "2020-03-01", findingID)
			edit["status"] = []string{"done"}
			edit["indicator_id"] = []string{indicator, ""}
			send(t, env, coordinator, http.MethodPost, measurePath, edit, http.StatusSeeOther)
			send(t, env, coordinator, http.MethodPost, findingPath[:strings.Index(findingPath, "?")]+"/recheck", url.Values{"result": {"improved"},
				"checked_on": {"2021-01-15"}, "source_kind": {"mapping_round"}, "source_id": {"round-2"}, "note": {""}}, http.StatusSeeOther)
			_, body = send(t, env, coordinator, http.MethodGet, "/plan/findings/"+findingID, nil, http.StatusOK, "de")
			if !strings.Contains(body, "überprüft") || !strings.Contains(body, "verbessert") || !strings.Contains(body, "round-2") {
				t.Errorf("the finding page does not show the re-check in German")
			}
		})
	}
}

// between returns the text after the first start up to end.
func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, end)
	return v
}
