package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRapporteurPresets: on a phone, the analyst reaches the rapporteur
// tables from the statistics tabs and opens Eurostat crim_thb for the year
// in one click, its small cells suppressed; the coordinator sees the SDG
// 16.2.2 rates over the demo's population, and a population of 0 is
// refused with its message next to the field.
func TestRapporteurPresets(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	year := strconv.Itoa(time.Now().Year())
	analyst := newBrowser(t, srv)
	l := srv.login(t, "analyst")
	wantStatus(t, analyst.signIn(l.Username, l.Password), 200)
	analyst.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	wantStatus(t, analyst.open("/statistics"), 200)
	wantStatus(t, analyst.click("#statistics-presets-tab"), 200)
	wantStatus(t, analyst.click(`#preset-crim_thb a[href="/statistics/presets/crim_thb?period=`+year+`"]`), 200)
	if n := eval[int](analyst, `document.querySelectorAll("#table-sex_age td[data-status=suppressed]").length`); n == 0 {
		t.Error("the sex × age table shows no suppressed cell")
	}
	if n := eval[int](analyst, `document.querySelectorAll("#table-legal_status_sex caption, #table-legal_status_sex th[scope=row]").length`); n < 3 {
		t.Errorf("the legal status table has %d caption and row headers", n)
	}
	noSideways(t, analyst, "crim_thb tables")
	analyst.screenshot("presets-crim-thb-phone")

	coord := analyst.incognito("coordinator")
	coord.signInNew("coordinator")
	wantStatus(t, coord.open("/statistics/presets/sdg_16_2_2?period="+year), 200)
	if s := coord.text("#area_sex-total-total"); !strings.Contains(s, "per 100,000") {
		t.Errorf("the city's cell says %q, want a rate", s)
	}
	wantStatus(t, coord.open("/statistics/population"), 200)
	coord.fill("f-year", year, "f-population", "0")
	wantStatus(t, coord.click("#population-submit"), 422)
	if s := coord.text("#population-form"); !strings.Contains(s, "A population must be more than 0.") {
		t.Errorf("the form says %q", s)
	}
	noSideways(t, coord, "population form")
}
