package e2e

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// fitsPhone checks the page in b (already at 375 px) shows no sideways
// scrolling, and saves what the person sees.
func fitsPhone(b *browser, name string) {
	b.t.Helper()
	l := eval[layout](b, layoutJS)
	b.viewportShot("phone-" + name)
	if l.InnerWidth != 375 {
		b.t.Errorf("%s: viewport is %d px wide, want 375", name, l.InnerWidth)
	}
	if l.ScrollWidth > l.InnerWidth {
		b.t.Errorf("%s (%s): page scrolls sideways: %d px content in %d px; too wide: %s",
			name, b.path(), l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}
}

// caseTabTexts are the labels of the case's tabs.
func caseTabTexts(b *browser) []string {
	b.t.Helper()
	return b.texts(`header.case-head nav.tabs a`)
}

// wantCleanConsole fails on every console warning or error of b, except a
// failed load of a document answered with one of the expected statuses (a
// refused form or a refused page, which are the intended answers).
func wantCleanConsole(b *browser, expected ...int) {
	b.t.Helper()
	for _, p := range b.console.problems() {
		ok := false
		for _, s := range expected {
			if p.Source == "network" && strings.Contains(p.Text, fmt.Sprintf("status of %d", s)) {
				ok = true
			}
		}
		if !ok {
			b.t.Errorf("%s console: %s", b.name, p)
		}
	}
}

// caseIDPath matches the path of a case page and keeps its id.
var caseIDPath = regexp.MustCompile(`^/cases/([0-9a-f-]{36})(/|$|\?)`)

// TestCaseWorkerOnPhoneSharesWithPolice: the Safe Harbour case worker, on a
// 375 px phone, lists the cases (codes only, no names), opens a case for a
// person who came in — a birth date in the future is refused with an
// accessible error and creates nothing — moves it from first contact to
// screening (the form offers only the lifecycle's next stages; a forged
// move is refused), records the person's consent to share crisis-unit data
// with the police contact point, adds a note (its text only on the audited
// notes view) and offers the case to the police. The police contact, in a
// browser of their own, accepts the offer and sees only the shared parts:
// no notes, no identity, and a refusal when asking for the notes directly.
func TestCaseWorkerOnPhoneSharesWithPolice(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	cw := newBrowser(t, srv)
	cw.name = "caseworker"
	cw.signInNew("caseworker")
	cw.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))

	// The case list: the demo cases by code, never by name.
	wantStatus(t, cw.click(`nav a[href="/cases"]`), 200)
	cw.wantPath("/cases")
	codeRE := regexp.MustCompile(`^C-[A-Z0-9]{4}-[A-Z0-9]{4}$`)
	codes := cw.texts(`#case-list tbody td:first-child code`)
	if len(codes) < 4 {
		t.Fatalf("case list shows %d case codes, want the demo cases: %q", len(codes), codes)
	}
	for _, c := range codes {
		if !codeRE.MatchString(c) {
			t.Errorf("case list shows %q, want case codes like C-XXXX-XXXX", c)
		}
	}
	if list := cw.text("main"); strings.Contains(list, "Example-") || strings.Contains(list, "Demo Example") {
		t.Error("the case list shows names of demo people")
	}
	fitsPhone(cw, "cases")
	before := len(codes)

	// Open a case: a birth date in the future is refused.
	wantStatus(t, cw.click(`a#new-case`), 200)
	cw.wantPath("/cases/new")
	fitsPhone(cw, "new-case")
	const given, family = "Testa", "Zarnescu"
	future := time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly)
	cw.fill("f-given_names", given, "f-family_name", family, "f-citizenships", "RO", "f-languages", "ro")
	cw.do(chromedp.SetValue(chromedp.ID("f-birth_date"), future))
	cw.choose("f-gender", "Feminine")
	cw.do(chromedp.Click(chromedp.CSS(`label:has(#f-exploitation-sexual)`), chromedp.NodeVisible))
	res := cw.click(`button#open-case`)
	wantStatus(t, res, 422)
	cw.wantPath("/cases")
	summary := errorSummary(cw)
	if len(summary) != 1 || summary[0].Href != "#f-birth_date" || summary[0].Text != "The date of birth cannot be in the future." {
		t.Errorf("error summary = %+v, want only the future birth date, linked to its field", summary)
	}
	if got := eval[string](cw, `document.activeElement.className`); got != "error-summary" {
		t.Errorf("focus is on %q, want the error summary", got)
	}
	st := fieldStates(cw, "f-birth_date", "f-given_names", "f-family_name", "f-gender")
	if s := st["f-birth_date"]; s.Invalid != "true" || !strings.Contains(s.DescribedBy, "f-birth_date-error") || !strings.Contains(s.Described, "cannot be in the future") {
		t.Errorf("birth date field = %+v, want invalid and described by its error", s)
	}
	if st["f-given_names"].Value != given || st["f-family_name"].Value != family || st["f-gender"].Value != "feminine" || st["f-birth_date"].Value != future {
		t.Errorf("typed values were lost: %+v", st)
	}
	for _, id := range []string{"f-given_names", "f-family_name", "f-gender"} {
		if st[id].Invalid != "" {
			t.Errorf("%s is marked invalid, but it was right", id)
		}
	}
	if !eval[bool](cw, `document.getElementById("f-exploitation-sexual").checked`) {
		t.Error("the ticked form of exploitation was lost")
	}
	cw.do(chromedp.Click(chromedp.CSS(`.error-summary a[href="#f-birth_date"]`), chromedp.NodeVisible))
	if got := eval[string](cw, `document.activeElement.id`); got != "f-birth_date" {
		t.Errorf("after following the summary link, focus is on %q", got)
	}
	fitsPhone(cw, "new-case-error")
	cw.open("/cases")
	if n := len(cw.texts(`#case-list tbody td:first-child code`)); n != before {
		t.Fatalf("after the refused form the list has %d cases, want %d: nothing may be created", n, before)
	}

	// Fixed, the case opens.
	wantStatus(t, cw.click(`a#new-case`), 200)
	cw.fill("f-given_names", given, "f-family_name", family, "f-citizenships", "RO", "f-languages", "ro")
	cw.do(chromedp.SetValue(chromedp.ID("f-birth_date"), "1999-05-20"))
	cw.choose("f-gender", "Feminine")
	cw.do(chromedp.Click(chromedp.CSS(`label:has(#f-exploitation-sexual)`), chromedp.NodeVisible))
	wantStatus(t, cw.click(`button#open-case`), 200)
	m := caseIDPath.FindStringSubmatch(cw.path())
	if m == nil {
		t.Fatalf("after opening the case: at %s, want the case page", cw.path())
	}
	caseURL := "/cases/" + m[1]
	code := cw.text("#case-code")
	if !codeRE.MatchString(code) {
		t.Fatalf("case code = %q", code)
	}
	if got := cw.text("h1"); got != "Case "+code {
		t.Errorf("case heading = %q", got)
	}
	if got := cw.text("#case-stage"); got != "First contact" {
		t.Errorf("a new case is at %q, want First contact", got)
	}
	if main := cw.text("main"); strings.Contains(main, given) || strings.Contains(main, family) || strings.Contains(main, "1999-05-20") {
		t.Error("the case page shows the person's identity without step-up")
	}
	fitsPhone(cw, "case")

	// The stage form offers only the moves the lifecycle allows.
	nextStages := func() []string {
		return eval[[]string](cw, `[...document.querySelectorAll("#f-stage option")].filter(o => o.value).map(o => o.value)`)
	}
	if got, want := nextStages(), []string{"screening", "crisis_intervention", "closed"}; !slices.Equal(got, want) {
		t.Errorf("from first contact the form offers %q, want %q", got, want)
	}
	cw.choose("f-stage", "Screening")
	wantStatus(t, cw.click(`button#move`), 200)
	cw.wantPath(caseURL)
	if got := cw.text("#case-stage"); got != "Screening" {
		t.Errorf("after the move the case is at %q, want Screening", got)
	}
	history := eval[[][]string](cw, `[...document.querySelectorAll("#stage-history tbody tr")].map(r => [...r.cells].map(c => c.innerText.trim()))`)
	moved := slices.ContainsFunc(history, func(r []string) bool {
		return len(r) == 5 && r[1] == "First contact" && r[2] == "Screening" && r[4] == "caseworker"
	})
	if !moved {
		t.Errorf("stage history %q lacks the move First contact → Screening by caseworker", history)
	}
	if got, want := nextStages(), []string{"reasonable_grounds", "crisis_intervention", "closed"}; !slices.Equal(got, want) {
		t.Errorf("from screening the form offers %q, want %q", got, want)
	}
	// A move the lifecycle forbids, forged into the form, is refused and changes nothing.
	cw.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("f-stage"); s.add(new Option("Inclusion", "inclusion")); s.value = "inclusion"; })()`))
	wantStatus(t, cw.click(`button#move`), 409)
	if got := cw.text(".error-summary"); !strings.Contains(got, "The lifecycle does not allow this move") {
		t.Errorf("error summary = %q, want the lifecycle's refusal", got)
	}
	if got := cw.text("#case-stage"); got != "Screening" {
		t.Errorf("after a refused move the case is at %q, want Screening", got)
	}
	fitsPhone(cw, "case-moved")

	// Consent: case management and sharing crisis-unit data with the police.
	wantStatus(t, cw.click(`nav.tabs a[href="`+caseURL+`/consent"]`), 200)
	cw.wantPath(caseURL + "/consent")
	policeOrg := srv.login(t, "police").Org
	orgBox := eval[string](cw, fmt.Sprintf(`(() => {
  const l = [...document.querySelectorAll("#f-orgs label")].find(l => l.textContent.trim() === %s);
  return l ? l.querySelector("input").id : "";
})()`, jsString(policeOrg)))
	if orgBox == "" {
		t.Fatalf("the consent form offers no organisation %q", policeOrg)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	cw.do(
		chromedp.Click(chromedp.CSS(labelFor("f-purposes-case_management")), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(labelFor("f-purposes-sharing")), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(labelFor(orgBox)), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(labelFor("f-categories-crisis_unit")), chromedp.NodeVisible),
	)
	cw.fill("f-language", "ro")
	cw.choose("f-method", "In writing")
	cw.choose("f-given_by", "The person")
	cw.do(chromedp.SetValue(chromedp.ID("f-given_on"), today))
	fitsPhone(cw, "consent-form")
	wantStatus(t, cw.click(`button#record-consent`), 200)
	cw.wantPath(caseURL + "/consent")
	consent := cw.text("article.consent")
	for _, want := range []string{"current", "Keeping the case and assisting the person", "Sharing with the organisations named",
		policeOrg, "Crisis unit (conferences, tasks)", "In writing", "The person", "ro"} {
		if !strings.Contains(consent, want) {
			t.Errorf("consent record %q lacks %q", consent, want)
		}
	}
	fitsPhone(cw, "consent")

	// A note: its text only on the audited notes view.
	const note = "Prefers meetings at the shelter office on weekday mornings."
	wantStatus(t, cw.click(`nav.tabs a[href="`+caseURL+`/timeline"]`), 200)
	cw.wantPath(caseURL + "/timeline")
	// Not fill: chromedp's Clear fails on an empty textarea ("does not have child #text node").
	cw.do(chromedp.WaitVisible(chromedp.ID("f-note")), typeText(chromedp.ID("f-note"), note))
	wantStatus(t, cw.click(`button#add-note`), 200)
	cw.wantPath(caseURL + "/notes")
	if got := cw.text("#timeline"); !strings.Contains(got, note) {
		t.Errorf("the notes view %q lacks the note", got)
	}
	fitsPhone(cw, "notes")
	cw.open(caseURL + "/timeline")
	timeline := cw.text("#timeline")
	if strings.Contains(cw.text("main"), note) {
		t.Error("the timeline shows the note's text without the audited notes view")
	}
	if !strings.Contains(timeline, "(note, hidden)") {
		t.Errorf("timeline %q does not show that a hidden note exists", timeline)
	}
	fitsPhone(cw, "timeline")

	// Offer the case to the police: crisis-unit data only.
	wantStatus(t, cw.click(`nav.tabs a[href="`+caseURL+`/sharing"]`), 200)
	cw.wantPath(caseURL + "/sharing")
	if n := eval[int](cw, `document.querySelectorAll("#sharing-no-consent").length`); n != 0 {
		t.Error("the sharing page says there is no consent, after it was recorded")
	}
	orgs := eval[[]string](cw, `[...document.querySelectorAll("#f-to option")].filter(o => o.value).map(o => o.textContent.trim())`)
	if !slices.Equal(orgs, []string{policeOrg}) {
		t.Errorf("the sharing form offers %q, want only the organisation the consent names (%s)", orgs, policeOrg)
	}
	cw.choose("f-to", policeOrg)
	cw.do(chromedp.Click(chromedp.CSS(labelFor("f-categories-crisis_unit")), chromedp.NodeVisible))
	fitsPhone(cw, "sharing-form")
	wantStatus(t, cw.click(`button#share`), 200)
	cw.wantPath(caseURL + "/sharing")
	rows := cw.texts("#shares tbody tr")
	if len(rows) != 1 || !strings.Contains(rows[0], policeOrg) || !strings.Contains(rows[0], "Share (they may read)") ||
		!strings.Contains(rows[0], "Crisis unit (conferences, tasks)") || !strings.Contains(rows[0], "Waiting for an answer") {
		t.Errorf("shares = %q, want one share with the police waiting for an answer", rows)
	}
	fitsPhone(cw, "sharing")

	// The police contact point accepts the offer.
	pol := cw.incognito("police")
	pol.signInNew("police")
	pol.open("/cases")
	wantStatus(t, pol.click(`a#offered-cases`), 200)
	pol.wantPath("/shares")
	shareID := eval[string](pol, fmt.Sprintf(`(() => {
  const a = [...document.querySelectorAll("article.card")].find(a => a.querySelector("h2 code")?.textContent.trim() === %s);
  const b = a && a.querySelector("button[id^=accept-]");
  return b ? b.id : "";
})()`, jsString(code)))
	if shareID == "" {
		t.Fatalf("the police's offered cases %q lack a pending offer of %s", pol.texts("article.card h2"), code)
	}
	offer := pol.text("#" + strings.Replace(shareID, "accept-", "share-", 1))
	if !strings.Contains(offer, "Safe Harbour NGO") || !strings.Contains(offer, "Crisis unit (conferences, tasks)") {
		t.Errorf("offer reads %q, want it from Safe Harbour NGO with crisis-unit data", offer)
	}
	// Accepting leads to the case.
	wantStatus(t, pol.click("button#"+shareID), 200)
	pol.wantPath(caseURL)
	if got := pol.text("#case-code"); got != code {
		t.Fatalf("the police opened %q, want %s", got, code)
	}
	// The timeline lists only the events of the parts they were given.
	if tabs, want := caseTabTexts(pol), []string{"Overview", "Consent", "Crisis unit", "Timeline"}; !slices.Equal(tabs, want) {
		t.Errorf("the police see the tabs %q, want %q", tabs, want)
	}
	if got := pol.text("header.case-head"); !strings.Contains(got, "Safe Harbour NGO") {
		t.Errorf("case header %q does not say who shared it", got)
	}
	if n := eval[int](pol, `document.querySelectorAll("#reveal, #stage-form, a[href$='/notes'], #case-risk, #reflection-notice").length`); n != 0 {
		t.Errorf("the police see %d links or forms to identity, stage or notes, or the risk or reflection period they were not given", n)
	}
	if main := pol.text("main"); strings.Contains(main, given) || strings.Contains(main, family) || strings.Contains(main, note) {
		t.Error("the police see the person's name or the note")
	}
	pol.screenshot("police-case")
	// Asking for the notes or the identity directly is refused.
	for _, part := range []string{"/notes", "/person"} {
		res = pol.open(caseURL + part)
		wantStatus(t, res, 403)
		if got := pol.text("main"); !strings.Contains(got, "This part of the case was not shared with your organisation.") || strings.Contains(got, note) || strings.Contains(got, family) {
			t.Errorf("the police asking for %s see %q, want the not-shared refusal", part, got)
		}
	}
	pol.open("/cases")
	if codes := pol.texts(`#case-list tbody td:first-child code`); !slices.Contains(codes, code) {
		t.Errorf("the police's case list %q lacks the accepted case %s", codes, code)
	}
	// The demo case shared with them has a high risk level; risk was not shared.
	if n := eval[int](pol, `document.querySelectorAll("#case-list [class*='risk-']").length`); n != 0 {
		t.Errorf("the police's case list shows %d risk levels of cases whose risk was not shared", n)
	}
	// Their accepted share is listed as such for the NGO.
	cw.open(caseURL + "/sharing")
	if rows := cw.texts("#shares tbody tr"); len(rows) != 1 || !strings.Contains(rows[0], "Accepted") {
		t.Errorf("after the police accepted, shares = %q", rows)
	}

	wantCleanConsole(cw, 422, 409)
	wantCleanConsole(pol, 403)
}

