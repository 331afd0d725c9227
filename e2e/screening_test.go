package e2e

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// greenhouseStory are the first-page answers of workers an inspector finds
// in a greenhouse: the employer keeps their passports and wages and
// threatens their families at home; how they were recruited nobody knows.
var greenhouseStory = []string{"core.does_work", "core.documents_held", "core.money_taken", "core.threats_violence"}

// radio selects the radio button of a question's answer. Question ids
// contain dots, so the selector matches attributes rather than an #id.
func radio(id, answer string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`input[type=radio][name="answers.%s"][value=%q]`, id, answer))
}

// startScreening opens a new screening in a setting with what is known of
// the age and returns its id, on the first page of questions.
func startScreening(t *testing.T, b *browser, setting, years string, childReasons bool) string {
	t.Helper()
	b.open("/screenings/new")
	if n := eval[int](b, `document.querySelectorAll('form[action="/screenings"] input[type=text], form[action="/screenings"] textarea').length`); n != 0 {
		t.Errorf("the start form has %d free-text fields; a screening needs no name", n)
	}
	b.do(chromedp.SetValue(chromedp.CSS(`#f-setting`), setting))
	if years != "" {
		b.do(typeText(chromedp.CSS(`[id="f-age.years"]`), years))
	}
	if childReasons {
		b.do(chromedp.Click(chromedp.CSS(labelFor("f-age.child_reasons")), chromedp.NodeVisible))
	}
	wantStatus(t, b.click(`form[action="/screenings"] button[type=submit]`), 200)
	m := regexp.MustCompile(`^/screenings/([0-9a-f-]+)/questions\?page=1$`).FindStringSubmatch(b.path())
	if m == nil {
		t.Fatalf("after starting: at %s, want the first page of questions", b.path())
	}
	return m[1]
}

// answerYes taps "yes" for each of ids the page asks and returns how many.
func answerYes(b *browser, ids []string) int {
	n := 0
	for _, q := range eval[[]string](b, `[...document.querySelectorAll('fieldset.question input[type=radio][value=yes]')].map(i => i.name.slice(8))`) {
		if slices.Contains(ids, q) {
			b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`label:has(input[name="answers.%s"][value=yes])`, q)), chromedp.NodeVisible))
			n++
		}
	}
	return n
}

