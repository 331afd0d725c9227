package e2e

import (
	"context"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestMunicipalityMapping is the "done when" of issue 12, on both engines,
// as a new coordinator and the partners' staff would do it in Chromium.
// The coordinator imports an XLSForm written as a workbook, opens a round
// with it and the shipped (restricted) perpetrators questionnaire, and
// invites the NGO, social services and the labour inspectorate, plus a link
// for someone without an account. The NGO's case worker answers on a 375 px
// phone with JavaScript off: a constraint error shows at its field and the
// follow-up a "no" makes relevant appears after sending, evaluated by the
// server. Social services, the inspectorate and the link answer too. The
// coordinator accepts one free text and rejects another; the report shows
// the answers added up and a server-drawn SVG map with a table, and neither
// it nor the areas' map asks another origin for anything or shows the
// shelter's address. Two findings of the round (one recorded from the
// report, one on the plan's form) get measures owned by two partners; a
// second round with the same questionnaire, answered through a link (once
// in German), is compared with the first (k is 2 here), the comparison
// lists the first round's findings and shows the one re-checked against
// the second round as acted on. The police
// contact reads only the restricted results, the analyst only aggregates
// and accepted text, the case worker only her questionnaire.
func TestMunicipalityMapping(t *testing.T) {
	form := writeStreetCheck(t)
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			args := []string{"--mapping-min-answers", "2"}
			if engine == storage.Postgres {
				args = append(args, "--database", storagetest.NewPostgresDatabase(t))
			}
			walkMunicipality(t, startServerWith(t, "127.0.0.1:0", args...), form)
			t.Logf("%s: walked in %s", engine, time.Since(start).Round(100*time.Millisecond))
		})
	}
}

// Texts of the imported questionnaire the walk looks for.
const (
	areaQuestion   = "Which part of the city?"
	acceptedText   = "Cleaning crews sleep at the car wash."
	rejectedText   = "The owner of the red car wash, Mr Example, keeps their passports."
	pendingText    = "Nobody knew whom to call."
	shelterAddress = "12 River Lane"
)

