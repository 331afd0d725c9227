package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSiteCheckToScreening: the procurement officer opens the demo
// cleaning contract's site checks on a phone, finds the check of City
// Hall with its overdue corrective action, and presses "Screen a worker":
// the screening opens with the papers kept by someone else already
// answered yes and marked as pre-filled from the check; the officer
// confirms it with the person, finishes (the result counts the pre-fills
// still unconfirmed) and refers the person, and the check then says a
// screening was started.
func TestSiteCheckToScreening(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)
	b.signInNew("procurement")
	b.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	wantStatus(t, b.open("/procurement"), 200)
	contract := eval[string](b, `([...document.querySelectorAll("#contract-list a")].find(a => a.textContent.includes("City Hall")) || {}).pathname || ""`)
	if contract == "" {
		t.Fatal("the contract list has no City Hall cleaning contract")
	}
	wantStatus(t, b.open(contract), 200)
	wantStatus(t, b.click(`#contract-checks`), 200)
	b.checkTranslated()
	if got := strings.TrimSpace(b.text(`#checks-overdue`)); got != "1" {
		t.Errorf("overdue corrective actions on the contract's checks: %q, want 1", got)
	}
	wantStatus(t, b.click(`#checks-table a`), 200)
	b.checkTranslated()
	if l := eval[layout](b, layoutJS); l.ScrollWidth > l.InnerWidth {
		t.Errorf("the check page scrolls sideways: %d px in %d px; too wide: %s", l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}
	findings := b.text(`#finding-list`)
	for _, want := range []string{"Workers do not hold their own identity documents.", "Workers had no day off in the last seven days."} {
		if !strings.Contains(findings, want) {
			t.Errorf("the check's findings lack %q:\n%s", want, findings)
		}
	}
	if b.text(`#screening-not-started`) == "" {
		t.Error("the demo check should not have a screening yet")
	}
	b.screenshot("site-check-phone")
	check := b.path()

	// The check form fits the phone too.
	siteChecks := eval[string](b, `document.querySelector('a[href^="/procurement/sites/"]').pathname`)
	wantStatus(t, b.open(siteChecks), 200)
	wantStatus(t, b.click(`#check-start`), 200)
	b.checkTranslated()
	if l := eval[layout](b, layoutJS); l.ScrollWidth > l.InnerWidth {
		t.Errorf("the check form scrolls sideways: %d px in %d px; too wide: %s", l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}
	if got := b.text(`#form-choice`); !strings.Contains(got, "Riverton cleaning contractor check") {
		t.Errorf("the check form does not offer the city's own questionnaire: %q", got)
	}
	b.screenshot("site-check-form-phone")
	// So do the page correcting a check's answers and the questionnaires'
	// page with its import.
	for _, path := range []string{check + "/answers", "/procurement/check-forms"} {
		wantStatus(t, b.open(path), 200)
		b.checkTranslated()
		if l := eval[layout](b, layoutJS); l.ScrollWidth > l.InnerWidth {
			t.Errorf("%s scrolls sideways: %d px in %d px; too wide: %s", path, l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
		}
	}
	wantStatus(t, b.open(check), 200)
	wantStatus(t, b.click(`#check-screen`), 200)
	b.wantPath("/screenings/")
	if !eval[bool](b, `document.getElementById("f-answers.core.documents_held").checked`) {
		t.Error("the screening does not have the papers answered yes")
	}
	screening, _, _ := strings.Cut(b.path(), "/questions")
	// Each answer from the check says where it came from, to be confirmed.
	if got := b.text(`[id="answers.core.documents_held-prefill"]`); !strings.Contains(got, "Pre-filled from the site check on") {
		t.Errorf("the papers answer does not say it was pre-filled: %q", got)
	}
	b.screenshot("screening-prefilled-phone")

	// The officer asks the person: the papers are confirmed, the rest
	// answered; the officer finishes and refers.
	b.do(chromedp.Click(chromedp.CSS(labelFor("f-confirm-core.documents_held")), chromedp.NodeVisible))
	b.do(chromedp.Click(chromedp.CSS(labelFor("f-answers.core.danger-no")), chromedp.NodeVisible))
	// "Finish now" first shows the later pages holding pre-filled answers
	// not yet confirmed, saying why.
	wantStatus(t, b.click(`button[name=go][value=finish]`), 200)
	if !strings.Contains(b.text(`#prefill-unseen`), "Before you finish") {
		t.Error("finish now did not show the later page with pre-filled answers first")
	}
	finishScreening(t, b)
	b.wantPath(screening)
	// The pre-fills not confirmed are counted, the confirmed one is not.
	warning := b.text(`#prefill-warning`)
	if !strings.Contains(warning, "still pre-fill") || strings.Contains(warning, "passport or ID") {
		t.Errorf("the result's warning about unconfirmed pre-fills: %q", warning)
	}
	b.screenshot("screening-result")
	wantStatus(t, b.click(`a.button[href="`+screening+`/refer"]`), 200)
	if b.text(`#referral-prefill-warning`) == "" {
		t.Error("the referral form does not warn of the unconfirmed pre-fills")
	}
	b.do(chromedp.Click(chromedp.CSS(labelFor("f-consent")), chromedp.NodeVisible))
	wantStatus(t, b.click(`form.referral button[type=submit]`), 200)
	b.wantPath("/referrals/")

	wantStatus(t, b.open(check), 200)
	if got := b.text(`#screening-started`); !strings.Contains(got, "1 screening started") {
		t.Errorf("the check says %q, want one screening started", got)
	}
}

// finishScreening presses "Finish now" until the screening's result: with
// pre-filled answers not yet confirmed it stops first on each later page
// that holds them (ui/screening_questions.go, unseenPrefillPage); the last
// page has "Save and finish" instead.
func finishScreening(t *testing.T, b *browser) {
	t.Helper()
	for range 10 {
		if !strings.Contains(b.path(), "/questions") {
			return
		}
		button := `button[name=go][value=finish]`
		if !eval[bool](b, `!!document.querySelector('button[name=go][value=finish]')`) {
			button = `button[name=go][value=next]`
		}
		wantStatus(t, b.click(button), 200)
	}
	t.Fatalf("still at %s after finishing ten times", b.path())
}
