package e2e

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// labourStory are the answers of a worker met at a workplace inspection: a
// kitchen job was promised with better pay, the hours are extreme for little
// money, the passport is held and a "travel debt" keeps growing. Together
// they give reasonable grounds for labour exploitation of an adult.
var labourStory = []string{
	"gen.deceived_job_nature", "gen.deceived_pay",
	"lab.excessive_hours", "lab.low_or_no_pay",
	"gen.documents_held", "gen.debt_bondage",
}

// radio selects the radio button of an indicator's answer. Indicator ids
// contain dots, so the selector matches attributes rather than an #id.
func radio(id, answer string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`input[type=radio][name="answers.%s"][value=%q]`, id, answer))
}

// TestScreeningOnPhone: the demo labour inspector (role screener) runs a
// screening on a 375 px phone: picks the setting and age, answers the
// immediate-danger question with the keyboard, taps through the pages
// answering the case's questions, finishes early, and sees reasonable
// grounds for labour exploitation with the disclaimer, the referral step and
// a printable summary without personal data.
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
	if n := eval[int](b, `document.querySelectorAll('form[action="/screenings"] input[type=text], form[action="/screenings"] textarea').length`); n != 0 {
		t.Errorf("the start form has %d free-text fields; a screening needs no name", n)
	}
	b.do(
		chromedp.Click(chromedp.CSS(`label:has(#f-setting-workplace_inspection)`), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(`[id="f-age.years"]`), "34"),
	)
	wantStatus(t, b.click(`form[action="/screenings"] button[type=submit]`), 200)
	b.wantPath("/screenings/")
	qpath := regexp.MustCompile(`^/screenings/([0-9a-f-]+)/questions\?page=1$`).FindStringSubmatch(b.path())
	if qpath == nil {
		t.Fatalf("after starting: at %s, want the first page of questions", b.path())
	}
	id := qpath[1]

	progress := regexp.MustCompile(`Page (\d+) of (\d+)`)
	m := progress.FindStringSubmatch(b.text("#progress"))
	if m == nil {
		t.Fatalf("progress reads %q", b.text("#progress"))
	}
	total, _ := strconv.Atoi(m[2])
	if total < 2 {
		t.Errorf("%d pages of questions, want several short pages", total)
	}
	first := eval[string](b, `document.querySelector("fieldset.question input[type=radio]").name`)
	if first != "answers.gen.immediate_danger" {
		t.Fatalf("first question is %s, want the immediate-danger question", first)
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
	b.do(chromedp.Focus(radio("gen.immediate_danger", "yes")), chromedp.KeyEvent(kb.ArrowRight))
	if got := eval[string](b, `document.querySelector('input[name="answers.gen.immediate_danger"]:checked')?.value || ""`); got != "no" {
		t.Fatalf("after the arrow key the danger answer is %q, want no", got)
	}

	answered := map[string]bool{}
	for page := 1; ; page++ {
		if page > total {
			t.Fatalf("walked past the last page (%d)", total)
		}
		if m := progress.FindStringSubmatch(b.text("#progress")); m == nil || m[1] != strconv.Itoa(page) {
			t.Fatalf("progress reads %q, want page %d", b.text("#progress"), page)
		}
		asked := eval[[]string](b, `[...document.querySelectorAll('fieldset.question input[type=radio][value=yes]')].map(i => i.name.slice(8))`)
		if len(asked) == 0 || len(asked) > 8 {
			t.Errorf("page %d asks %d questions, want 1 to 8", page, len(asked))
		}
		for _, q := range asked {
			if slices.Contains(labourStory, q) {
				b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`label:has(input[name="answers.%s"][value=yes])`, q)), chromedp.NodeVisible))
				answered[q] = true
			}
		}
		if len(answered) == len(labourStory) && page < total {
			// Everything the case needs is said: finish now, the rest is unknown.
			wantStatus(t, b.click(`button[name=go][value=finish]`), 200)
			break
		}
		res := b.click(`button[name=go][value=next]`)
		wantStatus(t, res, 200)
		if page == total {
			break
		}
	}
	b.wantPath("/screenings/" + id)
	if len(answered) != len(labourStory) {
		t.Errorf("answered %d of the %d questions of the case", len(answered), len(labourStory))
	}

	// The result: reasonable grounds for labour exploitation, explained,
	// with the disclaimer and the way to refer.
	b.viewportShot("result-phone")
	headings := b.texts("section.purpose h3")
	if len(headings) == 0 || headings[0] != "Labour exploitation: Reasonable grounds: refer now" {
		t.Errorf("outcomes = %q, want labour exploitation with reasonable grounds first", headings)
	}
	if got := b.text("#disclaimer"); !strings.HasPrefix(got, "This is a screening, not an identification.") {
		t.Errorf("disclaimer = %q", got)
	}
	dims := strings.Join(b.texts("section.outcome-reasonable_grounds ul.dimensions > li"), "\n")
	for _, want := range []string{"Deceptive recruitment", "Exploitative conditions", "Coercion at destination"} {
		if !strings.Contains(dims, want) {
			t.Errorf("positive dimensions lack %q:\n%s", want, dims)
		}
	}
	if n := eval[int](b, `document.querySelectorAll(".urgent-banner").length`); n != 0 {
		t.Errorf("%d urgent banners, want none: the danger question was answered no", n)
	}
	l = eval[layout](b, layoutJS)
	if l.ScrollWidth > l.InnerWidth {
		t.Errorf("result page scrolls sideways: %d px in %d px; too wide: %s", l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}
	wantStatus(t, b.click(`a.button[href="/screenings/`+id+`/refer"]`), 200)
	if got := b.text("h1"); got != "Refer the person" {
		t.Errorf("refer page heading = %q", got)
	}
	wantStatus(t, b.click(`a[href="/screenings/`+id+`"]`), 200)

	// The printable summary: the outcome and the disclaimer, no links to the
	// questions, and in print the page header (with the username) is gone.
	wantStatus(t, b.click(`a[href="/screenings/`+id+`/print"]`), 200)
	if got := b.text("h1"); got != "Screening summary" {
		t.Errorf("print heading = %q", got)
	}
	summary := b.text("article.print-summary")
	for _, want := range []string{"Labour exploitation: Reasonable grounds: refer now", "This is a screening, not an identification.", "no name"} {
		if !strings.Contains(summary, want) {
			t.Errorf("printed summary lacks %q", want)
		}
	}
	if strings.Contains(summary, "34") || strings.Contains(summary, "inspector") {
		t.Error("printed summary shows the age or the username")
	}
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	if got := eval[string](b, `getComputedStyle(document.querySelector("header.top")).display`); got != "none" {
		t.Errorf("in print the page header is %q, want hidden", got)
	}
	if got := eval[string](b, `getComputedStyle(document.querySelector(".screen-only")).display`); got != "none" {
		t.Errorf("in print the print button is %q, want hidden", got)
	}
	b.screenshot("print")

	// The list shows it with its outcome.
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}))
	b.open("/screenings")
	if rows := strings.Join(b.texts("table tbody tr"), "\n"); !strings.Contains(rows, "Reasonable grounds: refer now: Labour exploitation") {
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
	wantStatus(t, b.click(`a[href="/screenings/new?setting=workplace_inspection"]`), 200)
	if !eval[bool](b, `document.getElementById("f-setting-workplace_inspection").checked`) {
		t.Error("starting from the guide does not preselect the setting")
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