// TestCaseIdentityAfterStepUp: the case worker asks to see who the person
// of a demo case is, confirms password and a recovery code, sees the name
// with the notice that the look is recorded; the coordinator finds the
// look in the audit log, without the name.
func TestCaseIdentityAfterStepUp(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	cw := newBrowser(t, srv)
	cw.name = "caseworker"
	l := srv.login(t, "caseworker")
	enrolled := cw.signInNew(l.Username)

	// The demo woman in her reflection period (Demo Example-One).
	cw.open("/cases")
	href := eval[string](cw, `(() => {
  const r = [...document.querySelectorAll("#case-list tbody tr")].find(r => r.cells[1]?.innerText.trim() === "Reflection and recovery period");
  return r ? r.querySelector("a").getAttribute("href") : "";
})()`)
	if href == "" {
		t.Fatal("no demo case in the reflection and recovery period")
	}
	wantStatus(t, cw.open(href), 200)
	if strings.Contains(cw.text("main"), "Example-One") {
		t.Fatal("the case page shows the name before step-up")
	}
	if got := cw.text("#reveal"); got != "Show who the person is" {
		t.Errorf("reveal link reads %q", got)
	}
	wantStatus(t, cw.click("a#reveal"), 200)
	cw.wantPath("/stepup")
	if got, want := cw.path(), "/stepup?next="+strings.ReplaceAll(href+"/person", "/", "%2F"); got != want {
		t.Errorf("step-up at %s, want %s", got, want)
	}
	if got := cw.text("h1"); got != "Confirm it is you" {
		t.Errorf("step-up heading = %q", got)
	}
	// The enrolment used this 30-second step's code, and a code works
	// once, so the confirmation uses a recovery code.
	cw.fill("f-password", l.Password, "f-code", enrolled.RecoveryCodes[0])
	wantStatus(t, cw.click(`form[action="/stepup"] button[type=submit]`), 200)
	cw.wantPath(href + "/person")
	if got := cw.text("#person-name"); got != "Demo Example-One" {
		t.Errorf("the person's name reads %q, want Demo Example-One", got)
	}
	if got := cw.text("main .notice"); !strings.Contains(got, "This look is recorded in the audit log.") {
		t.Errorf("notice = %q, want it to say the look is recorded", got)
	}
	if got := cw.text("#identity"); !strings.Contains(got, "1998-03-14") || !strings.Contains(got, "Via the shelter office only") {
		t.Errorf("identity = %q, want the birth date and the safe contact", got)
	}

	coord := cw.incognito("coordinator")
	coord.signInNew("coordinator")
	coord.open("/audit?action=case.reveal_identity")
	if actions := coord.texts("#audit-table tbody td:nth-child(3)"); len(actions) != 1 || actions[0] != "case.reveal_identity" {
		t.Errorf("audit log for case.reveal_identity = %q, want one entry", actions)
	}
	if row := coord.text("#audit-table tbody tr"); !strings.Contains(row, "caseworker") {
		t.Errorf("audit entry %q does not name who looked", row)
	}
	if body := coord.text("main"); strings.Contains(body, "Example-One") || strings.Contains(body, "1998-03-14") {
		t.Error("the audit log shows the revealed identity")
	}

	wantCleanConsole(cw)
	wantCleanConsole(coord)
}