// writeStreetCheck writes a small XLSForm as an .xlsx file: a district of
// Riverton (the demo's area codes), how many people were seen (a
// constraint), what was noticed (several choices), whether it was reported
// and, only if not, why (relevant), and a free text, in English and German.
func writeStreetCheck(t *testing.T) string {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	sheets := map[string][][]any{
		"survey": {
			{"type", "name", "label::English (en)", "label::Deutsch (de)", "required", "relevant", "constraint", "constraint_message::English (en)", "constraint_message::Deutsch (de)"},
			{"select_one area", "area", areaQuestion, "Welcher Teil der Stadt?", "yes"},
			{"integer", "people_seen", "How many people did you see working there?", "Wie viele Menschen haben Sie dort arbeiten sehen?", "yes", "", ". >= 0 and . <= 200", "Enter a number from 0 to 200.", "Eine Zahl von 0 bis 200 eingeben."},
			{"select_multiple signs", "signs", "What did you notice?", "Was ist Ihnen aufgefallen?"},
			{"select_one yes_no", "reported", "Did anyone report it?", "Hat es jemand gemeldet?", "yes"},
			{"text", "why_not", "Why was it not reported?", "Warum wurde es nicht gemeldet?", "yes", "${reported} = 'no'"},
			{"text", "notes", "Anything else you saw?", "Was haben Sie sonst gesehen?"},
		},
		"choices": {
			{"list_name", "name", "label::English (en)", "label::Deutsch (de)"},
			{"area", "1", "Old Town", "Altstadt"},
			{"area", "2", "Harbour", "Hafen"},
			{"area", "3", "Riverside", "Flussufer"},
			{"area", "4", "North End", "Nordende"},
			{"area", "5", "Station Quarter", "Bahnhofsviertel"},
			{"area", "6", "Hillcrest", "Hügelland"},
			{"signs", "no_papers", "Without their papers", "Ohne ihre Papiere"},
			{"signs", "long_hours", "Very long hours", "Sehr lange Arbeitszeiten"},
			{"signs", "no_pay", "Not paid", "Nicht bezahlt"},
			{"signs", "locked_in", "Locked in", "Eingeschlossen"},
			{"yes_no", "yes", "Yes", "Ja"},
			{"yes_no", "no", "No", "Nein"},
		},
		"settings": {
			{"form_title", "form_id", "version", "default_language"},
			{"Street work check", "street_check", "1", "en"},
		},
	}
	for _, name := range []string{"survey", "choices", "settings"} {
		if _, err := wb.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for i, row := range sheets[name] {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := wb.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := wb.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "street-check.xlsx")
	if err := wb.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// streetAnswer is one respondent's answers to the imported questionnaire.
type streetAnswer struct {
	area, people string
	signs        []string
	reported     string
	whyNot       string
	notes        string
}

// answerStreetCheck fills the imported questionnaire on the page in b,
// clicking choices as a person does (no script of the page needed).
func answerStreetCheck(b *browser, a streetAnswer) {
	b.t.Helper()
	pick := func(name, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS(`input[name="`+name+`"][value="`+value+`"]`), chromedp.NodeVisible)
	}
	steps := []chromedp.Action[chromedp.Void]{pick("area", a.area), pick("reported", a.reported)}
	for _, s := range a.signs {
		steps = append(steps, pick("signs", s))
	}
	b.do(steps...)
	b.fill("f-people_seen", a.people)
	if a.notes != "" {
		writeIn(b, "f-notes", a.notes)
	}
	if a.whyNot != "" {
		// The follow-up is the server's to show: ask for the questions
		// that follow from the answers so far.
		if eval[int](b, `document.querySelectorAll("#f-why_not").length`) == 0 {
			wantStatus(b.t, b.click(`button[name="forms:action"][value=refresh]`), 200)
		}
		writeIn(b, "f-why_not", a.whyNot)
	}
}

// sendAnswers is the page's own send button (not the hidden Enter button
// or the "show the questions that follow" button of the questionnaire).
const sendAnswers = `main form > div.actions > button[type=submit]`

// originCounter counts the requests a tab makes, by origin.
type originCounter struct {
	mu      sync.Mutex
	origins map[string]int
}

func countOrigins(b *browser) *originCounter {
	b.t.Helper()
	c := &originCounter{origins: map[string]int{}}
	err := chromedp.Listen(b.ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			u, err := url.Parse(e.Request.URL)
			if err != nil || u.Scheme == "data" {
				return
			}
			c.mu.Lock()
			c.origins[u.Scheme+"://"+u.Host]++
			c.mu.Unlock()
		}
	})
	if err != nil {
		b.t.Fatalf("listen to requests: %v", err)
	}
	return c
}

func (c *originCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.origins)
}

// onlyOwn fails unless every request since reset went to srv, and some did.
func (c *originCounter) onlyOwn(t *testing.T, srv *server, what string) {
	t.Helper()
	own, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.origins[own.Scheme+"://"+own.Host] == 0 {
		t.Errorf("%s: no request to Waymark was seen (%v): the listener hears nothing", what, c.origins)
	}
	for origin, n := range c.origins {
		if origin != own.Scheme+"://"+own.Host {
			t.Errorf("%s: %d requests to %s, another origin", what, n, origin)
		}
	}
}

var (
	questionnairePath = regexp.MustCompile(`^/mapping/questionnaires/([0-9a-f-]{36})`)
	roundPath         = regexp.MustCompile(`^/mapping/rounds/([0-9a-f-]{36})`)
	findingPath       = regexp.MustCompile(`^/plan/findings/([0-9a-f-]{36})`)
)

func idIn(t *testing.T, re *regexp.Regexp, path string) string {
	t.Helper()
	m := re.FindStringSubmatch(path)
	if m == nil {
		t.Fatalf("at %s, want a page like %s", path, re)
	}
	return m[1]
}