// TestScreeningOnPhone walks the three screenings on a 375 px phone,
// as the demo labour inspector (role screener):
//   - greenhouse workers whose passports and wages the employer keeps and
//     whose families he threatens, recruitment unknown: reasonable grounds
//     for forced labour from the first page alone, then the referral;
//   - a woman who paid a driver to cross a border and now works legally:
//     no indication of trafficking, the smuggling named as a need;
//   - a 15-year-old made to pickpocket by an adult who keeps the money:
//     reasonable grounds, urgent, with the child-protection steps.
func TestScreeningOnPhone(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)
	b.signInNew("inspector")
	b.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))

	wantStatus(t, b.click(`nav a[href="/screenings"]`), 200)
	b.wantPath("/screenings")
	wantStatus(t, b.click(`a.button[href="/screenings/new"]`), 200)
	b.wantPath("/screenings/new")
	begun := time.Now()
	id := startScreening(t, b, "farm", "", false)

	progress := regexp.MustCompile(`Page (\d+)`)
	if m := progress.FindStringSubmatch(b.text("#progress")); m == nil || m[1] != "1" {
		t.Fatalf("progress reads %q", b.text("#progress"))
	}
	first := eval[string](b, `document.querySelector("fieldset.question input[type=radio]").name`)
	if first != "answers.core.danger" {
		t.Fatalf("first question is %s, want the immediate-danger question", first)
	}
	asked := eval[[]string](b, `[...document.querySelectorAll('fieldset.question input[type=radio][value=yes]')].map(i => i.name.slice(8))`)
	if len(asked) > 13 {
		t.Errorf("the first page asks %d questions, want the dozen core ones", len(asked))
	}
	l := eval[layout](b, layoutJS)
	b.viewportShot("questions-phone")
	if l.ScrollWidth > l.InnerWidth {
		t.Errorf("questions page scrolls sideways: %d px in %d px; too wide: %s", l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}
	// Touch targets: each answer is a whole label at least 44 px high.
	if h := eval[float64](b, `document.querySelector("fieldset.question label.choice").getBoundingClientRect().height`); h < 44 {
		t.Errorf("answer labels are %.0f px high, want at least 44", h)
	}
	// The danger question with the keyboard alone: focus "Yes", arrow to "No".
	b.do(chromedp.Focus(radio("core.danger", "yes")), chromedp.KeyEvent(kb.ArrowRight))
	if got := eval[string](b, `document.querySelector('input[name="answers.core.danger"]:checked')?.value || ""`); got != "no" {
		t.Fatalf("after the arrow key the danger answer is %q, want no", got)
	}
	if n := answerYes(b, greenhouseStory); n != len(greenhouseStory) {
		t.Fatalf("the first page asks %d of the story's %d questions", n, len(greenhouseStory))
	}
	b.do(chromedp.Click(chromedp.CSS(labelFor("f-answers.core.arranged_by_others-unknown")), chromedp.NodeVisible))
	wantStatus(t, b.click(`button[name=go][value=next]`), 200)
	// The follow-ups: the answers already give reasonable grounds, and
	// the page says so, so the inspector can finish and refer.
	if m := progress.FindStringSubmatch(b.text("#progress")); m == nil || m[1] != "2" {
		t.Fatalf("after the first page: progress %q, want page 2", b.text("#progress"))
	}
	if !strings.Contains(b.text("main"), "already give reasonable grounds") {
		t.Error("page 2 does not say reasonable grounds are already reached")
	}
	if n := len(eval[[]string](b, `[...document.querySelectorAll('fieldset.question')].map(f => f.id)`)); n > 6 {
		t.Errorf("a follow-up page asks %d questions, want at most 6", n)
	}
	wantStatus(t, b.click(`button[name=go][value=finish]`), 200)
	b.wantPath("/screenings/" + id)

	b.viewportShot("result-phone")
	if got := b.text("p.overall"); !strings.Contains(got, "Reasonable grounds: refer now") {
		t.Errorf("overall = %q", got)
	}
	headings := b.texts("section.purpose h3")
	if len(headings) == 0 || headings[0] != "Forced labour: Reasonable grounds: refer now" {
		t.Errorf("outcomes = %q, want forced labour with reasonable grounds first", headings)
	}
	elements := strings.Join(b.texts("section.outcome-reasonable_grounds ul.dimensions > li"), "\n")
	for _, want := range []string{"Act: present", "Someone else holds the passport or ID", "Means: present", "Threatened or hurt", "Purpose: present"} {
		if !strings.Contains(elements, want) {
			t.Errorf("the elements lack %q:\n%s", want, elements)
		}
	}
	if got := b.text("#disclaimer"); !strings.HasPrefix(got, "This is a screening, not an identification.") {
		t.Errorf("disclaimer = %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll(".urgent-banner, section.call-now").length`); n != 0 {
		t.Errorf("%d urgent banners or call-now lists, want none: an adult, the danger question answered no", n)
	}
	l = eval[layout](b, layoutJS)
	if l.ScrollWidth > l.InnerWidth {
		t.Errorf("result page scrolls sideways: %d px in %d px; too wide: %s", l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}
	// Refer: the purpose is ticked, consent recorded, sent.
	wantStatus(t, b.click(`a.button[href="/screenings/`+id+`/refer"]`), 200)
	if got := b.text("h1"); got != "Refer the person" {
		t.Errorf("refer page heading = %q", got)
	}
	if !eval[bool](b, `document.getElementById("f-purposes-labour").checked`) {
		t.Error("forced labour is not ticked")
	}
	if eval[string](b, `document.getElementById("f-to").value`) == "" {
		b.do(chromedp.SetValue(chromedp.CSS(`#f-to`), eval[string](b, `[...document.getElementById("f-to").options].find(o => o.text === "Safe Harbour NGO").value`)))
	}
	b.do(chromedp.Click(chromedp.CSS(labelFor("f-consent")), chromedp.NodeVisible))
	wantStatus(t, b.click(`form.referral button[type=submit]`), 200)
	b.wantPath("/referrals/")
	if code := regexp.MustCompile(`WM-[A-Z0-9]{4}-[A-Z0-9]{4}`).FindString(b.text("h1")); code == "" {
		t.Fatalf("referral heading = %q, want the person code", b.text("h1"))
	}
	// The issue asks for under five minutes for a person; the browser
	// needs seconds, so this guards against a flow that grew steps.
	if d := time.Since(begun); d > 2*time.Minute {
		t.Errorf("screening and referring took %s", d)
	}

	// The printable summary: the outcome and the disclaimer, no links to the
	// questions, and in print the page header (with the username) is gone.
	b.open("/screenings/" + id + "/print")
	if got := b.text("h1"); got != "Screening summary" {
		t.Errorf("print heading = %q", got)
	}
	summary := b.text("article.print-summary")
	for _, want := range []string{"Forced labour: Reasonable grounds: refer now", "This is a screening, not an identification.", "no name"} {
		if !strings.Contains(summary, want) {
			t.Errorf("printed summary lacks %q", want)
		}
	}
	if strings.Contains(summary, "inspector") {
		t.Error("printed summary shows the username")
	}
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	if got := eval[string](b, `getComputedStyle(document.querySelector("header.top")).display`); got != "none" {
		t.Errorf("in print the page header is %q, want hidden", got)
	}
	b.screenshot("print")
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}))

	// The woman who paid a driver to cross the border, works legally and
	// lives with her cousin: no indication, the smuggling named.
	smuggled := startScreening(t, b, "hotline_call", "29", false)
	answerYes(b, []string{"core.does_work", "core.arranged_by_others"})
	for _, q := range []string{"core.danger", "core.does_sex", "core.does_beg", "core.does_crime", "core.does_housework",
		"core.documents_held", "core.not_free", "core.money_taken", "core.debt", "core.threats_violence"} {
		b.do(chromedp.Click(chromedp.CSS(labelFor("f-answers."+q+"-no")), chromedp.NodeVisible))
	}
	wantStatus(t, b.click(`button[name=go][value=next]`), 200)
	// Every sign of coercion was denied: the follow-ups ask early what
	// protection she may need, within the three pages of a screening.
	found := answerYes(b, []string{"rec.smuggled"}) == 1
	if !found {
		wantStatus(t, b.click(`button[name=go][value=next]`), 200)
		found = answerYes(b, []string{"rec.smuggled"}) == 1
	}
	if !found {
		t.Fatal("the follow-up pages 2 and 3 do not ask about crossing the border")
	}
	wantStatus(t, b.click(`button[name=go][value=finish]`), 200)
	b.wantPath("/screenings/" + smuggled)
	if got := b.text("p.overall"); !strings.Contains(got, "No indication of trafficking") {
		t.Errorf("overall = %q, want no indication", got)
	}
	if got := b.text("#protection"); got == "" || !strings.Contains(b.text("main"), "smuggled") {
		t.Errorf("the result does not name the smuggling as a protection need")
	}
	if n := eval[int](b, `document.querySelectorAll('a.button[href$="/refer"]').length`); n != 0 {
		t.Error("a result with no indication offers a referral")
	}

	// The 15-year-old made to pickpocket by an adult who keeps the money.
	child := startScreening(t, b, "street", "15", false)
	answerYes(b, []string{"core.does_crime", "core.money_taken"})
	b.do(chromedp.Click(chromedp.CSS(labelFor("f-answers.core.danger-no")), chromedp.NodeVisible))
	wantStatus(t, b.click(`button[name=go][value=next]`), 200)
	for page := 2; page <= 4 && strings.Contains(b.path(), "/questions"); page++ {
		answerYes(b, []string{"crim.forced", "crim.directed"})
		wantStatus(t, b.click(`button[name=go][value=next]`), 200)
	}
	if strings.Contains(b.path(), "/questions") {
		wantStatus(t, b.click(`button[name=go][value=finish]`), 200)
	}
	b.wantPath("/screenings/" + child)
	if n := len(b.texts(".urgent-banner")); n == 0 {
		t.Error("a child made to steal is not urgent")
	}
	if got := b.text("#child-steps"); got == "" || !strings.Contains(b.text("main"), "child protection service") {
		t.Error("the child-protection steps are missing")
	}
	// Whom to call now, from the partner directory, with a phone link.
	if calls := strings.Join(b.texts("section.call-now li"), "\n"); !strings.Contains(calls, "Riverton Police Contact Point") ||
		eval[int](b, `document.querySelectorAll('section.call-now a[href^="tel:"]').length`) == 0 {
		t.Errorf("call now:\n%s\nwant the partners to call with their numbers", calls)
	}
	if h := b.texts("section.purpose h3"); len(h) == 0 || h[0] != "Forced criminality: Reasonable grounds: refer now" {
		t.Errorf("outcomes = %q, want forced criminality with reasonable grounds", h)
	}

	// In doubt: threats and extreme hours, nothing known of who holds the
	// worker: refer for specialist assessment.
	doubt := startScreening(t, b, "construction_site", "40", false)
	answerYes(b, []string{"core.does_work", "core.threats_violence"})
	b.do(chromedp.Click(chromedp.CSS(labelFor("f-answers.core.danger-no")), chromedp.NodeVisible))
	wantStatus(t, b.click(`button[name=go][value=next]`), 200)
	answerYes(b, []string{"work.excessive_hours"})
	wantStatus(t, b.click(`button[name=go][value=finish]`), 200)
	b.wantPath("/screenings/" + doubt)
	if got := b.text("p.overall"); !strings.Contains(got, "In doubt: refer for specialist assessment") {
		t.Fatalf("overall = %q, want doubt", got)
	}
	if n := len(b.texts("#deciding + ul li, section[aria-labelledby=deciding] li")); n == 0 || n > 5 {
		t.Errorf("%d deciding questions, want one to five", n)
	}
	wantStatus(t, b.click(`a.button[href="/screenings/`+doubt+`/refer"]`), 200)
	if eval[string](b, `document.getElementById("f-to").value`) == "" {
		b.do(chromedp.SetValue(chromedp.CSS(`#f-to`), eval[string](b, `[...document.getElementById("f-to").options].find(o => o.text === "Safe Harbour NGO").value`)))
	}
	b.do(chromedp.Click(chromedp.CSS(labelFor("f-consent")), chromedp.NodeVisible))
	wantStatus(t, b.click(`form.referral button[type=submit]`), 200)
	b.wantPath("/referrals/")
	if !strings.Contains(b.text("main"), "Specialist assessment") {
		t.Errorf("the referral does not say it is for a specialist assessment:\n%s", b.text("main"))
	}

	b.open("/screenings")
	if rows := strings.Join(b.texts("table tbody tr"), "\n"); !strings.Contains(rows, "Reasonable grounds: refer now: Forced labour") {
		t.Errorf("screening list:\n%s\nwant the screening with its outcome", rows)
	}
	for _, p := range b.console.problems() {
		t.Errorf("console: %s", p)
	}
}

