package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPreventionPagesOnPhone: on a 375 px phone, the coordinator reads the
// demo's outreach (table, bar chart and map), records nothing wrong
// without a message, sees the association's code of ethics and plans an
// inspection from the mapping's register; the police contact point opens
// the demo's piece of intelligence. No page scrolls sideways.
func TestPreventionPagesOnPhone(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)
	b.signInNew("coordinator")
	b.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	flat := func(page string) {
		t.Helper()
		b.checkTranslated()
		if l := eval[layout](b, layoutJS); l.ScrollWidth > l.InnerWidth {
			t.Errorf("%s scrolls sideways: %d px in %d px; too wide: %s", page, l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
		}
	}
	wantStatus(t, b.open("/outreach?per=quarter"), 200)
	flat("/outreach")
	if n := eval[int](b, `document.querySelectorAll("#outreach-chart rect").length`); n != 2 {
		t.Errorf("outreach chart: %d bars, want 2", n)
	}
	if eval[int](b, `document.querySelectorAll("#outreach-map-figure").length`) != 1 {
		t.Error("outreach has no map of the areas")
	}
	b.screenshot("outreach-phone")
	wantStatus(t, b.open("/outreach/new"), 200)
	flat("/outreach/new")
	wantStatus(t, b.click(`#outreach-session-submit`), 422)
	if !strings.Contains(b.text(".error-summary"), "Choose an area, a kind of place, or both.") {
		t.Errorf("outreach error summary: %q", b.text(".error-summary"))
	}
	wantStatus(t, b.open("/businesses"), 200)
	flat("/businesses")
	wantStatus(t, b.click(`#businesses a`), 200)
	if !strings.Contains(b.text("#business-commitments"), "code of ethics") {
		t.Errorf("association's commitments: %q", b.text("#business-commitments"))
	}
	flat("a business")
	wantStatus(t, b.open("/inspections/new"), 200)
	flat("/inspections/new")
	wantStatus(t, b.click(`#inspections-register a`), 200)
	if got := eval[string](b, `document.getElementById("f-location_type").value`); got == "" {
		t.Error("a register place did not fill in the kind of place")
	}
	b.screenshot("inspection-new-phone")

	police := b.incognito("police")
	police.signInNew("police")
	police.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	wantStatus(t, police.open("/intelligence"), 200)
	wantStatus(t, police.click(`#intelligence-inbox a`), 200)
	if !strings.Contains(police.text("#intelligence-text"), "Station Quarter") {
		t.Errorf("intelligence text: %q", police.text("#intelligence-text"))
	}
	if l := eval[layout](police, layoutJS); l.ScrollWidth > l.InnerWidth {
		t.Errorf("an intelligence entry scrolls sideways: %d px in %d px", l.ScrollWidth, l.InnerWidth)
	}
}