// newRound creates and opens a round of the questionnaires whose labels on
// the new-round form start with titles, over the whole city, and returns
// its id and those of the questionnaires.
func newRound(b *browser, title string, questionnaires ...string) (string, []string) {
	b.t.Helper()
	wantStatus(b.t, b.open("/mapping/rounds/new"), 200)
	b.fill("f-title", title)
	var ids []string
	for _, q := range questionnaires {
		id := labelledValue(b, "#f-questionnaires", q)
		ids = append(ids, id)
		b.do(chromedp.Click(chromedp.CSS(`#f-questionnaires label.choice:has(input[value="`+id+`"])`), chromedp.NodeVisible))
	}
	today := time.Now()
	setDate(b, "f-period_start", today.Format(time.DateOnly))
	setDate(b, "f-period_end", today.AddDate(0, 1, 0).Format(time.DateOnly))
	if !eval[bool](b, `document.querySelector("input[name=open]").checked`) {
		b.do(chromedp.Click(chromedp.CSS(`label.choice:has(input[name=open])`), chromedp.NodeVisible))
	}
	wantStatus(b.t, b.click(`form[action="/mapping/rounds/new"] button[type=submit]`), 200)
	return idIn(b.t, roundPath, b.path()), ids
}

// labelledValue is the value of the choice inside scope whose label starts
// with text.
func labelledValue(b *browser, scope, text string) string {
	b.t.Helper()
	v := eval[string](b, `(() => {
  const l = [...document.querySelectorAll(`+jsString(scope+" label")+`)].find(l => l.textContent.trim().startsWith(`+jsString(text)+`));
  return l && l.querySelector("input") ? l.querySelector("input").value : "";
})()`)
	if v == "" {
		b.t.Fatalf("%s: no choice %q in %s", b.name, text, scope)
	}
	return v
}

// inviteLink makes an invitation link to questionnaire q of the round page
// open in b and returns the link's path.
func inviteLink(b *browser, q string, uses string) string {
	b.t.Helper()
	b.do(chromedp.SetValue(chromedp.ID("f-questionnaire"), q),
		chromedp.Click(chromedp.CSS(`input[name=kind][value=link]`), chromedp.NodeVisible))
	chooseStarting(b, "f-respondent_kind", "Taxi")
	b.fill("f-label", "Taxi drivers' association", "f-max_uses", uses, "f-days", "14")
	wantStatus(b.t, b.click(`form[action$="/invite"] button[type=submit]`), 200)
	link := strings.TrimSpace(b.text("#new-link code"))
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/m/") {
		b.t.Fatalf("invitation link = %q", link)
	}
	return u.Path
}

// answerByLink answers the street check through a link in a tab of its own
// without an account, and returns the tab.
func answerByLink(parent *browser, name, link string, a streetAnswer) *browser {
	parent.t.Helper()
	v := parent.incognito(name)
	wantStatus(v.t, v.open(link), 200)
	answerStreetCheck(v, a)
	wantStatus(v.t, v.click(sendAnswers), 200)
	v.do(chromedp.WaitVisible(chromedp.ID("link-done")))
	return v
}

