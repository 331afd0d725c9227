package mappingui_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

func send(t *testing.T, env *apptest.Env, u *apptest.User, method, path string, form url.Values, want int, lang ...string) (*http.Response, string) {
	t.Helper()
	cookie := ""
	name := "visitor"
	if u != nil {
		cookie, name = u.Cookie, u.Username
	}
	if len(lang) > 0 {
		cookie = strings.TrimPrefix(cookie+"; lang="+lang[0], "; ")
	}
	res, body := env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: cookie, Form: form})
	if res.StatusCode != want {
		t.Fatalf("%s %s as %s: status %d, want %d\n%s", method, path, name, res.StatusCode, want, body)
	}
	return res, body
}

func count(t *testing.T, env *apptest.Env, query string) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error { return tx.QueryRowContext(ctx, query).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

var (
	questionnaireLink = regexp.MustCompile(`/mapping/questionnaires/([0-9a-f-]{36})`)
	roundLink         = regexp.MustCompile(`/mapping/rounds/([0-9a-f-]{36})`)
	tokenLink         = regexp.MustCompile(`/m/([A-Za-z0-9_-]{43})`)
)

func match(t *testing.T, re *regexp.Regexp, s string) string {
	t.Helper()
	m := re.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in\n%s", re, s)
	}
	return m[1]
}

func location(t *testing.T, res *http.Response) string {
	t.Helper()
	l := res.Header.Get("Location")
	if l == "" {
		t.Fatal("no redirect")
	}
	return l
}

