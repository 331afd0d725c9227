package ui_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/fieldguide"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage/storagetest"
)

// walkQuestion is the catalogue question the route walk's signs count
// through: the newest catalogue's first, whichever version it is.
func walkQuestion(f *fixture) string { return f.env.App.FieldGuide.Catalogue().Indicators[0].ID }

// walkLocalSign adds a fresh local sign as the coordinator of A and names it
// in the {kind} and {item} of the local guide's routes, so every change or
// retirement of the walk has a sign of its own to act on.
func walkLocalSign(t *testing.T, f *fixture) string {
	t.Helper()
	s, err := f.env.App.FieldGuide.AddSign(context.Background(), f.staff[access.Coordinator].Actor, fieldguide.SignInput{
		SignText: fieldguide.SignText{Label: fieldguide.Localized{"en": f.unique("Walk sign")}, QuestionID: walkQuestion(f)},
		Note:     fieldguide.Note{Citation: "Walk minutes", Reason: "Route walk."}})
	if err != nil {
		t.Fatalf("add walk sign: %v", err)
	}
	f.params["kind"], f.params["item"] = "signs", s.ID
	return s.ID
}

// TestLocalGuideFlow walks a coordinator through adapting the field guide
// and a case worker through reading it: a sign mapped to a catalogue
// question shows on the guide with its source; a case worker may not change
// it (refused and audited); a sign mapped to an unknown question is refused
// at its field in the reader's language, storing nothing; a change keeps
// both versions in the history; retiring takes the sign off the guide.
func TestLocalGuideFlow(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			env := f.env
			coordinator := env.Session(t, f.staff[access.Coordinator].ID, true)
			caseworker := f.staff[access.CaseWorker]
			worker := env.Session(t, caseworker.ID, true)
			en := env.App.Catalog.For("en")
			c := env.App.FieldGuide.Catalogue()
			question := walkQuestion(f)
			send := func(cookie, method, path string, form url.Values, lang string, status int) (*http.Response, string) {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: cookie, Form: form,
					Header: map[string]string{"Accept-Language": lang}})
				if res.StatusCode != status {
					t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, status, body)
				}
				return res, body
			}
			version := func() int {
				t.Helper()
				l, err := env.App.FieldGuide.Current(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				return l.Version
			}

			_, body := send(coordinator, http.MethodGet, "/guide/local", nil, "en", http.StatusOK)
			if !strings.Contains(body, `id="local-history-none"`) {
				t.Error("a new installation's local guide shows a history")
			}

			citation := "Working group meeting 2026-11-12, minutes §4"
			sign := url.Values{"label_en": {"Pays a room fee to the foreman"}, "label_de": {"Zahlt dem Vorarbeiter eine Zimmergebühr"},
				"hint_en": {"Ask whom they pay for the bed."}, "question": {question}, "place": {""},
				"citation": {citation}, "reason": {"Seen in three inspections this autumn."}}
			res, _ := send(coordinator, http.MethodPost, "/guide/local/signs", sign, "en", http.StatusSeeOther)
			item := redirectPath(res)
			if !strings.HasPrefix(item, "/guide/local/signs/") {
				t.Fatalf("adding a sign redirects to %q, want its page", item)
			}
			_, body = send(coordinator, http.MethodGet, res.Header.Get("Location"), nil, "en", http.StatusOK)
			if !strings.Contains(body, html.EscapeString(en.T("guide.local.done.saved"))) || !strings.Contains(body, `id="version-1"`) {
				t.Error("the sign's page shows neither the notice nor its first version")
			}

			// Every role that sees the guide sees the sign, its question and its source.
			label := c.Label(question, "en")
			date := en.Date(time.Now(), time.Local)
			_, body = send(worker, http.MethodGet, "/guide", nil, "en", http.StatusOK)
			for _, want := range []string{"Pays a room fee to the foreman", html.EscapeString(en.T("guide.local.counts_as", "question", label)),
				html.EscapeString(en.T("guide.local.added_by", "org", "Organisation A", "date", date)),
				html.EscapeString(en.T("guide.local.source", "citation", citation))} {
				if !strings.Contains(body, want) {
					t.Errorf("the guide lacks %q", want)
				}
			}
			if strings.Contains(body, `href="/guide/local"`) {
				t.Error("the guide offers a case worker the coordinator's page")
			}
			i := slices.IndexFunc(c.FieldGuide, func(l screening.Location) bool { return slices.Contains(l.Indicators, question) })
			if i >= 0 {
				_, body = send(worker, http.MethodGet, "/guide/"+c.FieldGuide[i].ID, nil, "en", http.StatusOK)
				if !strings.Contains(body, "Pays a room fee to the foreman") {
					t.Errorf("the guide page of %s, which asks %s, lacks the sign counted through it", c.FieldGuide[i].ID, question)
				}
			}
			_, body = send(worker, http.MethodGet, "/guide", nil, "de", http.StatusOK)
			if !strings.Contains(body, `lang="de">Zahlt dem Vorarbeiter eine Zimmergebühr`) {
				t.Error("the German guide does not show the sign's German label")
			}

			// A case worker may neither change the local guide nor see its page.
			denied := lastDenied(t, env, caseworker.ID)
			before := version()
			send(worker, http.MethodPost, "/guide/local/signs", sign, "en", http.StatusForbidden)
			send(worker, http.MethodPost, item+"/retire", url.Values{"retire_citation": {"x"}, "retire_reason": {"y"}}, "en", http.StatusForbidden)
			send(worker, http.MethodGet, "/guide/local", nil, "en", http.StatusForbidden)
			entries := deniedSince(t, env, caseworker.ID, denied)
			if len(entries) != 3 || !slices.ContainsFunc(entries, func(e audit.Entry) bool { return e.Action == string(access.ManageLocalGuide) }) {
				t.Errorf("refusals audited as %+v, want three denied %s", entries, access.ManageLocalGuide)
			}
			if version() != before {
				t.Error("a refused change was stored")
			}

			// A sign mapped to a question the catalogue does not have is
			// refused at the field, in the reader's language, storing nothing.
			bad := url.Values{}
			for k, v := range sign {
				bad[k] = v
			}
			bad.Set("question", "gen.no_such_question")
			for _, lang := range []string{"en", "de"} {
				_, body = send(coordinator, http.MethodPost, "/guide/local/signs", bad, lang, http.StatusUnprocessableEntity)
				msg := html.EscapeString(env.App.Catalog.For(lang).T("error.fieldguide.unknown_question"))
				if !strings.Contains(body, `id="f-question-error"`) || !strings.Contains(body, msg) {
					t.Errorf("%s: the unknown question is not refused at its field with %q", lang, msg)
				}
				if !strings.Contains(body, `value="Pays a room fee to the foreman"`) {
					t.Errorf("%s: the refused form lost what was typed", lang)
				}
			}
			if version() != before {
				t.Error("a refused sign was stored")
			}

			// A change is a new version; both show in the history.
			changed := url.Values{}
			for k, v := range sign {
				changed[k] = v
			}
			changed.Set("label_en", "Pays a bed fee to the foreman")
			changed.Set("citation", "Working group meeting 2026-12-03, minutes §2")
			changed.Set("reason", "Clearer wording.")
			send(coordinator, http.MethodPost, item, changed, "en", http.StatusSeeOther)
			_, body = send(coordinator, http.MethodGet, item, nil, "en", http.StatusOK)
			for _, want := range []string{`id="version-1"`, `id="version-2"`, "Pays a room fee to the foreman", "Pays a bed fee to the foreman",
				html.EscapeString(citation), "Working group meeting 2026-12-03, minutes §2", `value="Pays a bed fee to the foreman"`} {
				if !strings.Contains(body, want) {
					t.Errorf("the sign's page after a change lacks %q", want)
				}
			}
			_, body = send(coordinator, http.MethodPost, item, changed, "en", http.StatusUnprocessableEntity)
			if !strings.Contains(body, html.EscapeString(en.T("error.fieldguide.unchanged"))) {
				t.Error("saving the same texts again is not refused as unchanged")
			}

			// Retiring needs its own source and takes the sign off the guide.
			_, body = send(coordinator, http.MethodPost, item+"/retire", url.Values{"retire_citation": {""}, "retire_reason": {"Gone."}}, "en", http.StatusUnprocessableEntity)
			if !strings.Contains(body, `id="f-retire_citation-error"`) {
				t.Error("a retirement without a source is not refused at the retire form's field")
			}
			res, _ = send(coordinator, http.MethodPost, item+"/retire",
				url.Values{"retire_citation": {"Working group meeting 2027-01-10"}, "retire_reason": {"The site closed."}}, "en", http.StatusSeeOther)
			if redirectPath(res) != "/guide/local" {
				t.Errorf("retiring redirects to %q", res.Header.Get("Location"))
			}
			_, body = send(worker, http.MethodGet, "/guide", nil, "en", http.StatusOK)
			if strings.Contains(body, "Pays a bed fee to the foreman") {
				t.Error("a retired sign is still on the guide")
			}
			_, body = send(coordinator, http.MethodGet, "/guide/local", nil, "en", http.StatusOK)
			if !strings.Contains(body, `id="version-3"`) || !strings.Contains(body, "The site closed.") {
				t.Error("the history lacks the retirement")
			}
			_, body = send(coordinator, http.MethodGet, item, nil, "en", http.StatusOK)
			if !strings.Contains(body, `id="not-current"`) || strings.Contains(body, `id="retire"`) {
				t.Error("a retired sign's page offers to change or retire it again")
			}
		})
	}
}

