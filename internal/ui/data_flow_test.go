package ui_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/dataprotection"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// exportCase opens a case of organisation A whose team includes A's
// coordinator too, so every role allowed to export is on the team.
func exportCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := newCase(t, f, false).ID
	if err := f.env.App.Cases.AddMember(context.Background(), f.staff[access.CaseWorker].Actor, id, f.staff[access.Coordinator].ID); err != nil {
		t.Fatalf("add coordinator to the team: %v", err)
	}
	return id
}

// erasureCase opens a case of A with erasure request 1 waiting.
func erasureCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := newCase(t, f, false).ID
	if _, err := f.env.App.DataProtection.RequestErasure(context.Background(), f.staff[access.CaseWorker].Actor, id,
		dataprotection.ErasureInput{ReceivedOn: dayToday(), Channel: "letter"}); err != nil {
		t.Fatalf("request erasure: %v", err)
	}
	return id
}

// heldCase opens a case of A with legal hold 1 in force.
func heldCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := newCase(t, f, false).ID
	if _, err := f.env.App.DataProtection.SetHold(context.Background(), f.staff[access.CaseWorker].Actor, id,
		dataprotection.HoldInput{Reason: "court_order", Until: nextYear()}); err != nil {
		t.Fatalf("set hold: %v", err)
	}
	return id
}

// htcdsDocument is a small valid HTCDS document.
const htcdsDocument = `{"standard": "HTCDS", "version": "2.0", "variant": "full", "reference": "PARTNER-17",
	"record": {"prs_FirstName": "Ioana", "prs_SecondName": "Pop", "prs_Birthdate": "1999-02-03", "prs_Gender": "Feminine",
	"prs_Citizenship": ["MD"], "prs_PrimaryLanguage": "ro", "vic_TypeOfExploitation": ["SexualExploitation"], "cas_Status": "Active",
	"prs_MaritalStatus": "Single"}}`

