package campaignsui_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
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

// TestCampaignPages: the coordinator creates a campaign, is told in German
// what launching still needs, declares a target, adds a material and
// launches; the QR image is a PNG; the hotline console records the code a
// caller names; the analyst reads the funnel without forms; others are
// refused.
func TestCampaignPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			city := env.Org("Human Rights Office", accounts.Municipality)
			hotline := env.Org("Helpline", accounts.Hotline)
			coord := env.User("coord", access.Coordinator, city)
			analyst := env.User("analyst", access.Analyst, city)
			operator := env.User("operator", access.HotlineOperator, hotline)
			worker := env.User("worker", access.CaseWorker, hotline)
			send := func(u apptest.User, method, path string, form url.Values, lang string) (*http.Response, string) {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: u.Cookie, Form: form,
					Header: map[string]string{"Accept-Language": lang}})
				if strings.Contains(body, "⟦") {
					t.Errorf("%s %s shows an untranslated key: %s", method, path, regexp.MustCompile(`⟦[^⟧]*⟧`).FindString(body))
				}
				return res, body
			}

			form := url.Values{"name": {"Clean work"}, "sectors": {"cleaning", "construction"}, "languages": {"en", "ro"},
				"channels": {"poster"}, "starts_on": {"2026-11-01"}, "ends_on": {"2026-10-01"}, "cta_text": {"Tell us."}}
			res, body := send(coord, http.MethodPost, "/campaigns/new", form, "de")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Die Kampagne kann nicht enden, bevor sie beginnt.") ||
				!strings.Contains(body, `value="cleaning" checked`) {
				t.Fatalf("ends before it starts: %d %s", res.StatusCode, body)
			}
			if count(t, env, `SELECT COUNT(*) FROM campaigns`) != 0 {
				t.Fatal("a refused campaign was stored")
			}
			// The funnel counts the contacts within the period: today is in it.
			starts, ends := time.Now().UTC().AddDate(0, 0, -30).Format(time.DateOnly), time.Now().UTC().AddDate(0, 0, 60).Format(time.DateOnly)
			form.Set("starts_on", starts)
			form.Set("ends_on", ends)
			res, _ = send(coord, http.MethodPost, "/campaigns/new", form, "en")
			path := strings.TrimSuffix(res.Header.Get("Location"), "?done=created")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(path, "/campaigns/") {
				t.Fatalf("create: %d %q", res.StatusCode, path)
			}

			res, body = send(coord, http.MethodPost, path+"/launch", url.Values{}, "de")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Erklären Sie vor dem Start mindestens ein Ziel") ||
				!strings.Contains(body, "Legen Sie vor dem Start eine Handlungsaufforderung fest") {
				t.Fatalf("launch without target and call to action: %d %s", res.StatusCode, body)
			}
			if res, _ := send(coord, http.MethodPost, path+"/materials", url.Values{"title": {"Poster A3"}, "channel": {"poster"}, "language": {"ro"}}, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("add material: %d", res.StatusCode)
			}
			var materialID, code string
			ctx := context.Background()
			if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT id, code FROM campaign_materials`).Scan(&materialID, &code)
			}); err != nil {
				t.Fatal(err)
			}
			res, body = send(coord, http.MethodGet, path+"/materials/"+materialID+"/qr.png", nil, "de")
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Ein QR-Code braucht eine Handlungsaufforderung") ||
				!strings.Contains(body, `<a href="`+path+`" id="qr-back">Zurück zur Kampagne</a>`) || !strings.Contains(body, `href="`+path+`/edit" id="qr-edit"`) {
				t.Fatalf("QR without a call to action to the form: %d %s", res.StatusCode, body)
			}
			form.Set("cta_report", "on")
			if res, _ := send(coord, http.MethodPost, path+"/edit", form, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("edit: %d", res.StatusCode)
			}
			if res, _ := send(coord, http.MethodPost, path+"/targets", url.Values{"measure": {"contacts"}, "target": {"40"}, "due_on": {ends}}, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("declare target: %d", res.StatusCode)
			}
			if res, _ := send(coord, http.MethodPost, path+"/launch", url.Values{}, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("launch: %d", res.StatusCode)
			}
			res, body = send(analyst, http.MethodGet, path+"/materials/"+materialID+"/qr.png", nil, "en")
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(body, "\x89PNG") {
				t.Fatalf("QR image: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}

			// The console offers the running campaigns' materials by name
			// and code, "another code" and "not asked", without JavaScript.
			res, body = send(operator, http.MethodGet, "/calls", nil, "de")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `<option value="`+code+`">Clean work – Poster A3 (`+code+`)</option>`) ||
				!strings.Contains(body, "Nicht gefragt / weiß es nicht") || !strings.Contains(body, `<option value="other">Anderer Code (unten eintippen)</option>`) {
				t.Fatalf("console pick-list: %d %s", res.StatusCode, body)
			}
			call := url.Values{"caller_type": {"witness"}, "language": {"en"}, "topic": {"suspicion"}}
			call.Set("code_choice", "other")
			// "Another code" with nothing typed is a field error; the rest
			// of the form stays as entered and nothing is stored.
			res, body = send(operator, http.MethodPost, "/calls", call, "de")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Sie haben „Anderer Code“ gewählt: Tippen Sie den Code ein") ||
				!strings.Contains(body, `<option value="other" selected>`) || !regexp.MustCompile(`value="witness"[^>]*checked`).MatchString(body) ||
				count(t, env, `SELECT COUNT(*) FROM calls`) != 0 {
				t.Fatalf("another code left empty: %d %s", res.StatusCode, body)
			}
			call.Set("code", "ZZZZZZ")
			res, _ = send(operator, http.MethodPost, "/calls", call, "en")
			if res.StatusCode != http.StatusSeeOther || count(t, env, `SELECT COUNT(*) FROM calls WHERE attribution_code IS NULL AND attribution_typed IS NOT NULL`) != 1 {
				t.Fatalf("call with an unknown code: %d", res.StatusCode)
			}
			if res, body := send(operator, http.MethodGet, strings.TrimSuffix(res.Header.Get("Location"), "?done=logged"), nil, "en"); res.StatusCode != http.StatusOK ||
				!strings.Contains(body, `<span id="heard-typed">ZZZZZZ</span>`) || !strings.Contains(body, "matches no campaign") {
				t.Fatalf("the call page does not show the unmatched code: %d %s", res.StatusCode, body)
			}
			call.Set("code_choice", code)
			call.Set("code", "")
			res, _ = send(operator, http.MethodPost, "/calls", call, "en")
			if res.StatusCode != http.StatusSeeOther || count(t, env, `SELECT COUNT(*) FROM calls WHERE attribution_code = $1`, code) != 1 {
				t.Fatalf("call with the poster's code: %d", res.StatusCode)
			}
			callPath := strings.TrimSuffix(res.Header.Get("Location"), "?done=logged")
			heard := `<code class="attribution-code" id="heard-code">` + code + `</code> · <span id="heard-campaign">`
			if res, body := send(operator, http.MethodGet, callPath, nil, "en"); res.StatusCode != http.StatusOK ||
				!strings.Contains(body, heard+`Clean work</span> · <span id="heard-material">Poster A3 (Poster)</span>`) {
				t.Fatalf("the call page does not name the code's campaign: %d %s", res.StatusCode, body)
			}
			// The report made from the call shows the code and its campaign
			// on the triage page.
			res, _ = send(operator, http.MethodPost, callPath+"/report", url.Values{"details": {"Workers sleep at the depot."}, "urgency": {"soon"}}, "en")
			reportPath := strings.TrimSuffix(res.Header.Get("Location"), "?done=from_call")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(reportPath, "/reports/") {
				t.Fatalf("report from call: %d %q", res.StatusCode, reportPath)
			}
			if res, body := send(operator, http.MethodGet, reportPath, nil, "de"); res.StatusCode != http.StatusOK ||
				!strings.Contains(body, heard+`Clean work</span>`) || !strings.Contains(body, "Wie von uns erfahren") {
				t.Fatalf("the report page does not name the code's campaign: %d %s", res.StatusCode, body)
			}

			res, body = send(coord, http.MethodPost, path+"/harms", url.Values{"kind": {"backlash"}, "severity": {"low"}, "happened_on": {"2026-11-20"}}, "de")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Beschreiben Sie, was passiert ist") {
				t.Fatalf("harm without description: %d %s", res.StatusCode, body)
			}
			if res, _ := send(coord, http.MethodPost, path+"/harms", url.Values{"kind": {"backlash"}, "severity": {"low"}, "happened_on": {"2026-11-20"},
				"description": {"Posters torn down at the bus station."}}, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("record harm: %d", res.StatusCode)
			}
			var harmID string
			if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT id FROM campaign_harms`).Scan(&harmID)
			}); err != nil {
				t.Fatal(err)
			}
			res, body = send(coord, http.MethodPost, path+"/harms/"+harmID+"/review", url.Values{"action_taken": {""}}, "en")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-action_`+harmID+`-error"`) {
				t.Fatalf("empty review: %d %s", res.StatusCode, body)
			}
			if res, _ := send(coord, http.MethodPost, path+"/harms/"+harmID+"/review", url.Values{"action_taken": {"Posters replaced."}}, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("review: %d", res.StatusCode)
			}

			// A report held back (no proof of work) with the poster's code.
			if rec, err := env.App.Intake.Submit(ctx, intake.Submission{Details: "Saw the poster; the car wash is the same.",
				Urgency: intake.UrgencySoon, Code: code}, intake.Work{}); err != nil || !rec.Held {
				t.Fatalf("held report: %+v, %v", rec, err)
			}
			res, body = send(analyst, http.MethodGet, path, nil, "en")
			if held := regexp.MustCompile(`id="funnel-held"><th scope="row">Held reports \(not counted\)</th><td>(\d+)</td>`).FindStringSubmatch(body); held == nil || held[1] != "1" {
				t.Fatalf("the funnel does not show the held report apart: %v", held)
			}
			contacts := regexp.MustCompile(`id="funnel-contacts"><th scope="row">Contacts by code</th><td>(\d+)</td>`).FindStringSubmatch(body)
			if res.StatusCode != http.StatusOK || contacts == nil || contacts[1] != "1" || !strings.Contains(body, code) ||
				!strings.Contains(body, `id="campaign-chart"`) || strings.Contains(body, "campaign-material-form") || strings.Contains(body, "campaign-harm-form") ||
				!strings.Contains(body, `id="funnel-held"`) {
				t.Fatalf("analyst's campaign page: %d %v %s", res.StatusCode, contacts, body)
			}
			// The chart draws reach with the steps, and names the target
			// in text under its bar.
			if !strings.Contains(body, `<g id="chart-reach">`) || !regexp.MustCompile(`<g id="chart-contacts">(?s:.*?)target 40 by `).MatchString(body) ||
				!strings.Contains(body, `width="420"`) {
				t.Fatalf("the funnel chart: %s", body)
			}
			// The analyst reads the harm log as counts only: no
			// description, reviewer or action.
			if !strings.Contains(body, "0 entries to review · 1 entry reviewed") || strings.Contains(body, "Reviewed by coord") ||
				strings.Contains(body, "Posters replaced.") || strings.Contains(body, "Posters torn down at the bus station.") {
				t.Fatalf("the analyst's harm log is not counts only: %s", body)
			}
			if res, body := send(coord, http.MethodGet, path, nil, "en"); res.StatusCode != http.StatusOK || !strings.Contains(body, "Reviewed by coord") ||
				!strings.Contains(body, "Posters replaced.") || !strings.Contains(body, "Posters torn down at the bus station.") {
				t.Fatalf("the coordinator's harm log: %d %s", res.StatusCode, body)
			}
			if res, _ := send(analyst, http.MethodPost, path+"/harms", url.Values{"kind": {"backlash"}}, "en"); res.StatusCode != http.StatusForbidden {
				t.Fatalf("analyst writes the harm log: %d", res.StatusCode)
			}
			if res, _ := send(worker, http.MethodGet, "/campaigns", nil, "en"); res.StatusCode != http.StatusForbidden {
				t.Fatalf("case worker lists campaigns: %d", res.StatusCode)
			}
			res, body = send(coord, http.MethodGet, "/campaigns", nil, "de")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Clean work") || !strings.Contains(body, "Läuft") {
				t.Fatalf("list: %d %s", res.StatusCode, body)
			}

			// Launched before its first day, a campaign is scheduled.
			later := time.Now().UTC().AddDate(0, 0, 10)
			form.Set("name", "Later work")
			form.Set("starts_on", later.Format(time.DateOnly))
			res, _ = send(coord, http.MethodPost, "/campaigns/new", form, "en")
			laterPath := strings.TrimSuffix(res.Header.Get("Location"), "?done=created")
			send(coord, http.MethodPost, laterPath+"/targets", url.Values{"measure": {"contacts"}, "target": {"5"}, "due_on": {ends}}, "en")
			if res, _ := send(coord, http.MethodPost, laterPath+"/launch", url.Values{}, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("launch the later campaign: %d", res.StatusCode)
			}
			res, body = send(coord, http.MethodGet, laterPath, nil, "de")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `<span class="badge" id="campaign-status">Geplant</span> <span id="campaign-starts">beginnt am `) ||
				!strings.Contains(body, "aus dem Zeitraum der Kampagne") {
				t.Fatalf("the scheduled campaign's page: %d %s", res.StatusCode, body)
			}
		})
	}
}