func walkMunicipality(t *testing.T, srv *server, formPath string) {
	coord := newBrowser(t, srv)
	coord.name = "coordinator"
	coord.signInNew("coordinator")

	// From the municipality's overview to the mapping, and the workbook in.
	wantStatus(t, coord.open("/municipality"), 200)
	wantStatus(t, coord.click(`main a[href="/mapping"]`), 200)
	wantStatus(t, coord.click(`main a[href="/mapping/questionnaires"]`), 200)
	wantStatus(t, coord.click(`main a[href="/mapping/questionnaires/import"]`), 200)
	coord.do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{formPath}, chromedp.NodeVisible))
	if res := coord.click(`form[action="/mapping/questionnaires/import"] button[type=submit]`); res.Status != 200 {
		t.Fatalf("import: status %d: %s", res.Status, strings.Join(coord.texts(".field-error"), " / "))
	}
	street := idIn(t, questionnairePath, coord.path())
	if got := coord.text("main"); !strings.Contains(got, areaQuestion) || !strings.Contains(got, "Station Quarter") {
		t.Errorf("the preview of the imported questionnaire lacks its questions:\n%s", got)
	}
	if n := eval[int](coord, `document.querySelectorAll("#f-why_not").length`); n != 0 {
		t.Error("the follow-up shows before anyone said the work was not reported")
	}
	coord.screenshot("preview")

	// A round with it and the restricted questionnaire; three partners and a link.
	round, ids := newRound(coord, "Street work spring check", "Street work check", "Perpetrators")
	perpetrators := ids[1]
	for _, org := range []string{"Safe Harbour NGO", "Riverton Social Services", "Regional Labour Inspectorate"} {
		coord.do(chromedp.SetValue(chromedp.ID("f-questionnaire"), street))
		chooseStarting(coord, "f-org", org)
		wantStatus(t, coord.click(`form[action$="/invite"] button[type=submit]`), 200)
	}
	// The police contact point answers the restricted questionnaire.
	coord.do(chromedp.SetValue(chromedp.ID("f-questionnaire"), perpetrators))
	chooseStarting(coord, "f-org", "Riverton Police Contact Point")
	wantStatus(t, coord.click(`form[action$="/invite"] button[type=submit]`), 200)
	link := inviteLink(coord, street, "1")
	if rows := coord.texts("#invitations tbody tr"); len(rows) != 5 {
		t.Errorf("invitations = %q, want four organisations and a link", rows)
	}
	coord.screenshot("round")

	// The NGO's case worker, on a phone with JavaScript off.
	cw := coord.incognito("caseworker-phone")
	tabs := []*browser{coord, cw}
	cw.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}))
	cw.signInNew("caseworker")
	wantStatus(t, cw.open("/municipality"), 200)
	wantStatus(t, cw.click(`main a[href="/mapping/respond"]`), 200)
	// The demo's running round asks the NGO too; the restricted
	// questionnaire of this round is not the NGO's to answer.
	if items := strings.Join(cw.texts("#assigned li"), "|"); !strings.Contains(items, "Street work check") || strings.Contains(items, "Perpetrators") {
		t.Fatalf("the case worker is asked to answer %q, want the street work check and not the perpetrators' questionnaire", items)
	}
	wantStatus(t, cw.click(`#assigned a[href="/mapping/respond/`+round+`/`+street+`"]`), 200)
	fitsPhone(cw, "questionnaire")
	answerStreetCheck(cw, streetAnswer{area: "5", people: "-4", signs: []string{"no_papers", "long_hours"}, reported: "no",
		notes: rejectedText})
	wantStatus(t, cw.click(sendAnswers), 422)
	if got := eval[string](cw, `(e => e ? e.textContent : document.querySelector("main").outerHTML)(document.getElementById("f-people_seen-error"))`); !strings.Contains(got, "Enter a number from 0 to 200.") {
		t.Errorf("the constraint error beside the count = %q", got)
	}
	if n := eval[int](cw, `document.querySelectorAll("#f-why_not").length`); n != 1 {
		t.Fatal("after a 'no' the server does not show why it was not reported")
	}
	if !eval[bool](cw, `document.querySelector('input[name=signs][value=long_hours]').checked && document.getElementById("f-notes").value !== ""`) {
		t.Error("the refused form lost the answers given")
	}
	cw.viewportShot("constraint-error")
	fitsPhone(cw, "refused-answers")
	cw.fill("f-people_seen", "7")
	writeIn(cw, "f-why_not", "They were afraid of losing the job.")
	wantStatus(t, cw.click(sendAnswers), 200)
	cw.wantPath("/mapping/respond")
	cw.viewportShot("answered")

	// Social services and the labour inspectorate answer with their accounts.
	for _, r := range []struct {
		user string
		a    streetAnswer
	}{
		{"socialworker", streetAnswer{area: "5", people: "3", signs: []string{"no_pay"}, reported: "yes", notes: acceptedText + " Seen by our outreach team."}},
		{"inspector", streetAnswer{area: "2", people: "12", signs: []string{"long_hours", "no_pay"}, reported: "yes"}},
	} {
		b := coord.incognito(r.user)
		tabs = append(tabs, b)
		b.signInNew(r.user)
		wantStatus(t, b.open("/mapping/respond"), 200)
		wantStatus(t, b.click(`#assigned a[href="/mapping/respond/`+round+`/`+street+`"]`), 200)
		answerStreetCheck(b, r.a)
		wantStatus(t, b.click(sendAnswers), 200)
		b.wantPath("/mapping/respond")
	}
	// Someone without an account, through the link.
	tabs = append(tabs, answerByLink(coord, "link", link, streetAnswer{area: "5", people: "0", signs: []string{"locked_in"}, reported: "no", whyNot: pendingText}))

	// The coordinator reviews the free text: one accepted as edited, one rejected.
	wantStatus(t, coord.open("/mapping/rounds/"+round), 200)
	if got := coord.text("#response-counts"); !strings.Contains(got, "Street work check") {
		t.Errorf("answers by respondent type = %q", got)
	}
	review := func(original, decision, text string) {
		t.Helper()
		sel := eval[string](coord, `(() => {
  const f = [...document.querySelectorAll("form.review-item")].find(f => f.querySelector("blockquote").textContent.includes(`+jsString(original)+`));
  return f ? f.getAttribute("action") : "";
})()`)
		if sel == "" {
			t.Fatalf("no free text %q to review", original)
		}
		form := `form[action="` + sel + `"]`
		if text != "" {
			coord.do(chromedp.SetValue(chromedp.CSS(form+" textarea"), text))
		}
		wantStatus(t, coord.click(form+` button[value=`+decision+`]`), 200)
	}
	review(acceptedText, "accept", acceptedText)
	review(rejectedText, "reject", "")
	coord.screenshot("reviewed")

	// The report and the maps: aggregated answers, an SVG map with a table,
	// no other origin, no shelter address.
	requests := countOrigins(coord)
	requests.reset()
	wantStatus(t, coord.open("/mapping/rounds/"+round+"/report"), 200)
	coord.do(chromedp.WaitVisible(chromedp.CSS("figure.geo-map svg")))
	report := coord.text("main")
	for _, want := range []string{areaQuestion, "Station Quarter", "Without their papers", acceptedText, "Perpetrators"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, never := range []string{rejectedText, pendingText, shelterAddress, "Mr Example"} {
		if strings.Contains(report, never) || strings.Contains(eval[string](coord, `document.documentElement.outerHTML`), never) {
			t.Errorf("the report shows %q", never)
		}
	}
	if got := areaCounts(coord); !strings.HasPrefix(got["Station Quarter"], "3 ") || !strings.HasPrefix(got["Harbour"], "1 ") {
		t.Errorf("the report counts the district answers as %v, want Station Quarter 3 and Harbour 1", got)
	}
	// The district question's answers are on its map (each area's SVG
	// title) and in the map's table, all six districts listed.
	titles, table := areaMap(coord)
	for _, want := range []string{"Station Quarter — Answers: 3", "Harbour — Answers: 1", "Old Town"} {
		if !slices.Contains(titles, want) {
			t.Errorf("the district question's map titles are %q, want %q among them", titles, want)
		}
	}
	if len(table) != 6 || table["Station Quarter"] != "3" || table["Harbour"] != "1" {
		t.Errorf("the district map's table alternative = %v, want six districts, Station Quarter 3 and Harbour 1", table)
	}
	if n := eval[int](coord, `document.querySelectorAll('#locations figure.geo-map svg[role=img]').length`); n != 1 {
		t.Errorf("the locations register has %d maps with role=img, want 1", n)
	}
	coord.screenshot("report")
	coord.do(chromedp.ScrollIntoView(chromedp.CSS(`h3[id^="q-1-"]`), chromedp.NodeVisible))
	coord.viewportShot("report-street-check")
	coord.do(chromedp.ScrollIntoView(chromedp.CSS("figure.geo-map"), chromedp.NodeVisible))
	coord.viewportShot("report-map")
	wantStatus(t, coord.open("/areas"), 200)
	coord.do(chromedp.WaitVisible(chromedp.CSS("svg.map")))
	if strings.Contains(eval[string](coord, `document.documentElement.outerHTML`), shelterAddress) {
		t.Error("the areas' map shows the shelter's address")
	}
	requests.onlyOwn(t, srv, "report and map pages")

	// Two findings of the round become measures owned by two partners: the
	// first recorded from the report, the second on the plan's own form.
	today := time.Now()
	var findings []string
	for i, f := range []struct{ title, topic, area, owner string }{
		{"Workers at car washes in the Station Quarter without papers or pay", "labour_exploitation", "5", "Regional Labour Inspectorate"},
		{"Exploitation is seen but rarely reported", "services", "", "Safe Harbour NGO"},
	} {
		if i == 0 {
			wantStatus(t, coord.open("/mapping/rounds/"+round+"/report"), 200)
			coord.fill("f-title", f.title)
			writeIn(coord, "f-description", "From the street work check of the spring round.")
			coord.do(chromedp.SetValue(chromedp.ID("f-topic"), f.topic), chromedp.SetValue(chromedp.ID("f-area_code"), f.area),
				chromedp.SetValue(chromedp.ID("f-priority"), "high"))
			wantStatus(t, coord.click(`form[action="/mapping/rounds/`+round+`/findings"] button[type=submit]`), 200)
		} else {
			wantStatus(t, coord.open("/plan/findings/new"), 200)
			coord.fill("f-title", f.title, "f-area_code", f.area, "f-source_id", round)
			writeIn(coord, "f-description", "From the street work check of the spring round.")
			coord.do(chromedp.SetValue(chromedp.ID("f-topic"), f.topic), chromedp.SetValue(chromedp.ID("f-priority"), "high"),
				chromedp.SetValue(chromedp.ID("f-source_kind"), "mapping_round"))
			wantStatus(t, coord.click(`#finding-submit`), 200)
		}
		finding := idIn(t, findingPath, coord.path())
		findings = append(findings, finding)
		wantStatus(t, coord.click(`#finding-add-measure`), 200)
		coord.do(chooseAction("f-owner_org", f.owner))
		setDate(coord, "f-start_on", today.Format(time.DateOnly))
		setDate(coord, "f-due_on", today.AddDate(0, 6, 0).Format(time.DateOnly))
		if res := coord.click(`#measure-submit`); res.Status != 200 {
			t.Fatalf("measure: status %d: %s", res.Status, strings.Join(coord.texts(".field-error"), " / "))
		}
		if got := coord.text("main"); !strings.Contains(got, f.owner) {
			t.Errorf("the measure does not name its owner %s", f.owner)
		}
		wantStatus(t, coord.open("/plan/findings/"+finding), 200)
		if got := coord.text("#finding-follow-up"); !strings.Contains(got, "lanned") {
			t.Errorf("a finding with a planned measure is followed up as %q", got)
		}
	}

	// A second round with the same questionnaire, answered through a link twice.
	second, _ := newRound(coord, "Street work autumn check", "Street work check")
	link2 := inviteLink(coord, street, "2")
	tabs = append(tabs, answerByLink(coord, "link-2a", link2, streetAnswer{area: "2", people: "1", reported: "yes"}))
	// The second chooses German and first sends a count the constraint
	// refuses.
	de := coord.incognito("link-2b-de")
	tabs = append(tabs, de)
	wantStatus(t, de.open(link2), 200)
	// With JavaScript on, choosing the language sends its form.
	wantStatus(t, de.navigate(chromedp.SetValue(chromedp.ID("lang-select"), "de")), 200)
	de.wantPath(link2)
	if got := de.text("main"); !strings.Contains(got, "Welcher Teil der Stadt?") || !strings.Contains(got, "Bahnhofsviertel") {
		t.Errorf("the German link page:\n%s", got)
	}
	answerStreetCheck(de, streetAnswer{area: "3", people: "999", reported: "yes"})
	wantStatus(t, de.click(sendAnswers), 422)
	if got := de.text("main"); !strings.Contains(got, "Eine Zahl von 0 bis 200 eingeben.") {
		t.Errorf("the German constraint message is missing:\n%s", got)
	}
	de.viewportShot("constraint-de")
	de.fill("f-people_seen", "0")
	wantStatus(t, de.click(sendAnswers), 200)
	de.do(chromedp.WaitVisible(chromedp.ID("link-done")))
	wantStatus(t, coord.open("/mapping/compare?a="+round+"&b="+second), 200)
	compared := eval[[]string](coord, `[...document.querySelectorAll(".compared")].filter(c => c.querySelector("table.results")).map(c => c.querySelector("h3").textContent.trim())`)
	if !strings.Contains(strings.Join(compared, "|"), areaQuestion) {
		t.Errorf("the comparison shows changes for %q, want the district question among them", compared)
	}
	if got := coord.text(".compared table.results"); !strings.Contains(got, "Station Quarter") || !strings.Contains(got, "-75") {
		t.Errorf("the district question's change = %q, want Station Quarter down 75 points", got)
	}
	coord.screenshot("compare")
	if got := coord.texts("#earlier-findings li"); len(got) != 2 || !strings.Contains(strings.Join(got, "|"), "measure planned") {
		t.Errorf("the comparison lists the earlier round's findings as %q, want both with their planned measures", got)
	}

	// The second round re-checks the first finding: it was acted on.
	wantStatus(t, coord.open("/plan/findings/"+findings[0]), 200)
	coord.do(chromedp.Click(chromedp.CSS(`#f-result input[value=improved]`), chromedp.NodeVisible),
		chromedp.SetValue(chromedp.ID("f-source_kind"), "mapping_round"))
	setDate(coord, "f-checked_on", today.Format(time.DateOnly))
	coord.fill("f-source_id", second)
	wantStatus(t, coord.click(`#recheck-submit`), 200)
	wantStatus(t, coord.open("/plan"), 200)
	if got := coord.text("#finding-" + findings[0]); !strings.Contains(got, "re-checked (improved)") {
		t.Errorf("the re-checked finding reads %q", got)
	}
	if got := coord.text("#finding-" + findings[1]); strings.Contains(got, "re-checked") {
		t.Errorf("the finding not re-checked reads %q", got)
	}
	coord.screenshot("plan")
	wantStatus(t, coord.open("/mapping/compare?a="+round+"&b="+second), 200)
	if got := coord.text("#earlier-findings"); !strings.Contains(got, "re-checked (improved)") {
		t.Errorf("after the re-check the comparison's findings read %q", got)
	}
	wantStatus(t, coord.open("/mapping/rounds/"+round+"/report"), 200)
	if got := coord.text("#findings"); !strings.Contains(got, "Workers at car washes") || !strings.Contains(got, "rarely reported") {
		t.Errorf("the report's findings read %q", got)
	}

	// Each partner sees what it should.
	police := coord.incognito("police")
	tabs = append(tabs, police)
	police.signInNew("police")
	wantStatus(t, police.open("/mapping/respond"), 200)
	wantStatus(t, police.click(`#assigned a[href="/mapping/respond/`+round+`/`+perpetrators+`"]`), 200)
	police.do(
		chromedp.Click(chromedp.CSS(`input[name=area][value="5"]`), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(`input[name=basis][value=own_casework]`), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(`input[name=forms][value=labour]`), chromedp.NodeVisible))
	wantStatus(t, police.click(sendAnswers), 200)
	police.wantPath("/mapping/respond")
	wantStatus(t, police.open("/mapping/restricted"), 200)
	wantStatus(t, police.click(`a[href="/mapping/rounds/`+round+`/restricted"]`), 200)
	if got := police.text("main"); !strings.Contains(got, "Perpetrators") || !strings.Contains(got, "1 response") || strings.Contains(got, areaQuestion) {
		t.Errorf("the police's restricted results:\n%s", got)
	}
	police.screenshot("restricted")
	wantStatus(t, police.open("/mapping/rounds/"+round+"/report"), 403)

	analyst := coord.incognito("analyst")
	tabs = append(tabs, analyst)
	wantStatus(t, analyst.signIn("analyst", srv.login(t, "analyst").Password), 200)
	if strings.HasPrefix(analyst.path(), "/login/enrol") {
		analyst.enrol()
	}
	wantStatus(t, analyst.open("/mapping/rounds/"+round+"/report"), 200)
	analyst.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	wantStatus(t, analyst.open("/mapping/rounds/"+round+"/report"), 200)
	fitsPhone(analyst, "report")
	analyst.do(chromedp.ScrollIntoView(chromedp.CSS(`h3[id^="q-"]`), chromedp.NodeVisible))
	analyst.viewportShot("report-question")
	analyst.do(chromedp.ScrollIntoView(chromedp.CSS("figure.geo-map"), chromedp.NodeVisible))
	analyst.viewportShot("report-map")
	got := analyst.text("main")
	if !strings.Contains(got, areaQuestion) || !strings.Contains(got, acceptedText) {
		t.Errorf("the analyst's report lacks the aggregates or the accepted text")
	}
	for _, never := range []string{rejectedText, pendingText, "Perpetrators", "Safe Harbour", "caseworker"} {
		if strings.Contains(got, never) {
			t.Errorf("the analyst's report shows %q", never)
		}
	}
	for _, path := range []string{"/mapping/rounds/" + round, "/mapping/questionnaires", "/mapping/rounds/new", "/plan/findings/new",
		"/mapping/rounds/" + round + "/restricted"} {
		wantStatus(t, analyst.open(path), 403)
	}

	wantStatus(t, cw.open("/mapping/respond"), 200)
	if items := strings.Join(cw.texts("#assigned li"), "|"); strings.Contains(items, "Perpetrators") || strings.Contains(items, "Street work autumn check") {
		t.Errorf("the case worker's questionnaires = %q, want only those her organisation was invited to", items)
	}
	wantStatus(t, cw.open("/mapping/respond/"+round+"/"+perpetrators), 404)
	wantStatus(t, cw.open("/mapping/rounds/"+round+"/report"), 403)
	wantStatus(t, cw.open("/mapping/rounds/"+second), 403)

	// No script error or CSP violation anywhere; the refused forms and
	// pages are the only failed loads.
	for _, b := range tabs {
		wantCleanConsole(b, 403, 404, 422)
	}
}