// TestFieldGuide: the inspector finds what to look for on a construction
// site, the rights of presumed victims with their sources, and the local
// partners to call, and starts a screening from the guide.
func TestFieldGuide(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)
	b.signInNew("inspector")

	wantStatus(t, b.click(`nav a[href="/guide"]`), 200)
	wantStatus(t, b.click(`a[href="/guide/construction_site"]`), 200)
	if got := b.text("h1"); got != "Construction site" {
		t.Errorf("location heading = %q", got)
	}
	if n := len(b.texts("dl.guide-questions dt")); n == 0 {
		t.Error("the location lists no indicator questions")
	}
	wantStatus(t, b.click(`a[href="/screenings/new?setting=construction_site"]`), 200)
	if got := eval[string](b, `document.getElementById("f-setting").value`); got != "construction_site" {
		t.Errorf("starting from the guide preselects %q, want the place", got)
	}

	b.open("/guide/rights")
	text := b.text("main")
	for _, want := range []string{"reflection and recovery period", "112", "OSCE", "Danube", "Baltic"} {
		if !strings.Contains(text, want) {
			t.Errorf("rights page lacks %q", want)
		}
	}
	b.open("/guide/contacts")
	text = b.text("main")
	for _, want := range []string{"Hotline", "Helpline 0800", "Safe Harbour NGO", "Riverton Police Contact Point", "Riverton Social Services"} {
		if !strings.Contains(text, want) {
			t.Errorf("contacts page lacks %q", want)
		}
	}
}

