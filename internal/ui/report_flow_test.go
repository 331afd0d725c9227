package ui_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"waymark.city/waymark/internal/app/apptest"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/storage"
)

// pngFile is a small PNG image, as a reporter's phone might send.
func pngFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// targetReport is a new report from the public form (without proof of
// work, so held) with one image, moved to organisation A: the fixture has
// no hotline, so nobody would receive it otherwise.
func targetReport(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	rec, err := f.env.App.Intake.Submit(ctx, intake.Submission{
		Details: "Two boys sell flowers at the crossing every night until 2 am.", PlaceType: "street", Area: "Ring road",
		Urgency: intake.UrgencyChild, AgeGroup: "children", Signs: []string{"core.not_free"}, Language: "de",
		Attachments: [][]byte{pngFile(t)},
	}, intake.Work{})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	err = f.env.App.DB.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE reports SET org_id = $1 WHERE id = $2`, f.orgA, rec.ReportID)
		return err
	})
	if err != nil {
		t.Fatalf("move report: %v", err)
	}
	return rec.ReportID
}

// targetCall is a new open call of organisation A about a missing child.
func targetCall(t *testing.T, f *fixture) string {
	t.Helper()
	op := f.staff[access.HotlineOperator].Actor
	scope, err := access.Authorize(op, access.LogCalls)
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.env.App.Intake.LogCall(context.Background(), op, scope, intake.NewCall{CallerType: "family", Language: "uk",
		Topic: "missing_person", MissingChild: true, InfoGiven: []string{"emergency"}, Notes: "Mother calls: daughter (14) not home since noon."})
	if err != nil {
		t.Fatalf("log call: %v", err)
	}
	return id
}

// TestTriagePages: A's hotline operator works a report and a call through
// the pages, in English and German, and no message key is missing.
func TestTriagePages(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	op := f.staff[access.HotlineOperator]
	cookie := env.Session(t, op.ID, true)
	for _, lang := range []string{"en", "de"} {
		t.Run(lang, func(t *testing.T) {
			p := env.App.Catalog.For(lang)
			hdr := map[string]string{"Accept-Language": lang}
			get := func(path string, status int) string {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: cookie, Header: hdr})
				if res.StatusCode != status {
					t.Fatalf("GET %s: status %d, want %d", path, res.StatusCode, status)
				}
				return body
			}
			post := func(path string, form url.Values, status int) (string, string) {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: cookie, Header: hdr, Form: form})
				if res.StatusCode != status {
					t.Fatalf("POST %s: status %d, want %d; body:\n%s", path, res.StatusCode, status, body)
				}
				return res.Header.Get("Location"), body
			}
			id := targetReport(t, f)
			dup := targetReport(t, f)
			queue := get("/reports", 200)
			for _, want := range []string{`href="/reports/` + id + `"`, p.T("report.urgency.child"), p.T("report.status.held")} {
				if !strings.Contains(queue, want) {
					t.Errorf("queue lacks %q", want)
				}
			}
			if !strings.Contains(queue, `href="/reports" aria-current="page"`) {
				t.Error("the queue is not the current navigation item")
			}
			get("/reports?urgency=child&status=held&exploitation=&place_type=street", 200)
			get("/reports?urgency=whenever", 422)

			// A problem shows on the report page with the form kept.
			_, body := post("/reports/"+id+"/ask", url.Values{"message": {""}}, 422)
			if !strings.Contains(body, p.T("error.report.question_required")) {
				t.Error("the empty question is not explained")
			}
			loc, _ := post("/reports/"+id+"/ask", url.Values{"message": {"Which crossing?"}}, 303)
			if page := get(loc, 200); !strings.Contains(page, p.T("report.done.asked")) || !strings.Contains(page, "Which crossing?") {
				t.Error("the question is not on the report page")
			}
			post("/reports/"+id+"/classify", url.Values{"exploitation": {"begging", "criminality"}, "place_type": {"street"}, "missing": {"1"}}, 303)
			post("/reports/"+id+"/handover", url.Values{"handover_note": {"Reporter may answer tonight."}}, 303)
			post("/reports/"+dup+"/link", url.Values{"kind": {"duplicate"}, "duplicate": {intake.ShortID(id)}}, 303)
			page := get("/reports/"+id, 200)
			for _, want := range []string{"Two boys sell flowers", p.T("report.exploitation.begging") + ", " + p.T("report.exploitation.criminality"),
				`value="criminality" id="f-exploitation-criminality" checked`, p.T("triage.clock_title"),
				"Reporter may answer tonight.", `href="/reports/` + dup + `"`, `/reports/` + id + `/attachments/1`, p.T("report.response.question")} {
				if !strings.Contains(page, want) {
					t.Errorf("report page lacks %q", want)
				}
			}
			if att := get("/reports/"+id+"/attachments/1", 200); !strings.Contains(att, `<img id="attachment" src="data:image/png;base64,`) {
				t.Error("the attachment page does not show the image")
			}
			_, body = post("/reports/"+id+"/screening", url.Values{"reporter_is_person": {"1"}}, 422)
			if !strings.Contains(body, p.T("error.report.consent_required")) {
				t.Error("the missing consent is not explained")
			}
			loc, _ = post("/reports/"+id+"/screening", url.Values{"reporter_is_person": {"1"}, "consent": {"1"}}, 303)
			if !strings.HasPrefix(loc, "/screenings/") {
				t.Errorf("after converting: %s, want the screening", loc)
			}
			if page := get("/reports/"+id, 200); !strings.Contains(page, p.T("report.status.screening")) || strings.Contains(page, `action="/reports/`+id+`/dismiss"`) {
				t.Error("a converted report still offers triage")
			}

			// The console: log a call about a missing child, hand it over,
			// turn it into a report.
			console := get("/calls", 200)
			if !strings.Contains(console, `name="caller_type"`) || !strings.Contains(console, p.T("call.flag.missing")) {
				t.Error("the console has no call form")
			}
			_, body = post("/calls", url.Values{"language": {"en"}}, 422)
			if !strings.Contains(body, p.T("error.call.caller_type")) {
				t.Error("the missing caller type is not explained")
			}
			loc, _ = post("/calls", url.Values{"caller_type": {"family"}, "language": {"uk"}, "topic": {"missing_person"}, "missing": {"1"},
				"info": {"emergency", "safety"}, "notes": {"Daughter (14) not home since noon."}}, 303)
			callPath := strings.TrimSuffix(loc, "?done=logged")
			cp := get(loc, 200)
			for _, want := range []string{p.T("call.done.logged"), "Daughter (14) not home since noon.", p.T("triage.clock_title"), p.T("call.info.safety")} {
				if !strings.Contains(cp, want) {
					t.Errorf("call page lacks %q", want)
				}
			}
			post(callPath+"/handover", url.Values{"handover_note": {"Police informed at 14:10."}}, 303)
			// The report's note ended with its conversion; the call's is shown.
			if console := get("/calls", 200); !strings.Contains(console, "Police informed at 14:10.") || strings.Contains(console, "Reporter may answer tonight.") {
				t.Error("the console does not show exactly the open hand-overs")
			}
			loc, _ = post(callPath+"/report", url.Values{"details": {"A girl of 14 has not come home."}, "urgency": {"child"}}, 303)
			if !strings.HasPrefix(loc, "/reports/") {
				t.Fatalf("after turning the call into a report: %s", loc)
			}
			rp := get(loc, 200)
			if !strings.Contains(rp, p.T("report.no_thread")) || !strings.Contains(rp, p.T("report.source.call")) {
				t.Error("the report from a call does not say it has no thread")
			}
			if loc, _ := post(callPath+"/close", url.Values{}, 303); !strings.Contains(get(loc, 200), p.T("call.done.closed")) {
				t.Error("closing the call is not confirmed")
			}
			if cp := get(callPath, 200); !strings.Contains(cp, p.T("call.status.closed")) {
				t.Error("the call is not closed")
			}
		})
	}
	if missing := env.App.Catalog.Missing(); len(missing) > 0 {
		t.Errorf("message keys missing from the catalogue: %v", missing)
	}
}

// TestTriageDeadlineShown: an urgent report past its deadline is flagged
// overdue in the queue.
func TestTriageDeadlineShown(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	id := targetReport(t, f)
	ctx := context.Background()
	err := f.env.App.DB.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE reports SET created_at = $1 WHERE id = $2`, storage.Now().Add(-5*time.Hour), id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/reports", Cookie: f.env.Session(t, f.staff[access.CaseWorker].ID, true)})
	if !strings.Contains(body, `class="urgency-child overdue"`) || !strings.Contains(body, "Overdue by 1 h") {
		t.Errorf("the overdue report is not flagged:\n%s", body)
	}
}