// The whole loop on pages, without JavaScript: the coordinator adds a
// questionnaire and opens a round, invites an organisation and makes a
// link; a respondent answers (adding and removing places with buttons),
// someone without an account answers through the link until its cap; the
// coordinator reviews the free text; the analyst reads the report; the
// police contact reads only the restricted results.
func TestMappingPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			city := env.Org("City Office", accounts.Municipality)
			ngo := env.Org("Safe Harbour", accounts.NGO)
			other := env.Org("Other NGO", accounts.NGO)
			police := env.Org("Police", accounts.Police)
			coord := env.User("coord", access.Coordinator, city)
			analyst := env.User("analyst", access.Analyst, city)
			worker := env.User("worker", access.CaseWorker, ngo)
			outsider := env.User("outsider", access.CaseWorker, other)
			officer := env.User("officer", access.PoliceContact, police)

			areas := `{"type":"FeatureCollection","features":[` +
				`{"type":"Feature","properties":{"code":"harbour","name":"Harbour"},"geometry":{"type":"Polygon","coordinates":[[[16.30,48.20],[16.31,48.20],[16.31,48.21],[16.30,48.21],[16.30,48.20]]]}},` +
				`{"type":"Feature","properties":{"code":"old-town","name":"Old Town"},"geometry":{"type":"Polygon","coordinates":[[[16.31,48.20],[16.32,48.20],[16.32,48.21],[16.31,48.21],[16.31,48.20]]]}}]}`
			if _, err := env.App.Geo.Upload(context.Background(), coord.Actor, strings.NewReader(areas), geo.Properties{Name: "name", Code: "code"}); err != nil {
				t.Fatalf("upload areas: %v", err)
			}
			_, body := send(t, env, &coord, http.MethodGet, "/mapping/questionnaires", nil, http.StatusOK)
			if strings.Count(body, `name="slug"`) != 6 {
				t.Fatalf("shipped questionnaires not offered:\n%s", body)
			}
			res, _ := send(t, env, &coord, http.MethodPost, "/mapping/questionnaires/shipped", url.Values{"slug": {"locations"}}, http.StatusSeeOther)
			loc := match(t, questionnaireLink, location(t, res))
			_, body = send(t, env, &coord, http.MethodGet, "/mapping/questionnaires/"+loc, nil, http.StatusOK, "de")
			if !strings.Contains(body, "Welche Art von Ort ist es?") || !strings.Contains(body, `value="add:places"`) && !strings.Contains(body, `value="remove:places[1]"`) {
				t.Fatalf("German preview lacks the questions or the repeat's buttons:\n%s", body)
			}
			res, _ = send(t, env, &coord, http.MethodPost, "/mapping/questionnaires/shipped", url.Values{"slug": {"perpetrators"}}, http.StatusSeeOther)
			perp := match(t, questionnaireLink, location(t, res))

			// A bad round changes nothing.
			_, body = send(t, env, &coord, http.MethodPost, "/mapping/rounds/new", url.Values{"title": {""}, "questionnaires": {loc},
				"period_start": {"2026-12-31"}, "period_end": {"2026-01-01"}}, http.StatusUnprocessableEntity)
			if !strings.Contains(body, `href="#f-title"`) || count(t, env, `SELECT COUNT(*) FROM mapping_rounds`) != 0 {
				t.Fatalf("bad round: %s", body)
			}
			res, _ = send(t, env, &coord, http.MethodPost, "/mapping/rounds/new", url.Values{"title": {"Autumn 2026"}, "questionnaires": {loc, perp},
				"period_start": {"2026-10-01"}, "period_end": {"2026-12-31"}, "open": {"on"}}, http.StatusSeeOther)
			round := match(t, roundLink, location(t, res))
			send(t, env, &coord, http.MethodPost, "/mapping/rounds/"+round+"/invite", url.Values{"questionnaire": {loc}, "kind": {"org"}, "org": {ngo}}, http.StatusSeeOther)
			_, body = send(t, env, &coord, http.MethodPost, "/mapping/rounds/"+round+"/invite", url.Values{"questionnaire": {loc}, "kind": {"link"},
				"respondent_kind": {"taxi_drivers"}, "label": {"Taxi association"}, "max_uses": {"1"}, "days": {"14"}}, http.StatusOK)
			token := match(t, tokenLink, body)

			// The respondent sees their questionnaire; another organisation's user does not.
			_, body = send(t, env, &worker, http.MethodGet, "/mapping/respond", nil, http.StatusOK)
			path := "/mapping/respond/" + round + "/" + loc
			if !strings.Contains(body, path) || strings.Contains(body, perp) {
				t.Fatalf("respondent's list:\n%s", body)
			}
			_, body = send(t, env, &worker, http.MethodGet, "/", nil, http.StatusOK)
			if !strings.Contains(body, `id="mapping-assigned"`) || !strings.Contains(body, path) {
				t.Fatalf("the respondent's dashboard does not offer the questionnaire:\n%s", body)
			}
			if _, body = send(t, env, &outsider, http.MethodGet, "/", nil, http.StatusOK); strings.Contains(body, `id="mapping-assigned"`) {
				t.Fatal("another organisation's dashboard offers the questionnaire")
			}
			send(t, env, &outsider, http.MethodGet, path, nil, http.StatusNotFound)
			send(t, env, &worker, http.MethodGet, "/mapping/respond/"+round+"/"+perp, nil, http.StatusNotFound)
			send(t, env, &analyst, http.MethodGet, path, nil, http.StatusForbidden)

			_, body = send(t, env, &worker, http.MethodGet, path, nil, http.StatusOK)
			if !strings.Contains(body, `value="harbour"`) || !strings.Contains(body, "Old Town") {
				t.Fatalf("the city's areas are not choices of the area questions:\n%s", body)
			}
			answers := url.Values{"area": {"whole_city"}, "basis": {"outreach"}, "places:count": {"1"},
				"places[1]/location_type": {"farm"}, "places[1]/place_area": {"harbour"}, "places[1]/place_signs": {"transported"},
				"places[1]/seen_period": {"this_month"}, "places[1]/observation": {"A van brings workers before dawn"}}
			add := url.Values{"forms:action": {"add:places"}}
			for k, v := range answers {
				add[k] = v
			}
			_, body = send(t, env, &worker, http.MethodPost, path, add, http.StatusOK)
			if !strings.Contains(body, `name="places:count" value="2"`) || !strings.Contains(body, "A van brings workers before dawn") {
				t.Fatalf("adding a place did not keep the answers:\n%s", body)
			}
			if count(t, env, `SELECT COUNT(*) FROM mapping_responses`) != 0 {
				t.Fatal("adding a place stored a response")
			}
			bad := url.Values{"basis": {"outreach"}, "places:count": {"0"}}
			_, body = send(t, env, &worker, http.MethodPost, path, bad, http.StatusUnprocessableEntity)
			if !strings.Contains(body, `href="#f-area"`) || count(t, env, `SELECT COUNT(*) FROM mapping_responses`) != 0 {
				t.Fatalf("a missing answer was not refused:\n%s", body)
			}
			answers.Set("anonymous", "on")
			send(t, env, &worker, http.MethodPost, path, answers, http.StatusSeeOther)

			// The link works without an account, sets no cookie, and only as often as its cap.
			res, body = send(t, env, nil, http.MethodGet, "/m/"+token, nil, http.StatusOK, "de")
			if res.Header.Get("Set-Cookie") != "" || !strings.Contains(body, "Welche Art von Ort ist es?") {
				t.Fatalf("link page: cookie %q\n%s", res.Header.Get("Set-Cookie"), body)
			}
			// A link that names its language opens in it, whatever the
			// browser prefers, and sends the answers back in it.
			_, body = send(t, env, nil, http.MethodGet, "/m/"+token+"?lang=de", nil, http.StatusOK)
			if !strings.Contains(body, "Welche Art von Ort ist es?") || !strings.Contains(body, `action="/m/`+token+`?lang=de"`) {
				t.Fatalf("link page with ?lang=de:\n%s", body)
			}
			answers.Del("anonymous")
			answers.Set("places[1]/observation", "Workers wait at the station")
			res, body = send(t, env, nil, http.MethodPost, "/m/"+token, answers, http.StatusOK)
			if res.Header.Get("Set-Cookie") != "" || !strings.Contains(body, `id="link-done"`) {
				t.Fatalf("link answer: %s", body)
			}
			send(t, env, nil, http.MethodPost, "/m/"+token, answers, http.StatusConflict)
			send(t, env, nil, http.MethodGet, "/m/"+token, nil, http.StatusConflict)
			send(t, env, nil, http.MethodGet, "/m/not-a-token", nil, http.StatusNotFound)

			// Review: the coordinator sees who answered, anonymous included, and accepts one text.
			_, body = send(t, env, &coord, http.MethodGet, "/mapping/rounds/"+round, nil, http.StatusOK)
			if !strings.Contains(body, "worker, Safe Harbour") || strings.Count(body, `action="/mapping/review/`) != 2 || !strings.Contains(body, "Taxi drivers") {
				t.Fatalf("round page:\n%s", body)
			}
			ids := regexp.MustCompile(`action="/mapping/review/([0-9a-f-]{36})"`).FindAllStringSubmatch(body, -1)
			send(t, env, &coord, http.MethodPost, "/mapping/review/"+ids[0][1], url.Values{"round": {round}, "decision": {"accept"},
				"text": {"Vans bring workers to a farm before dawn."}}, http.StatusSeeOther)
			send(t, env, &coord, http.MethodPost, "/mapping/review/"+ids[1][1], url.Values{"round": {round}, "decision": {"reject"}}, http.StatusSeeOther)
			send(t, env, &analyst, http.MethodPost, "/mapping/review/"+ids[1][1], url.Values{"round": {round}, "decision": {"accept"}, "text": {"x"}}, http.StatusForbidden)

			_, body = send(t, env, &analyst, http.MethodGet, "/mapping/rounds/"+round+"/report", nil, http.StatusOK)
			for _, want := range []string{"Vans bring workers to a farm before dawn.", `id="locations-register"`, `id="withheld"`, "<svg", "Harbour"} {
				if !strings.Contains(body, want) {
					t.Errorf("analyst's report lacks %q", want)
				}
			}
			if strings.Contains(body, `href="/inspections/new?`) {
				t.Error("the analyst, who plans no inspection, is offered to plan one")
			}
			_, coordBody := send(t, env, &coord, http.MethodGet, "/mapping/rounds/"+round+"/report", nil, http.StatusOK)
			if !regexp.MustCompile(`href="/inspections/new\?location_type=[a-z_]+&amp;area=[a-z_-]+"`).MatchString(coordBody) {
				t.Error("the coordinator's register offers no joint inspection at a place")
			}
			for _, never := range []string{"A van brings workers before dawn", "Workers wait at the station", "Safe Harbour", "Taxi association"} {
				if strings.Contains(body, never) {
					t.Errorf("analyst's report shows %q", never)
				}
			}
			// A finding recorded from the report goes to the action plan and is listed there and here.
			send(t, env, &coord, http.MethodPost, "/mapping/rounds/"+round+"/findings", url.Values{"title": {""}, "topic": {"labour_exploitation"}}, http.StatusUnprocessableEntity)
			res, _ = send(t, env, &coord, http.MethodPost, "/mapping/rounds/"+round+"/findings", url.Values{"title": {"Vans bring farm workers before dawn"},
				"description": {"Respondents saw vans at the harbour farms before dawn."}, "topic": {"labour_exploitation"}, "area_code": {"harbour"}, "priority": {"high"}}, http.StatusSeeOther)
			if !strings.HasPrefix(location(t, res), "/plan/findings/") {
				t.Fatalf("a recorded finding goes to %s", location(t, res))
			}
			send(t, env, &analyst, http.MethodPost, "/mapping/rounds/"+round+"/findings", url.Values{"title": {"x"}, "topic": {"labour_exploitation"}}, http.StatusForbidden)
			_, body = send(t, env, &analyst, http.MethodGet, "/mapping/rounds/"+round+"/report", nil, http.StatusOK)
			if !strings.Contains(body, "Vans bring farm workers before dawn") || strings.Contains(body, `action="/mapping/rounds/`+round+`/findings"`) {
				t.Fatalf("the analyst's report lists the finding without the form to record one:\n%s", body)
			}
			send(t, env, &analyst, http.MethodGet, "/mapping/rounds/"+round, nil, http.StatusForbidden)
			send(t, env, &analyst, http.MethodGet, "/mapping/rounds/"+round+"/restricted", nil, http.StatusForbidden)
			send(t, env, &worker, http.MethodGet, "/mapping/rounds/"+round+"/report", nil, http.StatusForbidden)
			if _, body = send(t, env, &officer, http.MethodGet, "/", nil, http.StatusOK); !strings.Contains(body, `href="/mapping/restricted"`) {
				t.Fatalf("the police contact's dashboard does not link the restricted results:\n%s", body)
			}
			_, body = send(t, env, &officer, http.MethodGet, "/mapping/restricted", nil, http.StatusOK)
			if !strings.Contains(body, "/mapping/rounds/"+round+"/restricted") {
				t.Fatalf("police's list:\n%s", body)
			}
			_, body = send(t, env, &officer, http.MethodGet, "/mapping/rounds/"+round+"/restricted", nil, http.StatusOK)
			if !strings.Contains(body, "Perpetrators, enablers and users") || strings.Contains(body, "locations-register") {
				t.Fatalf("police's restricted report:\n%s", body)
			}
			send(t, env, &officer, http.MethodGet, "/mapping/rounds/"+round+"/report", nil, http.StatusForbidden)

			// Comparing with a second round shows nothing below k.
			res, _ = send(t, env, &coord, http.MethodPost, "/mapping/rounds/new", url.Values{"title": {"Spring 2027"}, "questionnaires": {loc},
				"period_start": {"2027-03-01"}, "period_end": {"2027-04-30"}}, http.StatusSeeOther)
			second := match(t, roundLink, location(t, res))
			_, body = send(t, env, &analyst, http.MethodGet, "/mapping/compare?a="+round+"&b="+second, nil, http.StatusOK)
			if !strings.Contains(body, `class="hint below-k"`) || strings.Contains(body, `<table class="results">`) || !strings.Contains(body, `id="earlier-findings"`) {
				t.Fatalf("comparison below k:\n%s", body)
			}
			send(t, env, &analyst, http.MethodGet, "/mapping/compare?a="+round+"&b="+round, nil, http.StatusUnprocessableEntity)

			// Ending the organisation's invitation takes the questionnaire off its respondents' list.
			_, body = send(t, env, &coord, http.MethodGet, "/mapping/rounds/"+round, nil, http.StatusOK)
			revoke := match(t, regexp.MustCompile(`action="(/mapping/invitations/[0-9a-f-]{36}/revoke)"`), body)
			send(t, env, &analyst, http.MethodPost, revoke, url.Values{}, http.StatusForbidden)
			send(t, env, &coord, http.MethodPost, revoke, url.Values{}, http.StatusSeeOther)
			send(t, env, &worker, http.MethodGet, path, nil, http.StatusNotFound)
		})
	}
}

