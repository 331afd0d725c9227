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