// TestLocalSignInScreening: the coordinator adds a local sign for farms
// with its source; the inspector screening on a farm sees it on the first
// page, notes it, and finds it on the result, which it does not change.
func TestLocalSignInScreening(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	coord := newBrowser(t, srv)
	coord.signInNew("coordinator")
	coord.open("/guide/local")
	wantStatus(t, coord.click(`#new-sign`), 200)
	coord.fill("f-label_en", "Minibus with foreign plates at 5 a.m.", "f-citation", "Working group minutes 2026-11-12 §4")
	coord.do(typeText(chromedp.ID("f-reason"), "Seen at the greenhouses north of the river."), chromedp.SetValue(chromedp.ID("f-place"), "farm"))
	wantStatus(t, coord.click(`main form[action="/guide/local/signs"] button[type=submit]`), 200)
	if !strings.Contains(coord.path(), "done=saved") {
		t.Fatalf("after saving: at %s\n%s", coord.path(), coord.text("main"))
	}
	coord.open("/guide/local")
	if !strings.Contains(coord.text("main"), "Minibus with foreign plates at 5 a.m.") {
		t.Fatalf("the local guide does not list the new sign:\n%s", coord.text("main"))
	}

	insp := coord.incognito("inspector")
	insp.signInNew("inspector")
	id := startScreening(t, insp, "farm", "", false)
	box := eval[string](insp, `(() => { const l = [...document.querySelectorAll("fieldset.local-checks label")].find(l => l.textContent.includes("Minibus")); return l ? l.querySelector("input").id || l.querySelector("input").value : ""; })()`)
	if box == "" {
		t.Fatalf("the first page does not offer the local sign:\n%s", insp.text("main"))
	}
	insp.do(chromedp.Click(chromedp.CSS(`fieldset.local-checks label:has(input[value="`+box+`"])`), chromedp.NodeVisible))
	wantStatus(t, insp.click(`button[name=go][value=finish]`), 200)
	insp.wantPath("/screenings/" + id)
	if got := insp.text("#local-noted"); !strings.Contains(got, "Local signs noted") || !strings.Contains(insp.text("main"), "Minibus with foreign plates at 5 a.m.") {
		t.Errorf("the result does not show the noted local sign (%q)", got)
	}
	if got := insp.text("p.overall"); !strings.Contains(got, "No indication of trafficking") {
		t.Errorf("overall = %q: a local sign changed the result", got)
	}
}
