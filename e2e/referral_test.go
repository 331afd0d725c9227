package e2e

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// labelFor is the selector of the label wrapping the input with the given
// id; ids here contain dots, so they are matched as attributes.
func labelFor(id string) string { return fmt.Sprintf(`label:has([id=%q])`, id) }

// TestReferralToIdentification walks a screening to a referral and the
// first identification decision across three organisations: the demo
// coordinator sets the local protocol (adult labour exploitation goes to
// Safe Harbour NGO, the police contact point is the competent authority);
// the demo labour inspector screens a worker, gets reasonable grounds and
// refers with the person's consent — the protocol's organisation already
// chosen; the NGO's case worker finds the referral in the inbox, accepts
// it and records a positive reasonable-grounds decision, after which the
// referral reads "Possible victim of trafficking" for both organisations.
func TestReferralToIdentification(t *testing.T) {
	t.Parallel()
	srv := startServer(t)

	// The coordinator sets the local protocol.
	coord := newBrowser(t, srv)
	coord.signInNew("coordinator")
	wantStatus(t, coord.click(`nav a[href="/protocol"]`), 200)
	coord.wantPath("/protocol")
	coord.do(chromedp.WaitVisible(chromedp.CSS(`[id="f-route.labour.adult"]`)), chooseAction("f-route.labour.adult", "Safe Harbour NGO"))
	police := eval[string](coord, `(() => {
  const l = [...document.querySelectorAll("#f-authorities label")].find(l => l.textContent.includes("Riverton Police Contact Point"));
  return l ? l.querySelector("input").id : "";
})()`)
	if police == "" {
		t.Fatal("the protocol page offers no police contact point as competent authority")
	}
	// The demo protocol names the police already; a click would untick it.
	if !eval[bool](coord, `document.getElementById(`+strconv.Quote(police)+`).checked`) {
		coord.do(chromedp.Click(chromedp.CSS(labelFor(police)), chromedp.NodeVisible))
	}
	wantStatus(t, coord.click(`form[action="/protocol"] button[type=submit]`), 200)
	if got := coord.text(".notice"); got != "The local protocol was saved." {
		t.Fatalf("protocol notice = %q", got)
	}

	// The inspector screens: reasonable grounds for labour exploitation.
	insp := coord.incognito("inspector")
	insp.signInNew("inspector")
	wantStatus(t, insp.click(`nav a[href="/screenings"]`), 200)
	wantStatus(t, insp.click(`a.button[href="/screenings/new"]`), 200)
	id := startScreening(t, insp, "farm", "34", false)
	answerYes(insp, greenhouseStory)
	insp.do(chromedp.Click(chromedp.CSS(labelFor("f-answers.core.danger-no")), chromedp.NodeVisible))
	wantStatus(t, insp.click(`button[name=go][value=finish]`), 200)
	insp.wantPath("/screenings/" + id)
	if h := insp.texts("section.purpose h3"); len(h) == 0 || h[0] != "Forced labour: Reasonable grounds: refer now" {
		t.Fatalf("outcomes = %q, want reasonable grounds for forced labour", h)
	}

	// One action refers: the form has the purpose ticked and the
	// protocol's organisation chosen; it refuses to go without consent.
	wantStatus(t, insp.click(`a.button[href="/screenings/`+id+`/refer"]`), 200)
	if got := insp.text("h1"); got != "Refer the person" {
		t.Errorf("refer page heading = %q", got)
	}
	if !eval[bool](insp, `document.getElementById("f-purposes-labour").checked`) {
		t.Error("forced labour is not ticked")
	}
	if got := eval[string](insp, `(s => s.options[s.selectedIndex].text)(document.getElementById("f-to"))`); got != "Safe Harbour NGO" {
		t.Errorf("receiving organisation = %q, want the protocol's Safe Harbour NGO", got)
	}
	insp.do(typeText(chromedp.CSS(`#f-note`), "Speaks Romanian; call before visiting."))
	wantStatus(t, insp.click(`form.referral button[type=submit]`), 422)
	if got := insp.text(".error-summary"); !strings.Contains(got, "agreement") {
		t.Errorf("error summary = %q, want the missing consent", got)
	}
	insp.do(chromedp.Click(chromedp.CSS(labelFor("f-consent")), chromedp.NodeVisible))
	wantStatus(t, insp.click(`form.referral button[type=submit]`), 200)
	insp.wantPath("/referrals/")
	heading := insp.text("h1")
	code := regexp.MustCompile(`WM-[A-Z0-9]{4}-[A-Z0-9]{4}`).FindString(heading)
	if code == "" {
		t.Fatalf("referral heading = %q, want the person code", heading)
	}
	refPath := strings.TrimSuffix(insp.path(), "?created=1")
	if got := insp.text("#referral-status"); !strings.Contains(got, "Waiting for an answer") {
		t.Errorf("status = %q", got)
	}
	if strings.Contains(insp.text("main"), "Speaks Romanian") {
		t.Error("the referral page shows the note without the audited notes page")
	}

	// The NGO's case worker: inbox, accept, reasonable-grounds decision.
	cw := coord.incognito("caseworker")
	cw.signInNew("caseworker")
	wantStatus(t, cw.click(`nav a[href="/referrals"]`), 200)
	if rows := strings.Join(cw.texts("#received-table tbody tr"), "\n"); !strings.Contains(rows, code) || !strings.Contains(rows, "Regional Labour Inspectorate") {
		t.Fatalf("inbox:\n%s\nwant the referral %s from the inspectorate", rows, code)
	}
	wantStatus(t, cw.click(`#received-table a[href="`+refPath+`"]`), 200)
	wantStatus(t, cw.click(`button#accept`), 200)
	if got := cw.text("#referral-status"); !strings.Contains(got, "Accepted") {
		t.Errorf("status after accepting = %q", got)
	}
	cw.do(
		chromedp.Click(chromedp.CSS(labelFor("f-rg.outcome-positive")), chromedp.NodeVisible),
		typeText(chromedp.CSS(`[id="f-rg.grounds"]`), "Consistent account; passport held by the employer."),
	)
	wantStatus(t, cw.click(`form[action$="/decisions/grounds"] button[type=submit]`), 200)
	if got := cw.text("#htcds-status"); !strings.Contains(got, "Possible victim of trafficking") || !strings.Contains(got, "non-governmental organisation") {
		t.Errorf("HTCDS status = %q, want a possible victim decided by an NGO", got)
	}
	if rows := cw.texts("#decisions-table tbody tr"); len(rows) != 1 || !strings.Contains(rows[0], "Reasonable grounds") || !strings.Contains(rows[0], "caseworker") {
		t.Errorf("decisions = %q", rows)
	}
	// The NGO is no competent authority: no formal decision form for it.
	if n := eval[int](cw, `document.querySelectorAll('form[action$="/decisions/status"]').length`); n != 0 {
		t.Error("the NGO is offered the formal decision")
	}

	// It forwards the referral to the police for the formal decision,
	// the protocol's competent authority preselected.
	if got := eval[string](cw, `(s => s.options[s.selectedIndex].text)(document.getElementById("f-authority"))`); got != "Riverton Police Contact Point" {
		t.Errorf("forward to = %q, want the police", got)
	}
	wantStatus(t, cw.click(`button#forward`), 200)
	if got := cw.text("#forwards-list"); !strings.Contains(got, "To Riverton Police Contact Point, by caseworker") {
		t.Errorf("forwards = %q", got)
	}

	cw.screenshot("referral-decided")

	// The sender sees the status too.
	insp.open("/referrals")
	if rows := strings.Join(insp.texts("#sent-table tbody tr"), "\n"); !strings.Contains(rows, code) || !strings.Contains(rows, "Possible victim of trafficking") {
		t.Errorf("sent list:\n%s\nwant %s as a possible victim", rows, code)
	}
	for _, b := range []*browser{coord, insp, cw} {
		for _, p := range b.console.problems() {
			// The refused referral without consent answered 422 on purpose.
			if !strings.Contains(p.Text, "status of 422") {
				t.Errorf("%s console: %s", b.name, p)
			}
		}
	}
}
