package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestServicesStatisticsOnPhone: on a 375 px phone the analyst goes from
// the statistics dashboard to the services tab and finds each chart of the
// demo's year drawn, with its table and summary, none empty, the small
// counts of persons suppressed, and nothing wider than the screen.
func TestServicesStatisticsOnPhone(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	analyst := newBrowser(t, srv)
	l := srv.login(t, "analyst")
	wantStatus(t, analyst.signIn(l.Username, l.Password), 200)
	analyst.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	wantStatus(t, analyst.open("/statistics"), 200)
	wantStatus(t, analyst.click(`nav.tabs a[href^="/statistics/services"]`), 200)
	analyst.wantPath("/statistics/services")
	analyst.do(chromedp.WaitVisible(chromedp.CSS("#chart-placed svg")))
	for _, id := range []string{"placed", "triage", "followups", "sessions", "participants", "participants_group", "reach",
		"campaign_reports", "rounds", "responses"} {
		if n := eval[int](analyst, `document.querySelectorAll("#chart-`+id+` svg[role=img] rect, #table-`+id+`").length`); n < 2 {
			t.Errorf("chart %s: %d bars and tables", id, n)
		}
		if s := analyst.text("#chart-" + id + "-summary"); s == "" || s == "None in this year." {
			t.Errorf("chart %s: summary %q", id, s)
		}
	}
	if n := eval[int](analyst, `document.querySelectorAll("#chart-placed .badge, #chart-placed rect[stroke-dasharray]").length`); n == 0 {
		t.Error("the analyst sees no suppressed count of persons in the shelter")
	}
	noSideways(t, analyst, "services statistics")
	analyst.screenshot("services-phone")
}
