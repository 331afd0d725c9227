package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestReleaseToRapporteur is issue 14's "done when" for releases: the
// analyst opens the statistics, prepares the Eurostat crim_thb tables of
// the year for the national rapporteur with the small cells suppressed, a
// coordinator approves the release after its confirmation page, its
// SDMX-CSV and XLSX files download, and a second release to the same
// recipient for January to September — which with the year would narrow a
// suppressed cell to the last quarter's few persons — is refused, on a
// phone.
func TestReleaseToRapporteur(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	analyst := newBrowser(t, srv)
	l := srv.login(t, "analyst")
	wantStatus(t, analyst.signIn(l.Username, l.Password), 200)
	analyst.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	wantStatus(t, analyst.open("/statistics"), 200)
	analyst.do(chromedp.WaitVisible(chromedp.CSS(".statistics-chart svg")))
	wantStatus(t, analyst.click("#statistics-releases-tab"), 200)
	wantStatus(t, analyst.click("#release-new"), 200)
	year := strconv.Itoa(time.Now().Year())
	if got := eval[string](analyst, `document.getElementById("f-from").value + " " + document.getElementById("f-to").value`); got != year+"-01-01 "+year+"-12-31" {
		t.Fatalf("the form's period is %q, want the year %s", got, year)
	}
	noSideways(t, analyst, "release form")
	analyst.fill("f-recipient", "National rapporteur", "f-organisation", "Federal Ministry")
	wantStatus(t, analyst.click("#release-prepare"), 200)
	analyst.wantPath("/statistics/releases/")
	release := analyst.path()
	if s := analyst.text("#release-status"); s != "Waiting for approval" {
		t.Fatalf("release status %q", s)
	}
	if n := eval[int](analyst, `document.querySelectorAll("#rt-sex_age-table .badge").length`); n == 0 {
		t.Error("the sex × age table shows no suppressed cell")
	}
	if n := eval[int](analyst, `document.querySelectorAll("#release-approve, #download-sdmx").length`); n != 0 {
		t.Error("the analyst is offered approval or a download of an unapproved release")
	}
	noSideways(t, analyst, "release")
	analyst.screenshot("release-prepared-phone")
	if f := fetchIn(analyst, `({url: "`+release+`/sdmx", options: {}})`); f.Status != 409 {
		t.Errorf("unapproved SDMX-CSV: status %d", f.Status)
	}

	coord := analyst.incognito("coordinator")
	coord.signInNew("coordinator")
	wantStatus(t, coord.open(release), 200)
	wantStatus(t, coord.click("#release-approve"), 200)
	if !strings.Contains(coord.text("#confirm-what"), "National rapporteur") {
		t.Errorf("the confirmation says %q", coord.text("#confirm-what"))
	}
	wantStatus(t, coord.click("#confirm"), 200)
	if s := coord.text("#release-status"); s != "Approved" {
		t.Fatalf("after approval the status is %q", s)
	}

	wantStatus(t, analyst.open(release), 200)
	sdmx := fetchIn(analyst, `({url: document.getElementById("download-sdmx").href, options: {}})`)
	if sdmx.Status != 200 || !strings.HasPrefix(sdmx.ContentType, "application/vnd.sdmx.data+csv") ||
		!strings.HasPrefix(sdmx.Body, "STRUCTURE,STRUCTURE_ID,ACTION,") || !strings.Contains(sdmx.Body, ",O,C\n") ||
		!strings.Contains(sdmx.Disposition, ".sdmx.csv") {
		t.Errorf("SDMX-CSV: %d %s %s\n%s", sdmx.Status, sdmx.ContentType, sdmx.Disposition, sdmx.Body)
	}
	xlsx := fetchIn(analyst, `({url: document.getElementById("download-xlsx").href, options: {}})`)
	if xlsx.Status != 200 || !strings.Contains(xlsx.ContentType, "spreadsheetml") || !strings.HasPrefix(xlsx.Body, "PK") {
		t.Errorf("XLSX: %d %s", xlsx.Status, xlsx.ContentType)
	}

	wantStatus(t, analyst.open("/statistics/releases/new"), 200)
	analyst.do(chromedp.SetValue(chromedp.ID("f-to"), year+"-09-30"))
	analyst.fill("f-recipient", "National rapporteur", "f-organisation", "Federal Ministry")
	wantStatus(t, analyst.click("#release-prepare"), 409)
	if msg := analyst.text(".error-summary"); !strings.Contains(msg, "Refused, nothing was stored") || !strings.Contains(msg, "for "+year) {
		t.Errorf("the refusal says %q", msg)
	}
	analyst.screenshot("release-refused-phone")
	wantStatus(t, analyst.open("/statistics/releases"), 200)
	if n := len(analyst.texts("#release-list tbody tr")); n != 1 {
		t.Errorf("%d releases listed after the refusal, want 1", n)
	}
}

// noSideways fails when the page is wider than the phone.
func noSideways(t *testing.T, b *browser, what string) {
	t.Helper()
	if l := eval[layout](b, layoutJS); l.ScrollWidth > l.InnerWidth {
		t.Errorf("the %s scrolls sideways: %d px in %d px; too wide: %s", what, l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}
}
