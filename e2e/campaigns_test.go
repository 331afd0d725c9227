package e2e

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"waymark.city/waymark/internal/campaigns"
)

// TestCampaignQRIntoFunnel: the coordinator opens the campaign form and the
// demo campaign on a phone; the poster's QR image is the QR code of the address printed beside
// it; a person who scans it lands on the public form with the code filled
// in and reports; the campaign's funnel then counts one more contact, for
// the poster.
func TestCampaignQRIntoFunnel(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)
	b.signInNew("coordinator")
	b.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	wantStatus(t, b.open("/campaigns/new"), 200)
	b.checkTranslated()
	if l := eval[layout](b, layoutJS); l.ScrollWidth > l.InnerWidth {
		t.Errorf("the campaign form scrolls sideways: %d px in %d px; too wide: %s", l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}
	b.screenshot("campaign-form-phone")
	wantStatus(t, b.open("/campaigns"), 200)
	wantStatus(t, b.click(`#campaign-list a`), 200)
	b.checkTranslated()
	if l := eval[layout](b, layoutJS); l.ScrollWidth > l.InnerWidth {
		t.Errorf("the campaign page scrolls sideways: %d px in %d px; too wide: %s", l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}
	b.screenshot("campaign-phone")
	contacts := func(sel string) int {
		n, err := strconv.Atoi(strings.TrimSpace(b.text(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return n
	}
	campaignPage := b.path()
	row := `#campaign-materials tbody tr:first-child`
	code := strings.TrimSpace(b.text(row + ` code`))
	printed := strings.TrimSpace(b.text(row + ` small`))
	before, beforePoster := contacts(`#funnel-contacts td`), contacts(row+` td:nth-of-type(3)`)

	// The image the browser shows is the symbol of the printed address.
	shown, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch(document.querySelector("`+row+` img").src).then(r => r.arrayBuffer()).then(b => {
		let s = ""; new Uint8Array(b).forEach(c => s += String.fromCharCode(c)); return btoa(s) })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch the QR image: %v", err)
	}
	png, err := base64.StdEncoding.DecodeString(shown)
	if err != nil {
		t.Fatal(err)
	}
	want, err := campaigns.QRImage(printed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(png, want) {
		t.Fatalf("the QR image is not the code of %q", printed)
	}
	target, err := url.Parse(printed)
	if err != nil || target.Query().Get("c") != code {
		t.Fatalf("printed address %q does not carry code %q", printed, code)
	}

	visitor := b.incognito("visitor")
	wantStatus(t, visitor.open(target.RequestURI()), 200)
	if got := eval[string](visitor, `document.getElementById("f-campaign_code").value`); got != code {
		t.Fatalf("the form's code is %q, want %q", got, code)
	}
	visitor.do(chromedp.Poll[chromedp.Void](`document.querySelector("input[name=nonce]").value !== ""`, chromedp.WithPollingTimeout(30*time.Second)))
	typeInto(visitor, "f-details", "Two cleaners at the station say the agency keeps their wages.")
	visitor.do(chromedp.Click(chromedp.ID("urgency-soon"), chromedp.NodeVisible))
	wantStatus(t, visitor.click(`#report-form button[type=submit]`), 200)
	if c := strings.TrimSpace(visitor.text("#receipt-code")); len(c) != 19 {
		t.Fatalf("receipt code %q", c)
	}

	wantStatus(t, b.open(campaignPage), 200)
	if after := contacts(`#funnel-contacts td`); after != before+1 {
		t.Errorf("contacts by code %d after the report, want %d", after, before+1)
	}
	if after := contacts(row + ` td:nth-of-type(3)`); after != beforePoster+1 {
		t.Errorf("the poster's contacts %d after the report, want %d", after, beforePoster+1)
	}
	if p := b.console.problems(); len(p) > 0 {
		t.Errorf("console problems: %v", p)
	}
}

// TestCampaignSurveyAndConsole: on a phone, the coordinator enters a
// survey response for the demo campaign from its page and finds it counted
// after launch; at the hotline console, a caller who names the demo's
// poster is logged by picking it from the running campaigns' list, and the
// call's page names the campaign and the material.
func TestCampaignSurveyAndConsole(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)
	b.signInNew("coordinator")
	b.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	wantStatus(t, b.open("/campaigns"), 200)
	wantStatus(t, b.click(`#campaign-list a`), 200)
	campaignPage := b.path()
	after := func() string { return strings.TrimSpace(b.text(`#campaign-survey thead th:nth-of-type(3) .hint`)) }
	before := after()
	wantStatus(t, b.click(`#campaign-survey-enter`), 200)
	b.checkTranslated()
	if l := eval[layout](b, layoutJS); l.ScrollWidth > l.InnerWidth {
		t.Errorf("the survey form scrolls sideways: %d px in %d px; too wide: %s", l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}
	b.screenshot("campaign-survey-phone")
	for _, answer := range []string{"saw_campaign][value=yes", "recognised][value=unsure", "knows_where][value=yes", "would_act][value=maybe"} {
		b.do(chromedp.Click(chromedp.CSS(`input[name=`+answer+`]`), chromedp.NodeVisible))
	}
	wantStatus(t, b.click(`#survey-submit`), 200)
	if notice := b.text(".notice"); !strings.Contains(notice, "The response was recorded.") {
		t.Fatalf("after recording a response: %q", notice)
	}
	wantStatus(t, b.open(campaignPage), 200)
	if got := after(); got == before {
		t.Errorf("responses after launch still %q", got)
	}

	wantStatus(t, b.open("/calls"), 200)
	b.do(chromedp.Click(chromedp.CSS(`input[name=caller_type][value=witness]`), chromedp.NodeVisible))
	b.choose("f-topic", "A suspicion of trafficking")
	picked := eval[string](b, `(() => { const s = document.getElementById("f-code_choice");
		const o = [...s.options].find(o => o.textContent.startsWith("Clean work, fair pay – Poster"));
		s.value = o.value; return o.value })()`)
	if len(picked) != campaigns.CodeLength {
		t.Fatalf("the console offers no poster of the demo campaign: %q", picked)
	}
	wantStatus(t, b.click(`#call-form button[type=submit]`), 200)
	if got := strings.TrimSpace(b.text("#heard")); !strings.Contains(got, picked) || !strings.Contains(got, "Clean work, fair pay") ||
		!strings.Contains(got, "Poster A3") {
		t.Errorf("the call's page says %q about how the caller heard of us", got)
	}
	if p := b.console.problems(); len(p) > 0 {
		t.Errorf("console problems: %v", p)
	}
}
