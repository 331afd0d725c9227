package ui_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/fieldguide"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// startScreening starts a screening as the user behind cookie through the
// form and returns its id.
func startScreening(t *testing.T, env *apptest.Env, cookie string, form url.Values) string {
	t.Helper()
	res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/screenings", Cookie: cookie, Form: form})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /screenings: status %d, want 303\n%s", res.StatusCode, body)
	}
	loc := res.Header.Get("Location")
	id, ok := strings.CutPrefix(strings.TrimSuffix(loc, "/questions?page=1"), "/screenings/")
	if !ok || id == "" || strings.Contains(id, "/") {
		t.Fatalf("POST /screenings redirects to %q, want the first page of questions", loc)
	}
	return id
}

// targetScreening is a new screening by organisation A's screener: the
// {id} of the screening routes in the route walk. (Not by the target user,
// whose role the walk changes.)
func targetScreening(t *testing.T, f *fixture) string {
	t.Helper()
	return startScreening(t, f.env, f.env.Session(t, f.staff[access.Screener].ID, true), url.Values{"setting": {"outreach"}})
}

var questionName = regexp.MustCompile(`name="answers\.([a-z0-9_.]+)" value="yes"`)

// pageQuestions lists the indicator ids a page of questions asks, in order.
func pageQuestions(body string) []string {
	var ids []string
	for _, m := range questionName.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// labourCase are answers that give reasonable grounds for labour
// exploitation of an adult: deceptive recruitment (one strong, one medium),
// exploitative conditions (one strong, one medium) and coercion at the
// destination (two strong).
var labourCase = map[string]string{
	"core.does_work": "yes", "core.arranged_by_others": "yes", "rec.job_different": "yes", "rec.terms_worse": "yes",
	"work.excessive_hours": "yes", "core.money_taken": "yes",
	"core.documents_held": "yes", "core.debt": "yes",
}

// TestScreeningFlow walks a screening as a screener: start without a name,
// answer page by page (the danger question first), go back, finish, and
// read the result and the printed summary.
func TestScreeningFlow(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	screener := f.staff[access.Screener]
	cookie := env.Session(t, screener.ID, true)
	get := func(path string, status int) string {
		t.Helper()
		res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: cookie})
		if res.StatusCode != status {
			t.Fatalf("GET %s: status %d, want %d", path, res.StatusCode, status)
		}
		return body
	}
	post := func(path string, form url.Values) (*http.Response, string) {
		t.Helper()
		return env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: cookie, Form: form})
	}

	// The start page asks for no name; a missing setting is explained.
	body := get("/screenings/new", http.StatusOK)
	if strings.Contains(body, `name="name"`) || strings.Contains(body, `type="text"`) {
		t.Error("the start page has a free-text field; a screening needs no name")
	}
	res, body := post("/screenings", url.Values{"age.years": {"thirty"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-age.years"`) {
		t.Errorf("POST /screenings with a bad age: status %d, want 422 with the age in the error summary", res.StatusCode)
	}
	res, body = post("/screenings", url.Values{"age.years": {"30"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-setting"`) {
		t.Errorf("POST /screenings without a setting: status %d, want 422 with the setting in the error summary", res.StatusCode)
	}

	id := startScreening(t, env, cookie, url.Values{"setting": {"workplace_inspection"}, "age.years": {"30"}})
	base := "/screenings/" + id + "/questions"
	body = get(base+"?page=1", http.StatusOK)
	ids := pageQuestions(body)
	if len(ids) == 0 || ids[0] != "core.danger" {
		t.Fatalf("page 1 asks %v, want the immediate-danger question first", ids)
	}
	// The first page asks the core questions of everyone; the answers
	// open the follow-ups.
	if len(ids) > 13 || slices.ContainsFunc(ids, func(id string) bool { return !strings.HasPrefix(id, "core.") }) {
		t.Errorf("page 1 asks %v, want the core questions only", ids)
	}
	// The first page cannot know how many follow-up pages its answers
	// will open, and says so.
	if !strings.Contains(body, "Page 1: first questions") {
		t.Fatal("page 1 shows no progress")
	}
	for _, c := range []string{"Yes", "No", "Don&#39;t know", "Person declined to answer"} {
		if !strings.Contains(body, c) {
			t.Errorf("page 1 lacks the answer %q", c)
		}
	}

	// A tampered answer is refused and nothing is saved.
	res, body = post(base, url.Values{"page": {"1"}, "go": {"next"}, "answers.core.danger": {"perhaps"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-answers.core.danger"`) {
		t.Errorf("an invalid answer: status %d, want 422 linking to the question", res.StatusCode)
	}

	// Answer every page that asks a question of the case; "no" to the
	// danger question. Back from page 2 returns to page 1 with the answer kept.
	page := 1
	seen := map[string]bool{}
	for {
		body = get(base+"?page="+strconv.Itoa(page), http.StatusOK)
		form := url.Values{"page": {strconv.Itoa(page)}, "go": {"next"}}
		for _, q := range pageQuestions(body) {
			seen[q] = true
			if a, ok := labourCase[q]; ok {
				form.Set("answers."+q, a)
			}
		}
		if page == 1 {
			form.Set("answers.core.danger", "no")
		}
		res, _ = post(base, form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save page %d: status %d, want 303", page, res.StatusCode)
		}
		if page == 2 {
			back, _ := post(base, url.Values{"page": {"2"}, "go": {"back"}})
			if loc := back.Header.Get("Location"); loc != base+"?page=1" {
				t.Errorf("back from page 2 goes to %q", loc)
			}
			if p1 := get(base+"?page=1", http.StatusOK); !strings.Contains(p1, `value="no" id="f-answers.core.danger-no" checked`) {
				t.Error("page 1 does not show the saved answer")
			}
		}
		loc := res.Header.Get("Location")
		if loc == "/screenings/"+id {
			if page < 2 {
				t.Errorf("finished after page %d; the answers open follow-up pages", page)
			}
			break
		}
		page++
		if loc != base+"?page="+strconv.Itoa(page) || page > 20 {
			t.Fatalf("after page %d: redirect to %q", page-1, loc)
		}
	}
	for q := range labourCase {
		if !seen[q] {
			t.Errorf("no page asked %s", q)
		}
	}
	if seen["chi.not_in_school"] {
		t.Error("an adult was asked a child-only question")
	}

	body = get("/screenings/"+id, http.StatusOK)
	for _, want := range []string{"Reasonable grounds: refer now", "This is a screening, not an identification", `href="/screenings/` + id + `/refer"`,
		"Means: present", "Act: present", "Purpose: present", "Finished"} {
		if !strings.Contains(body, html.EscapeString(want)) && !strings.Contains(body, want) {
			t.Errorf("result page lacks %q", want)
		}
	}
	if strings.Contains(body, "urgent-banner") {
		t.Error("result shows an urgent banner though the danger question was answered no")
	}
	printed := get("/screenings/"+id+"/print", http.StatusOK)
	if !strings.Contains(printed, "Reasonable grounds: refer now") || !strings.Contains(printed, "data-print") {
		t.Error("printed summary lacks the outcome or the print button")
	}
	if strings.Contains(printed, "/questions?page=") {
		t.Error("printed summary has links to the questions")
	}
	get("/screenings/"+id+"/refer", http.StatusOK)
	list := get("/screenings", http.StatusOK)
	if !strings.Contains(list, `href="/screenings/`+id+`"`) || !strings.Contains(list, "Reasonable grounds: refer now: Forced labour") {
		t.Error("the list does not show the screening with its outcome")
	}

	// "Finish now" on the first page: the rest counts as unknown, and a yes
	// to the danger question makes the result urgent.
	urgent := startScreening(t, env, cookie, url.Values{"setting": {"hotline_call"}, "age.estimated": {"1"}, "age.child_reasons": {"1"}})
	res, _ = post("/screenings/"+urgent+"/questions", url.Values{"page": {"1"}, "go": {"finish"}, "answers.core.danger": {"yes"}})
	if loc := res.Header.Get("Location"); loc != "/screenings/"+urgent {
		t.Fatalf("finish now: redirect to %q, want the result", loc)
	}
	body = get("/screenings/"+urgent, http.StatusOK)
	for _, want := range []string{"urgent-banner", "in danger now", "reasons to believe the person is a child", "questions were not answered", "Call now"} {
		if !strings.Contains(body, want) {
			t.Errorf("urgent result lacks %q", want)
		}
	}

	// Two strong signs only: further assessment, with the questions that
	// would settle it linked to the pages that ask them.
	partial := startScreening(t, env, cookie, url.Values{"setting": {"outreach"}})
	want := map[string]bool{"core.does_work": true, "core.threats_violence": true, "work.excessive_hours": true}
	for page := 1; len(want) > 0 && page < 20; page++ {
		path := "/screenings/" + partial + "/questions"
		form := url.Values{"page": {strconv.Itoa(page)}, "go": {"next"}}
		for _, q := range pageQuestions(get(path+"?page="+strconv.Itoa(page), http.StatusOK)) {
			if want[q] {
				form.Set("answers."+q, "yes")
				delete(want, q)
			}
		}
		post(path, form)
	}
	post("/screenings/"+partial+"/questions", url.Values{"page": {"1"}, "go": {"finish"}})
	body = get("/screenings/"+partial, http.StatusOK)
	link := regexp.MustCompile(`href="(/screenings/` + partial + `/questions\?page=(\d+))#f-answers\.([a-z0-9_.]+)"`).FindStringSubmatch(body)
	if !strings.Contains(body, "In doubt: refer for specialist assessment") || link == nil {
		t.Fatalf("a screening with two strong signs shows no further assessment with linked questions")
	}
	if asked := pageQuestions(get(link[1], http.StatusOK)); !slices.Contains(asked, link[3]) {
		t.Errorf("the link to %s leads to page %s, which asks %v", link[3], link[2], asked)
	}

	// Another organisation's case worker finds none of it.
	outsider := env.Session(t, f.outsider.ID, true)
	for _, path := range []string{"/screenings/" + id, "/screenings/" + id + "/print", base + "?page=1"} {
		if res, _ := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: outsider}); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s by another organisation: status %d, want 404", path, res.StatusCode)
		}
	}
	if _, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/screenings", Cookie: outsider}); strings.Contains(body, id) {
		t.Error("another organisation's list shows the screening")
	}
}

// TestScreeningPagesTranslated renders every screening and field-guide page
// in every language, and checks that no message key is missing.
func TestScreeningPagesTranslated(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	cat, err := screening.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	screener := f.staff[access.Screener]
	cookie := env.Session(t, screener.ID, true)
	child := startScreening(t, env, cookie, url.Values{"setting": {"school"}, "age.years": {"14"}})
	env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/screenings/" + child + "/questions", Cookie: cookie,
		Form: url.Values{"page": {"1"}, "go": {"finish"}, "answers.core.danger": {"yes"}, "answers.core.threats_violence": {"yes"}}})
	adult := startScreening(t, env, cookie, url.Values{"setting": {"outreach"}})
	paths := []string{"/screenings", "/screenings/new", "/screenings/new?setting=school", "/guide", "/guide/rights", "/guide/contacts"}
	for _, id := range []string{child, adult} {
		for _, p := range []string{"", "/questions?page=1", "/questions?page=2", "/questions?page=99", "/print", "/refer"} {
			paths = append(paths, "/screenings/"+id+p)
		}
	}
	for _, l := range cat.FieldGuide {
		paths = append(paths, "/guide/"+l.ID)
	}
	for _, lang := range env.App.Catalog.Languages() {
		t.Run(lang.Tag, func(t *testing.T) {
			for _, p := range paths {
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: p, Cookie: cookie, Header: map[string]string{"Accept-Language": lang.Tag}})
				if res.StatusCode != http.StatusOK {
					t.Errorf("GET %s: status %d, want 200", p, res.StatusCode)
					continue
				}
				if !strings.Contains(body, `<html lang="`+lang.Tag+`"`) {
					t.Errorf("GET %s is not in %s", p, lang.Tag)
				}
			}
			res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/screenings", Cookie: cookie,
				Header: map[string]string{"Accept-Language": lang.Tag}, Form: url.Values{}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<html lang="`+lang.Tag+`"`) {
				t.Errorf("POST /screenings without a setting: status %d, want 422 in %s", res.StatusCode, lang.Tag)
			}
		})
	}
	if res, _ := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/guide/no-such-place", Cookie: cookie}); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /guide/no-such-place: status %d, want 404", res.StatusCode)
	}
	if missing := env.App.Catalog.Missing(); len(missing) > 0 {
		t.Errorf("pages asked for message keys no catalogue has: %v", missing)
	}
}

// TestNavigationShowsScreening: the screening and field-guide links are in
// the navigation of roles that may screen, and only theirs.
func TestNavigationShowsScreening(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	for _, role := range access.Roles {
		_, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/account", Cookie: f.env.Session(t, f.staff[role].ID, true)})
		want := access.Can(f.staff[role].Actor, access.EvaluateScreening)
		for _, link := range []string{`href="/screenings"`, `href="/guide"`} {
			if got := strings.Contains(body, link); got != want {
				t.Errorf("%s: navigation has %s = %v, want %v", role, link, got, want)
			}
		}
	}
}

// TestScreeningLocalSigns: the city's local signs appear in a screening. A
// sign mapped to a catalogue question is shown under that question and
// counts only through its answer; a sign without a question is offered on
// the first page, recorded with the screening and the local version, shown
// on the result, and never changes it.
func TestScreeningLocalSigns(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			env := f.env
			ctx := context.Background()
			coord := f.staff[access.Coordinator].Actor
			note := fieldguide.Note{Citation: "Working group minutes 2026-11-12 §4", Reason: "Seen at the greenhouses."}
			if _, err := env.App.FieldGuide.AddSign(ctx, coord, fieldguide.SignInput{Note: note, SignText: fieldguide.SignText{
				Label: fieldguide.Localized{"en": "Workers' phones collected at the gate"}, QuestionID: "core.documents_held"}}); err != nil {
				t.Fatal(err)
			}
			unmapped, err := env.App.FieldGuide.AddSign(ctx, coord, fieldguide.SignInput{Note: note, SignText: fieldguide.SignText{
				Label: fieldguide.Localized{"en": "Minibus with foreign plates at 5 a.m."}, PlaceID: "farm"}})
			if err != nil {
				t.Fatal(err)
			}
			cookie := env.Session(t, f.staff[access.Screener].ID, true)
			get := func(path string) string {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: cookie})
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: status %d", path, res.StatusCode)
				}
				return body
			}
			id := startScreening(t, env, cookie, url.Values{"setting": {"farm"}, "age.years": {"30"}})
			page1 := get("/screenings/" + id + "/questions?page=1")
			for _, want := range []string{"Workers&#39; phones collected at the gate", "Minibus with foreign plates at 5 a.m.", `name="local_sign" value="` + unmapped.ID + `"`} {
				if !strings.Contains(page1, want) {
					t.Errorf("page 1 lacks %q", want)
				}
			}
			// A forged id is dropped; the real one is noted.
			res, _ := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/screenings/" + id + "/questions", Cookie: cookie,
				Form: url.Values{"page": {"1"}, "go": {"finish"}, "local_shown": {"1"}, "local_sign": {unmapped.ID, "forged"},
					"answers.core.does_work": {"yes"}}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("save page 1: status %d", res.StatusCode)
			}
			sc, err := env.App.Screenings.Get(ctx, f.staff[access.Screener].Actor, id)
			if err != nil {
				t.Fatal(err)
			}
			local, err := env.App.FieldGuide.Current(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sc.LocalSigns, []string{unmapped.ID}) || sc.LocalVersion != local.Version {
				t.Errorf("recorded signs %v at version %d, want [%s] at %d", sc.LocalSigns, sc.LocalVersion, unmapped.ID, local.Version)
			}
			result := get("/screenings/" + id)
			if !strings.Contains(result, "Local signs noted") || !strings.Contains(result, "Minibus with foreign plates at 5 a.m.") {
				t.Error("the result does not show the noted local sign")
			}
			if !strings.Contains(result, "No indication of trafficking") {
				t.Error("a noted local sign changed the result")
			}
		})
	}
}

// TestVersion1ScreeningKeepsItsResult: a screening saved under the first
// catalogue is asked and explained by its own rules, and says which
// version decided it.
func TestVersion1ScreeningKeepsItsResult(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	screener := f.staff[access.Screener]
	id := "01a2b3c4-0000-7000-8000-000000000001"
	err := env.App.DB.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.ExecContext(context.Background(), `INSERT INTO screenings (id, org_id, created_by, setting, age_years,
			age_estimated, age_child_reasons, answers, catalogue_version, status, created_at, updated_at, completed_at)
			VALUES ($1, $2, $3, 'workplace_inspection', 30, 0, 0, $4, 'v1', 'completed', $5, $5, $5)`,
			id, screener.OrgID, screener.ID, `{"gen.deceived_job_nature":"yes","gen.deceived_pay":"yes","lab.excessive_hours":"yes",
			"lab.low_or_no_pay":"yes","gen.documents_held":"yes","gen.debt_bondage":"yes"}`, time.Now().UTC())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cookie := env.Session(t, screener.ID, true)
	res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/screenings/" + id, Cookie: cookie})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET the v1 screening: status %d", res.StatusCode)
	}
	for _, want := range []string{"Labour exploitation: <span class=\"outcome\">Reasonable grounds: refer now", "Indicator catalogue v1", "Deceptive recruitment"} {
		if !strings.Contains(body, want) {
			t.Errorf("the v1 result lacks %q", want)
		}
	}
	// Its pages still ask the version 1 questions.
	_, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/screenings/" + id + "/questions?page=1", Cookie: cookie})
	if !strings.Contains(body, "answers.gen.immediate_danger") {
		t.Error("the v1 screening's first page does not ask its own first question")
	}
}
