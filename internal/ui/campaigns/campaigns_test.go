package campaignsui_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
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
			form.Set("ends_on", "2027-01-31")
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
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Ein QR-Code braucht eine Handlungsaufforderung") {
				t.Fatalf("QR without a call to action to the form: %d %s", res.StatusCode, body)
			}
			form.Set("cta_report", "on")
			if res, _ := send(coord, http.MethodPost, path+"/edit", form, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("edit: %d", res.StatusCode)
			}
			if res, _ := send(coord, http.MethodPost, path+"/targets", url.Values{"measure": {"contacts"}, "target": {"40"}, "due_on": {"2027-01-31"}}, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("declare target: %d", res.StatusCode)
			}
			if res, _ := send(coord, http.MethodPost, path+"/launch", url.Values{}, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("launch: %d", res.StatusCode)
			}
			res, body = send(analyst, http.MethodGet, path+"/materials/"+materialID+"/qr.png", nil, "en")
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(body, "\x89PNG") {
				t.Fatalf("QR image: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}

			res, _ = send(operator, http.MethodPost, "/calls", url.Values{"caller_type": {"witness"}, "language": {"en"}, "topic": {"suspicion"},
				"code": {"ZZZZZZ"}}, "en")
			if res.StatusCode != http.StatusUnprocessableEntity || count(t, env, `SELECT COUNT(*) FROM calls`) != 0 {
				t.Fatalf("call with an unknown code: %d", res.StatusCode)
			}
			res, _ = send(operator, http.MethodPost, "/calls", url.Values{"caller_type": {"witness"}, "language": {"en"}, "topic": {"suspicion"},
				"code": {strings.ToLower(code)}}, "en")
			if res.StatusCode != http.StatusSeeOther || count(t, env, `SELECT COUNT(*) FROM calls WHERE attribution_code = $1`, code) != 1 {
				t.Fatalf("call with the poster's code: %d", res.StatusCode)
			}
			if res, body := send(operator, http.MethodGet, strings.TrimSuffix(res.Header.Get("Location"), "?done=logged"), nil, "en"); res.StatusCode != http.StatusOK ||
				!strings.Contains(body, `<code id="call-code">`+code+`</code>`) {
				t.Fatalf("the call page does not show the code: %d %s", res.StatusCode, body)
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

			res, body = send(analyst, http.MethodGet, path, nil, "en")
			contacts := regexp.MustCompile(`id="funnel-contacts"><th scope="row">Contacts by code</th><td>(\d+)</td>`).FindStringSubmatch(body)
			if res.StatusCode != http.StatusOK || contacts == nil || contacts[1] != "1" || !strings.Contains(body, code) ||
				!strings.Contains(body, `id="campaign-chart"`) || strings.Contains(body, "campaign-material-form") || strings.Contains(body, "campaign-harm-form") ||
				!strings.Contains(body, "Reviewed by coord") || !strings.Contains(body, "Posters replaced.") {
				t.Fatalf("analyst's campaign page: %d %v %s", res.StatusCode, contacts, body)
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
		})
	}
}