// TestCasePagesGermanAndKeyboard: on a case page the language switcher
// turns the case's header, tabs and stage German with no untranslated key;
// the case tabs are reached with Tab in order, the current one marked
// aria-current="page", and Enter on a tab opens it.
func TestCasePagesGermanAndKeyboard(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)
	b.name = "caseworker"
	b.signInNew("caseworker")

	b.open("/cases")
	href := eval[string](b, `(() => {
  const r = [...document.querySelectorAll("#case-list tbody tr")].find(r => r.cells[1]?.innerText.trim() === "Reflection and recovery period");
  return r ? r.querySelector("a").getAttribute("href") : "";
})()`)
	if href == "" {
		t.Fatal("no demo case in the reflection and recovery period")
	}
	wantStatus(t, b.open(href), 200)
	code := b.text("#case-code")
	englishTabs := caseTabTexts(b)
	if len(englishTabs) < 5 {
		t.Fatalf("case tabs = %q", englishTabs)
	}

	// Keyboard: Tab from the top reaches every case tab in order.
	tabHrefs := eval[[]string](b, `[...document.querySelectorAll("header.case-head nav.tabs a")].map(a => a.getAttribute("href"))`)
	current := eval[[]string](b, `[...document.querySelectorAll("header.case-head nav.tabs a[aria-current=page]")].map(a => a.getAttribute("href"))`)
	if !slices.Equal(current, []string{href}) {
		t.Errorf("tabs marked current = %q, want only the overview %s", current, href)
	}
	focusedHref := `(() => { const e = document.activeElement; return e && e.closest("header.case-head nav.tabs") ? e.getAttribute("href") : ""; })()`
	var reached []string
	for range 60 {
		b.do(chromedp.KeyEvent(kb.Tab))
		if h := eval[string](b, focusedHref); h != "" {
			reached = append(reached, h)
			if len(reached) == len(tabHrefs) {
				break
			}
		} else if len(reached) > 0 {
			break
		}
	}
	if !slices.Equal(reached, tabHrefs) {
		t.Fatalf("Tab reaches the case tabs %q, want %q in order", reached, tabHrefs)
	}
	visible := eval[bool](b, `(() => { const r = document.activeElement.getBoundingClientRect(); return r.width > 0 && r.height > 0; })()`)
	if !visible {
		t.Error("the focused case tab has no size")
	}
	outline := eval[string](b, `getComputedStyle(document.activeElement).outlineStyle`)
	if outline == "none" {
		t.Error("the focused case tab shows no focus outline")
	}
	// Back to the Consent tab with Shift+Tab, then Enter opens it.
	consentHref := href + "/consent"
	ci := slices.Index(tabHrefs, consentHref)
	if ci < 0 {
		t.Fatalf("no Consent tab in %q", tabHrefs)
	}
	for range len(tabHrefs) - 1 - ci {
		b.do(chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	}
	if got := eval[string](b, focusedHref); got != consentHref {
		t.Fatalf("after Shift+Tab the focus is on %q, want the Consent tab", got)
	}
	wantStatus(t, b.navigate(chromedp.KeyEvent(kb.Enter)), 200)
	b.wantPath(consentHref)
	current = eval[[]string](b, `[...document.querySelectorAll("header.case-head nav.tabs a[aria-current=page]")].map(a => a.textContent.trim())`)
	if !slices.Equal(current, []string{"Consent"}) {
		t.Errorf("on the consent page the tabs marked current are %q, want only Consent", current)
	}
	b.screenshot("consent-by-keyboard")

	// German: the switcher on the case page keeps the page and translates it.
	wantStatus(t, b.open(href), 200)
	wantStatus(t, b.navigate(chooseAction("lang-select", "Deutsch")), 200) // checks for ⟦missing⟧ keys
	b.wantPath(href)
	if got := eval[string](b, `document.documentElement.lang`); got != "de" {
		t.Errorf("html lang = %q, want de", got)
	}
	if got := b.text("h1"); got != "Fall "+code {
		t.Errorf("German case heading = %q, want %q", got, "Fall "+code)
	}
	if got := b.text("#case-stage"); got != "Bedenk- und Stabilisierungsfrist" {
		t.Errorf("German stage = %q", got)
	}
	german := caseTabTexts(b)
	wantGerman := map[string]string{"Overview": "Überblick", "Consent": "Einwilligung", "Risk": "Risiko", "Assistance plan": "Hilfeplan",
		"Legal status": "Rechtsstatus", "Child protection": "Kinderschutz", "Crisis unit": "Krisenteam", "Timeline": "Verlauf",
		"Sharing": "Teilen", "Data protection": "Datenschutz", "Interpreters": "Dolmetschung", "Return": "Rückkehr"}
	if len(german) != len(englishTabs) {
		t.Fatalf("German tabs %q, English tabs %q", german, englishTabs)
	}
	for i, en := range englishTabs {
		if want, ok := wantGerman[en]; !ok || german[i] != want {
			t.Errorf("tab %q reads %q in German, want %q", en, german[i], want)
		}
	}
	if got := eval[string](b, `document.querySelector("header.case-head nav.tabs").getAttribute("aria-label")`); got != "Teile des Falls" {
		t.Errorf("tabs aria-label = %q", got)
	}
	// Every tab page in German: no untranslated key.
	for _, h := range tabHrefs {
		wantStatus(t, b.open(h), 200)
	}
	b.screenshot("case-de")

	wantCleanConsole(b)
}