// TestLocalPlacesAndMarksOnTheGuide: a local place has a guide page of its
// own beside the catalogue's places, and a question marked as locally
// relevant is marked wherever the guide asks it.
func TestLocalPlacesAndMarksOnTheGuide(t *testing.T) {
	f := newFixture(t, "sqlite")
	env := f.env
	coordinator := env.Session(t, f.staff[access.Coordinator].ID, true)
	screener := env.Session(t, f.staff[access.Screener].ID, true)
	c := env.App.FieldGuide.Catalogue()
	get := func(cookie, path string) string {
		t.Helper()
		res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: cookie})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", path, res.StatusCode)
		}
		return body
	}
	res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/guide/local/places", Cookie: coordinator, Form: url.Values{
		"name_de": {"Spargelfelder am Nordufer"}, "where_en": {"Farms north of the river, April to June."},
		"look_for_en": {"Minibuses at dawn\r\nWorkers housed in containers\r\n"}, "area": {"Riverton North"},
		"citation": {"Police briefing 2026-04-02"}, "reason": {"Seasonal workers every spring."}}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add place: status %d: %s", res.StatusCode, body)
	}
	id := strings.TrimPrefix(redirectPath(res), "/guide/local/places/")
	body = get(screener, "/guide")
	if !strings.Contains(body, `href="/guide/`+id+`"`) || !strings.Contains(body, "Police briefing 2026-04-02") {
		t.Error("the guide does not list the local place with its source")
	}
	body = get(screener, "/guide/"+id)
	for _, want := range []string{`lang="de">Spargelfelder am Nordufer`, "<li>Minibuses at dawn</li>", "<li>Workers housed in containers</li>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the local place's page lacks %q", want)
		}
	}

	i := slices.IndexFunc(c.FieldGuide, func(l screening.Location) bool { return len(l.Indicators) > 0 })
	if i < 0 {
		t.Skip("the catalogue's field guide names no questions")
	}
	loc := c.FieldGuide[i]
	q := loc.Indicators[0]
	res, body = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/guide/local/marks", Cookie: coordinator, Form: url.Values{
		"question": {q}, "citation": {"Working group meeting 2026-11-12"}, "reason": {"Common at the harbour."}}})
	if res.StatusCode != http.StatusSeeOther || redirectPath(res) != "/guide/local/marks/"+q {
		t.Fatalf("mark %s: status %d, Location %q: %s", q, res.StatusCode, res.Header.Get("Location"), body)
	}
	en := env.App.Catalog.For("en")
	body = get(screener, "/guide/"+loc.ID)
	if !strings.Contains(body, html.EscapeString(en.T("guide.local.marked_because", "reason", "Common at the harbour."))) ||
		!strings.Contains(body, en.T("guide.local.marked_badge")) {
		t.Errorf("the guide page of %s does not mark %s as locally relevant", loc.ID, q)
	}
	if !strings.Contains(get(screener, "/guide"), `id="local-marks"`) {
		t.Error("the guide's front page does not list the locally relevant questions")
	}
	res, _ = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/guide/local/marks/no.such.question", Cookie: coordinator})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("the mark page of an unknown question: status %d, want 404", res.StatusCode)
	}
}
