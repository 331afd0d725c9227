package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestProcurementCheckToReferral is the procurement half of issue 13's
// "done when", on both engines, as a new procurement officer would do it
// in Chromium: she records a cleaning contract and its supplier, rates it
// high risk on the six characteristics with a reason each, finds its award
// refused until the supply chain is recorded, adds the subcontractor and
// the site where its workers clean, and checks the site. The check finds
// workers without their own papers and with no day off; the check's page
// turns them into findings and offers one button that opens a screening
// with those answers filled in, from where she refers the worker she spoke
// to, with consent, to the protocol's NGO. The campaign half (a QR code
// scanned into the public form shows in the funnel) is
// TestCampaignQRIntoFunnel.
func TestProcurementCheckToReferral(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			var args []string
			if engine == storage.Postgres {
				args = append(args, "--database", storagetest.NewPostgresDatabase(t))
			}
			walkProcurement(t, startServerWith(t, "127.0.0.1:0", args...))
		})
	}
}

func walkProcurement(t *testing.T, srv *server) {
	b := newBrowser(t, srv)
	b.name = "procurement"
	b.signInNew("procurement")

	// The supplier and its subcontractor.
	supplier := func(name, country, statement string) string {
		t.Helper()
		wantStatus(t, b.open("/procurement/suppliers/new"), 200)
		b.fill("f-legal_name", name, "f-registry_number", "HRB "+country+"-4711", "f-country", country, "f-sector", "Office cleaning")
		b.do(chooseAction("f-statement", statement))
		wantStatus(t, b.click(`main form button[type=submit]`), 200)
		id := regexp.MustCompile(`^/procurement/suppliers/([0-9a-f-]{36})`).FindStringSubmatch(b.path())
		if id == nil {
			t.Fatalf("after recording supplier %s: at %s (%s)", name, b.path(), b.text("main"))
		}
		return id[1]
	}
	holder := supplier("Sparkle Facility Services", "DE", "no statement")
	sub := supplier("Quickclean Staffing", "RO", "no statement")

	// The contract, rated high risk.
	wantStatus(t, b.open("/procurement/contracts/new"), 200)
	b.fill("f-authority", "City of Riverton", "f-subject", "Cleaning of the town hall", "f-cpv", "90910000-9",
		"f-value", "480000", "f-currency", "EUR")
	b.do(chromedp.SetValue(chromedp.CSS(`#f-starts_on`), "2027-01-01"), chromedp.SetValue(chromedp.CSS(`#f-ends_on`), "2029-12-31"),
		chromedp.SetValue(chromedp.CSS(`#f-supplier_id`), holder))
	wantStatus(t, b.click(`#contract-submit`), 200)
	contract := regexp.MustCompile(`^/procurement/contracts/([0-9a-f-]{36})`).FindStringSubmatch(b.path())
	if contract == nil {
		t.Fatalf("after recording the contract: at %s (%s)", b.path(), b.text("main"))
	}
	contractPath := "/procurement/contracts/" + contract[1]
	wantStatus(t, b.click(`#contract-rate`), 200)
	characteristics := eval[[]string](b, `[...document.querySelectorAll('fieldset[id^="rate-"]')].map(f => f.id.slice(5))`)
	if len(characteristics) != 6 {
		t.Fatalf("the rating form asks %q, want the six characteristics of PPN 02/23", characteristics)
	}
	for _, c := range characteristics {
		level := "medium"
		if c == "industry" || c == "workforce" {
			level = "high"
		}
		b.do(chromedp.SetValue(chromedp.CSS(`[id="f-level_`+c+`"]`), level))
		writeIn(b, "f-reason_"+c, "Low-paid cleaning by agency workers, many of them migrants ("+c+").")
	}
	wantStatus(t, b.click(`#rating-submit`), 200)
	if got := b.text("#contract-risk"); !strings.EqualFold(got, "high") {
		t.Fatalf("contract risk = %q, want High", got)
	}
	// Not awarded before the supply chain is known: the page says what is missing.
	if n := len(b.texts("#missing li")); n == 0 {
		t.Fatal("a high-risk contract without its supply chain lists nothing missing")
	}
	wantStatus(t, b.click(`#contract-award`), 409)
	if got := b.text(".error-summary"); !strings.Contains(got, "site") {
		t.Errorf("the refused award says %q, want what is missing (the sites)", got)
	}
	if got := b.text("#contract-status"); !strings.EqualFold(got, "draft") {
		t.Fatalf("after a refused award the status is %q", got)
	}

	// The subcontractor and the site its workers clean.
	wantStatus(t, b.open(contractPath), 200)
	wantStatus(t, b.click(`#subcontract-new`), 200)
	b.do(chromedp.SetValue(chromedp.CSS(`#f-parent_id`), holder), chromedp.SetValue(chromedp.CSS(`#f-supplier_id`), sub))
	wantStatus(t, b.click(`#subcontract-add`), 200)
	if rows := b.texts("#chain-list tbody tr"); len(rows) != 2 || !strings.Contains(rows[1], "Quickclean Staffing") {
		t.Fatalf("chain = %q, want the holder and the subcontractor at tier 2", rows)
	}
	wantStatus(t, b.click(`#site-new`), 200)
	b.do(chromedp.SetValue(chromedp.CSS(`#f-supplier_id`), sub))
	b.fill("f-name", "Town hall", "f-address", "1 Main Square, Riverton", "f-country", "DE", "f-workers", "14",
		"f-migrant_share", "80", "f-agency_share", "100", "f-seasonal_share", "0", "f-labour_provider", "Quickclean Staffing")
	b.do(chromedp.SetValue(chromedp.CSS(`#f-type`), eval[string](b, `document.querySelector('#f-type option[value]:not([value=""])').value`)))
	wantStatus(t, b.click(`main form button[type=submit]`), 200)
	m := regexp.MustCompile(`^/procurement/sites/[0-9a-f-]{36}`).FindString(b.path())
	if m == "" {
		t.Fatalf("after adding the site: at %s (%s)", b.path(), b.text("main"))
	}
	site := m

	// The site check: papers kept, no day off.
	wantStatus(t, b.open(site+"/checks/new"), 200)
	b.fill("f-inspectors", "Procurement officer and a labour inspector", "f-organisation", "City of Riverton", "f-workers_present", "14")
	pick := func(name, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS(`input[name="`+name+`"][value="`+value+`"]`), chromedp.NodeVisible)
	}
	b.do(pick("announced", "unannounced"), pick("public_premises", "yes"), pick("documents_held", "yes"), pick("no_day_off", "yes"))
	if eval[int](b, `document.querySelectorAll("#f-workers_spoken").length`) == 0 {
		wantStatus(t, b.click(`button[name="forms:action"][value=refresh]`), 200)
	}
	b.fill("f-workers_spoken", "3")
	wantStatus(t, b.click(`#check-submit`), 200)
	if !regexp.MustCompile(`^/procurement/checks/[0-9a-f-]{36}`).MatchString(b.path()) {
		t.Fatalf("after recording the check: at %s (%s)", b.path(), b.text("main"))
	}
	findings := strings.ToLower(strings.Join(b.texts("#finding-list li"), "\n"))
	for _, want := range []string{"critical", "identity documents", "high", "no day off"} {
		if !strings.Contains(findings, want) {
			t.Errorf("the check's findings do not mention %q:\n%s", want, findings)
		}
	}

	// One click opens the screening with the check's answers filled in.
	wantStatus(t, b.click(`form[action$="/screening"] button[type=submit]`), 200)
	sm := regexp.MustCompile(`^/screenings/([0-9a-f-]+)/questions`).FindStringSubmatch(b.path())
	if sm == nil {
		t.Fatalf("after 'screen a worker': at %s, want the screening's questions", b.path())
	}
	screening := sm[1]
	if !eval[bool](b, `(() => { const i = document.querySelector('input[name="answers.core.documents_held"][value=yes]'); return !!i && i.checked; })()`) {
		t.Fatal("the screening does not carry 'documents held' from the check")
	}
	answerYes(b, greenhouseStory)
	b.do(chromedp.Click(chromedp.CSS(labelFor("f-answers.core.danger-no")), chromedp.NodeVisible))
	wantStatus(t, b.click(`button[name=go][value=finish]`), 200)
	finishScreening(t, b)
	b.wantPath("/screenings/" + screening)
	if h := b.texts("section.purpose h3"); len(h) == 0 || !strings.HasPrefix(h[0], "Forced labour") {
		t.Fatalf("outcomes = %q, want forced labour", h)
	}

	// The usual referral, with consent, to the protocol's NGO.
	wantStatus(t, b.click(`a.button[href="/screenings/`+screening+`/refer"]`), 200)
	receiver := eval[string](b, `(s => s.options[s.selectedIndex].text)(document.getElementById("f-to"))`)
	b.do(chromedp.Click(chromedp.CSS(labelFor("f-consent")), chromedp.NodeVisible))
	wantStatus(t, b.click(`form.referral button[type=submit]`), 200)
	b.wantPath("/referrals/")
	if got := b.text("#referral-status"); !strings.Contains(got, "Waiting for an answer") {
		t.Errorf("referral status = %q", got)
	}
	code := regexp.MustCompile(`WM-[A-Z0-9]{4}-[A-Z0-9]{4}`).FindString(b.text("h1"))

	// The hand-over: the receiving organisation finds the referral in its inbox.
	staff := map[string]string{"Safe Harbour NGO": "caseworker", "Riverton Police Contact Point": "police", "Riverton Social Services": "socialworker"}[receiver]
	if staff == "" || code == "" {
		t.Fatalf("referred to %q with code %q; no demo login of that organisation", receiver, code)
	}
	rx := b.incognito(staff)
	rx.signInNew(staff)
	wantStatus(t, rx.open("/referrals"), 200)
	if got := rx.text("main"); !strings.Contains(got, code) {
		t.Errorf("%s's referrals do not list %s from the procurement officer", receiver, code)
	}

	// The check records the screening it started; the officer sees no case.
	wantStatus(t, b.open(contractPath+"/checks"), 200)
	if got := b.text("#checks-screenings"); got != "1" {
		t.Errorf("the contract's checks count %q screenings started, want 1", got)
	}
	wantStatus(t, b.open("/cases"), 403)
	wantCleanConsole(b, 409, 403)
}