// TestSurveyPages: the coordinator declares a survey target, enters a
// response before launch (a refused one first, in German, storing
// nothing), an outreach worker of another organisation picks the campaign
// and enters one after launch, and the campaign's page shows the results
// beside the target.
func TestSurveyPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			city := env.Org("Human Rights Office", accounts.Municipality)
			coord := env.User("coord", access.Coordinator, city)
			ngo := env.Org("Outreach NGO", accounts.NGO)
			worker := env.User("worker", access.CaseWorker, ngo)
			analyst := env.User("analyst", access.Analyst, city)
			send := func(u apptest.User, method, path string, form url.Values, lang string) (*http.Response, string) {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: u.Cookie, Form: form,
					Header: map[string]string{"Accept-Language": lang}})
				if strings.Contains(body, "⟦") {
					t.Errorf("%s %s shows an untranslated key: %s", method, path, regexp.MustCompile(`⟦[^⟧]*⟧`).FindString(body))
				}
				return res, body
			}
			form := url.Values{"name": {"Clean work"}, "sectors": {"cleaning"}, "languages": {"en"}, "channels": {"poster"},
				"starts_on": {"2026-11-01"}, "ends_on": {"2027-01-31"}, "cta_text": {"Tell us."}, "cta_report": {"on"}}
			res, _ := send(coord, http.MethodPost, "/campaigns/new", form, "en")
			path := strings.TrimSuffix(res.Header.Get("Location"), "?done=created")
			res, body := send(coord, http.MethodPost, path+"/targets", url.Values{"measure": {"survey_knows_where"}, "target": {"120"}, "due_on": {"2027-01-31"}}, "de")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Geben Sie einen Anteil in Prozent an, von 1 bis 100.") {
				t.Fatalf("survey target over 100%%: %d %s", res.StatusCode, body)
			}
			if res, _ := send(coord, http.MethodPost, path+"/targets", url.Values{"measure": {"survey_knows_where"}, "target": {"50"}, "due_on": {"2027-01-31"}}, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("survey target: %d", res.StatusCode)
			}
			id := strings.TrimPrefix(path, "/campaigns/")
			res, body = send(coord, http.MethodGet, "/campaigns/survey?campaign="+id, nil, "de")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Wissen Sie, wo Sie sich melden") || !strings.Contains(body, `name="knows_where"`) ||
				!strings.Contains(body, `<option value="`+id+`" selected>Clean work (Entwurf)</option>`) {
				t.Fatalf("survey form: %d %s", res.StatusCode, body)
			}
			answers := func(day, knows string) url.Values {
				return url.Values{"campaign": {id}, "answered_on": {day}, "saw_campaign": {"no"}, "recognised": {"no"}, "knows_where": {knows},
					"would_act": {"maybe"}}
			}
			bad := answers("2999-01-01", "")
			bad.Set("campaign", "")
			res, body = send(coord, http.MethodPost, "/campaigns/survey", bad, "de")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Geben Sie den Tag der Antworten an, nicht in der Zukunft.") ||
				!strings.Contains(body, "Wählen Sie eine Kampagne, die im Entwurf ist oder läuft.") ||
				count(t, env, `SELECT COUNT(*) FROM campaign_survey_responses`) != 0 {
				t.Fatalf("bad response: %d %s", res.StatusCode, body)
			}
			res, _ = send(coord, http.MethodPost, "/campaigns/survey", answers(env.App.Campaigns.Today(), "no"), "en")
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/campaigns/survey?campaign="+id+"&done=recorded" {
				t.Fatalf("response: %d %q", res.StatusCode, res.Header.Get("Location"))
			}
			if res, _ := send(coord, http.MethodPost, path+"/targets", url.Values{"measure": {"contacts"}, "target": {"5"}, "due_on": {"2027-01-31"}}, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("target: %d", res.StatusCode)
			}
			if res, _ := send(coord, http.MethodPost, path+"/launch", url.Values{}, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("launch: %d", res.StatusCode)
			}
			// Responses on launch day count as after launch, so the baseline
			// above is moved back, as if entered before the launch.
			ctx := context.Background()
			if err := env.App.DB.Write(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE campaign_survey_responses SET answered_on = '2026-10-30'`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			// An outreach worker of another organisation, who cannot read
			// campaigns, enters a response after launch.
			res, body = send(worker, http.MethodGet, "/campaigns/survey", nil, "en")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `<option value="`+id+`">Clean work (Running)</option>`) ||
				strings.Contains(body, "Survey results") {
				t.Fatalf("outreach worker's survey form: %d %s", res.StatusCode, body)
			}
			if res, _ := send(worker, http.MethodPost, "/campaigns/survey", answers(env.App.Campaigns.Today(), "yes"), "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("outreach worker's response: %d", res.StatusCode)
			}
			if res, _ := send(analyst, http.MethodPost, "/campaigns/survey", answers(env.App.Campaigns.Today(), "yes"), "en"); res.StatusCode != http.StatusForbidden {
				t.Fatalf("analyst enters a response: %d", res.StatusCode)
			}
			res, body = send(analyst, http.MethodGet, path, nil, "en")
			row := regexp.MustCompile(`(?s)<tr id="survey-knows_where">.*?</tr>`).FindString(body)
			if res.StatusCode != http.StatusOK || !strings.Contains(row, "0 of 1 yes (0%)") || !strings.Contains(row, "1 of 1 yes (100%)") ||
				!strings.Contains(row, "Knows where to report (survey, % yes): 50% by") || !strings.Contains(row, "Met") ||
				strings.Contains(body, "campaign-survey-enter") {
				t.Fatalf("survey results on the analyst's campaign page: %d %s", res.StatusCode, row)
			}
			if !strings.Contains(body, `<span class="hint">(1 response)</span>`) || strings.Contains(body, "1 responses") {
				t.Fatalf("the response counts are not in the singular: %s", body)
			}
		})
	}
}