// A refused XLSForm upload names sheet, row and column and stores nothing.
func TestImportPage(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	city := env.Org("City Office", accounts.Municipality)
	coord := env.User("coord", access.Coordinator, city)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "walk.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(fw, "this is not a workbook")
	mw.Close()
	res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/mapping/questionnaires/import", Cookie: coord.Cookie,
		Body: buf.String(), CType: mw.FormDataContentType()})
	if res.StatusCode != http.StatusUnprocessableEntity || strings.Count(body, `href="#f-file"`) != 1 || strings.Contains(body, `href="#f-form"`) {
		t.Fatalf("status %d\n%s", res.StatusCode, body)
	}
	// A workbook with a type Waymark does not evaluate: refused at its sheet, row and column.
	wb := excelize.NewFile()
	defer wb.Close()
	if err := wb.SetSheetName("Sheet1", "survey"); err != nil {
		t.Fatal(err)
	}
	for i, row := range [][]string{{"type", "name", "label"}, {"integer", "lamps", "Broken lamps"}, {"geopoint", "where", "Where"}} {
		if err := wb.SetSheetRow("survey", fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	var xlsx bytes.Buffer
	if err := wb.Write(&xlsx); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	mw = multipart.NewWriter(&buf)
	if fw, err = mw.CreateFormFile("file", "walk.xlsx"); err != nil {
		t.Fatal(err)
	}
	fw.Write(xlsx.Bytes())
	mw.Close()
	res, body = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/mapping/questionnaires/import", Cookie: coord.Cookie,
		Body: buf.String(), CType: mw.FormDataContentType()})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "survey, row 3, column type") {
		t.Fatalf("status %d\n%s", res.StatusCode, body)
	}
	if count(t, env, `SELECT COUNT(*) FROM mapping_questionnaires`) != 0 {
		t.Fatal("a refused upload was stored")
	}
}