// TestDataFlow walks the data-protection tab: a request for erasure, its
// refusal, a legal hold, the exports behind a step-up, erasure of a closed
// case, and an HTCDS import with its warnings and errors.
func TestDataFlow(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			env := f.env
			ctx := context.Background()
			worker := env.Session(t, f.staff[access.CaseWorker].ID, true)
			id := newCase(t, f, false).ID
			page := "/cases/" + id + "/data"
			get := func(path, cookie string, want int) (*http.Response, string) {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: cookie})
				if res.StatusCode != want {
					t.Fatalf("GET %s: status %d, want %d", path, res.StatusCode, want)
				}
				return res, body
			}
			post := func(path string, form url.Values, want int) string {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: worker, Form: form})
				if res.StatusCode != want {
					t.Fatalf("POST %s: status %d, want %d", path, res.StatusCode, want)
				}
				return body
			}
			en := env.App.Catalog.For("en")
			if _, body := get(page, worker, http.StatusOK); !strings.Contains(body, `id="data-no-requests"`) || !strings.Contains(body, `id="data-request"`) {
				t.Fatal("the tab should say there is no request and offer the form")
			}

			// Bad input shows the translated error and changes nothing.
			before := env.Fingerprint(t)
			body := post(page+"/erasure", url.Values{"received_on": {"2999-01-01"}, "channel": {"pigeon"}}, http.StatusUnprocessableEntity)
			for _, key := range []string{"error.data.date_future", "error.data.channel"} {
				if !strings.Contains(body, html.EscapeString(en.T(key))) {
					t.Errorf("the page lacks %s", key)
				}
			}
			if env.Fingerprint(t) != before {
				t.Fatal("a refused request changed the database")
			}

			post(page+"/erasure", url.Values{"received_on": {dayToday()}, "channel": {"letter"}}, http.StatusSeeOther)
			if _, body := get(page, worker, http.StatusOK); !strings.Contains(body, `id="data-request-1"`) || !strings.Contains(body, `id="data-decide"`) {
				t.Fatal("the request and its decision form should show")
			}
			// Erasing an open case is refused with a clear error.
			body = post(page+"/erasure/1", url.Values{"decision": {"carry_out"}, "decided_on": {dayToday()}}, http.StatusConflict)
			if !strings.Contains(body, html.EscapeString(en.T("error.data.erasure_case_open"))) {
				t.Error("erasing an open case should ask to close it first")
			}
			body = post(page+"/erasure/1", url.Values{"decision": {"refuse"}, "decided_on": {dayToday()}}, http.StatusUnprocessableEntity)
			if !strings.Contains(body, html.EscapeString(en.T("error.data.refusal_informed"))) {
				t.Error("a refusal should need the person told")
			}
			post(page+"/erasure/1", url.Values{"decision": {"refuse"}, "reason": {"legal_claims"}, "informed": {"1"}, "decided_on": {dayToday()}}, http.StatusSeeOther)
			post(page+"/erasure/1", url.Values{"decision": {"refuse"}, "reason": {"legal_claims"}, "informed": {"1"}, "decided_on": {dayToday()}}, http.StatusConflict)
			post(page+"/erasure/x", url.Values{"decision": {"refuse"}}, http.StatusNotFound)

			// A legal hold, then its end.
			post(page+"/holds", url.Values{"hold_reason": {"court_order"}, "until": {"2001-01-01"}}, http.StatusUnprocessableEntity)
			post(page+"/holds", url.Values{"hold_reason": {"criminal_proceedings_ongoing"}, "until": {nextYear()}}, http.StatusSeeOther)
			if _, body := get(page, worker, http.StatusOK); !strings.Contains(body, `id="data-hold-1"`) || !strings.Contains(body, "/data/holds/1/lift") {
				t.Fatal("the hold should show with a way to end it")
			}
			post(page+"/holds/1/lift", url.Values{}, http.StatusSeeOther)

			// The exports need a step-up: a session without one goes to /stepup.
			plain := f.env.Session(t, f.staff[access.CaseWorker].ID, true)
			if err := env.App.DB.Write(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE sessions SET step_up_at = NULL`)
				return err
			}); err != nil {
				t.Fatalf("end step-ups: %v", err)
			}
			res, _ := get(page+"/export", plain, http.StatusSeeOther)
			if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/stepup") {
				t.Errorf("export without step-up goes to %q", loc)
			}
			worker = env.Session(t, f.staff[access.CaseWorker].ID, true)
			_, body = get(page+"/export", worker, http.StatusOK)
			if !strings.Contains(body, "Testa") || !strings.Contains(body, `id="data-timeline"`) {
				t.Error("the readable export should show the identity and the timeline")
			}
			res, body = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: page + "/export.json", Cookie: worker, Form: url.Values{}})
			var d dataprotection.PersonalData
			if err := json.Unmarshal([]byte(body), &d); err != nil || d.Identity.FamilyName != "Testa" || d.Format != dataprotection.ExportFormat {
				t.Errorf("JSON export: %v %+v", err, d.Identity)
			}
			if !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
				t.Error("the JSON export is not a download")
			}
			// The coordinator is not on the team: no copy with the identity.
			coord := env.Session(t, f.staff[access.Coordinator].ID, true)
			if res, _ := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: page + "/export.json", Cookie: coord, Form: url.Values{}}); res.StatusCode != http.StatusForbidden {
				t.Errorf("export by a coordinator off the team: status %d", res.StatusCode)
			}
			_, body = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: page + "/htcds.json", Cookie: coord, Form: url.Values{}})
			if strings.Contains(body, "Testa") || !strings.Contains(body, `"prs_Gender": "Feminine"`) {
				t.Errorf("pseudonymous HTCDS export: %s", body)
			}
			_, body = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: page + "/htcds.json", Cookie: worker, Form: url.Values{"variant": {"full"}}})
			if !strings.Contains(body, `"prs_SecondName": "Testa"`) {
				t.Errorf("full HTCDS export: %s", body)
			}

			// Erasure of the closed case.
			if _, err := env.App.Cases.MoveStage(ctx, f.staff[access.CaseWorker].Actor, id, cases.Closed, "person_declined"); err != nil {
				t.Fatalf("close: %v", err)
			}
			post(page+"/erasure", url.Values{"received_on": {dayToday()}, "channel": {"phone"}}, http.StatusSeeOther)
			post(page+"/erasure/2", url.Values{"decision": {"carry_out"}, "decided_on": {dayToday()}}, http.StatusSeeOther)
			_, body = get(page, worker, http.StatusOK)
			if strings.Contains(body, `id="data-request"`) || strings.Contains(body, `id="data-export-page"`) {
				t.Error("an anonymised case offers no more requests or exports")
			}
			var identity []byte
			_ = env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT identity FROM cases WHERE id = $1`, id).Scan(&identity)
			})
			if identity != nil {
				t.Error("the identity survived erasure")
			}

			// Import: errors change nothing; a good document opens a case and lists what was left out.
			get("/cases/import", worker, http.StatusOK)
			before = env.Fingerprint(t)
			res, body = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/cases/import", Cookie: worker,
				Form: url.Values{"document": {strings.Replace(htcdsDocument, `"Feminine"`, `"Female"`, 1)}}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, html.EscapeString(en.T("error.data.htcds_picklist", "field", "prs_Gender"))) {
				t.Errorf("bad picklist value: status %d", res.StatusCode)
			}
			res, body = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/cases/import", Cookie: worker,
				Form: url.Values{"document": {`{"standard": `}}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, html.EscapeString(en.T("error.data.htcds_json"))) {
				t.Errorf("malformed JSON: status %d", res.StatusCode)
			}
			if env.Fingerprint(t) != before {
				t.Fatal("a refused import changed the database")
			}
			res, body = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/cases/import", Cookie: worker,
				Form: url.Values{"document": {htcdsDocument}}})
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="data-imported"`) ||
				!strings.Contains(body, html.EscapeString(en.T("data.htcds_warning_ignored", "field", "prs_MaritalStatus"))) {
				t.Errorf("import: status %d", res.StatusCode)
			}
		})
	}
}

// nextYear is a day a year ahead, as a form sends it.
func nextYear() string { return time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly) }
