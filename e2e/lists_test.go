package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCaseAreaAndListExportOnPhone: the demo's case worker, on a 375 px
// phone, filters the case list by a district, downloads the list as CSV
// from the link under the filter (the same cases, headings in words, no
// names), and places a case in another district from its page.
func TestCaseAreaAndListExportOnPhone(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	cw := newBrowser(t, srv)
	cw.name = "caseworker"
	cw.signInNew("caseworker")
	cw.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))

	wantStatus(t, cw.open("/cases"), 200)
	cw.choose("f-area", "Harbour")
	wantStatus(t, cw.click(`form.filters button[type=submit]`), 200)
	codes := cw.texts(`#case-list tbody td:first-child code`)
	if len(codes) == 0 {
		t.Fatalf("no demo case in Harbour")
	}
	fitsPhone(cw, "cases-by-area")
	href := eval[string](cw, `document.querySelector("#case-export a").getAttribute("href")`)
	if !strings.HasPrefix(href, "/cases.csv?") || !strings.Contains(href, "area=2") {
		t.Errorf("export link %q does not carry the area filter", href)
	}
	got := fetchIn(cw, `({url: document.querySelector("#case-export a").href, options: {}})`)
	lines := strings.Split(strings.TrimSpace(got.Body), "\n")
	if got.Status != 200 || !strings.HasPrefix(got.ContentType, "text/csv") || !strings.Contains(got.Disposition, "attachment") ||
		!strings.HasPrefix(lines[0], "Case code,") || len(lines) != len(codes)+1 {
		t.Fatalf("CSV: %d %s %s, %d lines for %d cases:\n%s", got.Status, got.ContentType, got.Disposition, len(lines), len(codes), got.Body)
	}
	for _, c := range codes {
		if !strings.Contains(got.Body, c) {
			t.Errorf("CSV lacks case %s", c)
		}
	}
	if strings.Contains(got.Body, "Example-") {
		t.Error("the CSV without personal data names a demo person")
	}

	wantStatus(t, cw.click(`#case-list tbody td:first-child a`), 200)
	if area := cw.text("#case-area"); area != "Harbour" {
		t.Errorf("case page names the area %q, want Harbour", area)
	}
	cw.choose("f-area", "Station Quarter")
	wantStatus(t, cw.click(`button#set-area`), 200)
	if area := cw.text("#case-area"); area != "Station Quarter" {
		t.Errorf("after saving, the case's area is %q", area)
	}
	fitsPhone(cw, "case-area")
	wantCleanConsole(cw)
}