// areaCounts are the "all" column of the district question's table in the
// report: district name to count.
func areaCounts(b *browser) map[string]string {
	b.t.Helper()
	return eval[map[string]string](b, `(() => {
  const h = [...document.querySelectorAll(".mapping-question h3")].find(h => h.textContent.trim() === `+jsString(areaQuestion)+`);
  const out = {};
  if (!h) return out;
  for (const r of h.parentElement.querySelectorAll("table.results tbody tr")) out[r.querySelector("th").textContent.trim()] = r.querySelector("td").textContent.trim();
  return out;
})()`)
}

// areaMap reads the map drawn beside the district question of the report:
// the titles of its SVG's areas and counts, and its table alternative
// (district → count).
func areaMap(b *browser) ([]string, map[string]string) {
	b.t.Helper()
	type drawn struct {
		Titles []string          `json:"titles"`
		Table  map[string]string `json:"table"`
	}
	d := eval[drawn](b, `(() => {
  const h = [...document.querySelectorAll(".mapping-question h3")].find(h => h.textContent.trim() === `+jsString(areaQuestion)+`);
  const out = {titles: [], table: {}};
  const fig = h && h.parentElement.querySelector("figure.geo-map");
  if (!fig) return out;
  out.titles = [...fig.querySelectorAll("svg[role=img] title")].map(t => t.textContent.trim());
  for (const r of fig.parentElement.querySelectorAll("figure.geo-map ~ .table-wrap tbody tr")) out.table[r.querySelector("th").textContent.trim()] = r.querySelector("td").textContent.trim();
  return out;
})()`)
	return d.Titles, d.Table
}
