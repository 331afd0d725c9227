package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"waymark.city/waymark/internal/storage/storagetest"
)

// TestPartnershipWalk is the referral mechanism's "done" criterion, on
// both engines: one person goes from a hotline call to a report, a
// screening with reasonable grounds, a referral that opens a case at the
// NGO, a formal decision by the police (the competent authority the
// protocol names), a crisis-unit conference whose tasks reach social
// services and the police on their own task lists although the case was
// never shared with them, a shelter place and a return with confirmation
// of reception — each partner seeing what it should and nothing more. A
// signed-out visitor at the root finds the hotline number in their
// language.
func TestPartnershipWalk(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			walkPartnership(t, startServerOn(t, engine))
		})
	}
}

func walkPartnership(t *testing.T, srv *server) {
	// Signed out, the root says where to get help, in Romanian.
	visitor := newBrowser(t, srv)
	wantStatus(t, visitor.open("/?lang=ro"), 200)
	if got := visitor.text("main"); !strings.Contains(got, "+00 800 555 0800") || !strings.Contains(got, "112") {
		t.Errorf("the help page lacks the hotline or 112:\n%s", got)
	}
	if lang := eval[string](visitor, `document.documentElement.lang`); lang != "ro" {
		t.Errorf("help page language = %q, want ro", lang)
	}

	// The hotline takes the call and turns it into a report.
	op := visitor.incognito("hotline")
	op.signInNew("hotline")
	wantStatus(t, op.open("/calls"), 200)
	op.do(chromedp.Click(chromedp.CSS(labelFor("f-caller_type-victim")), chromedp.NodeVisible),
		chromedp.SetValue(chromedp.ID("f-topic"), "own_situation"))
	typeInto(op, "f-notes", "Calls from a greenhouse; the boss keeps her passport and her pay.")
	wantStatus(t, op.click(`#call-form button[type=submit]`), 200)
	op.wantPath("/calls/")
	typeInto(op, "f-details", "Greenhouse worker: passport and wages kept by the employer, threats to her family.")
	op.do(chromedp.SetValue(chromedp.ID("f-urgency"), "soon"), chromedp.SetValue(chromedp.ID("f-place_type"), "farm"))
	wantStatus(t, op.click(`#call-report-form button[type=submit]`), 200)
	op.wantPath("/reports/")
	reportPath := strings.SplitN(op.path(), "?", 2)[0]

	// The report becomes a screening: reasonable grounds for forced labour.
	op.do(chromedp.Click(chromedp.CSS(labelFor("f-exploitation-labour")), chromedp.NodeVisible))
	wantStatus(t, op.click(`#classify-form button[type=submit]`), 200)
	wantStatus(t, op.click(`#convert-form button[type=submit]`), 200)
	m := regexp.MustCompile(`^/screenings/([0-9a-f-]+)/questions\?page=1$`).FindStringSubmatch(op.path())
	if m == nil {
		t.Fatalf("after turning the report into a screening: at %s", op.path())
	}
	screening := m[1]
	answerYes(op, greenhouseStory)
	op.do(chromedp.Click(chromedp.CSS(labelFor("f-answers.core.danger-no")), chromedp.NodeVisible))
	wantStatus(t, op.click(`button[name=go][value=finish]`), 200)
	if h := op.texts("section.purpose h3"); len(h) == 0 || !strings.Contains(h[0], "Reasonable grounds") {
		t.Fatalf("screening outcomes = %q, want reasonable grounds", h)
	}

	// One referral, with consent, to the protocol's NGO.
	wantStatus(t, op.click(`a.button[href="/screenings/`+screening+`/refer"]`), 200)
	if got := eval[string](op, `(s => s.options[s.selectedIndex].text)(document.getElementById("f-to"))`); got != "Safe Harbour NGO" {
		t.Errorf("receiving organisation = %q, want Safe Harbour NGO", got)
	}
	op.do(chromedp.Click(chromedp.CSS(labelFor("f-consent")), chromedp.NodeVisible))
	wantStatus(t, op.click(`form.referral button[type=submit]`), 200)
	op.wantPath("/referrals/")
	refPath := strings.SplitN(op.path(), "?", 2)[0]
	wantStatus(t, op.open(reportPath), 200)
	if got := op.text("#report-status"); !strings.Contains(got, "screening") {
		t.Errorf("report status = %q", got)
	}

	// The NGO accepts: the case opens at the NGO, with the screening's
	// form of exploitation and place.
	cw := visitor.incognito("caseworker")
	cw.signInNew("caseworker")
	wantStatus(t, cw.open(refPath), 200)
	wantStatus(t, cw.click(`button#accept`), 200)
	casePath := eval[string](cw, `(a => a ? a.getAttribute("href") : "")(document.getElementById("referral-case"))`)
	if !regexp.MustCompile(`^/cases/[0-9a-f-]{36}$`).MatchString(casePath) {
		t.Fatalf("the accepted referral links to case %q", casePath)
	}

	// Reasonable grounds, then forwarded to the police for the formal
	// decision; the case moves on with one click.
	cw.do(chromedp.Click(chromedp.CSS(labelFor("f-rg.outcome-positive")), chromedp.NodeVisible),
		typeText(chromedp.CSS(`[id="f-rg.grounds"]`), "Consistent account; passport held by the employer."))
	wantStatus(t, cw.click(`form[action$="/decisions/grounds"] button[type=submit]`), 200)
	cw.do(chooseAction("f-authority", "Riverton Police Contact Point"))
	wantStatus(t, cw.click(`#forward`), 200)
	if got := cw.text("#forwards-list"); !strings.Contains(got, "Riverton Police Contact Point") {
		t.Errorf("forwards = %q", got)
	}
	if n := eval[int](cw, `document.querySelectorAll("#move-case").length`); n == 1 {
		wantStatus(t, cw.click(`#move-case`), 200)
	}
	wantStatus(t, cw.open(casePath), 200)
	code := regexp.MustCompile(`C-[A-Z0-9]{4}-[A-Z0-9]{4}`).FindString(cw.text("h1"))
	if code == "" {
		t.Fatalf("case heading = %q", cw.text("h1"))
	}
	if got := cw.text("main"); !strings.Contains(got, "Labour exploitation") {
		t.Errorf("the case lost the form of exploitation:\n%s", got)
	}

	// The police takes the formal decision on the forwarded referral; the
	// case itself stays out of its reach.
	pol := visitor.incognito("police")
	pol.signInNew("police")
	wantStatus(t, pol.open(refPath), 200)
	if got := pol.text("main"); strings.Contains(got, "Greenhouse worker") {
		t.Error("the police reads the report's details on the referral")
	}
	pol.do(chromedp.Click(chromedp.CSS(labelFor("f-vs.outcome-confirmed")), chromedp.NodeVisible),
		typeText(chromedp.CSS(`[id="f-vs.grounds"]`), "Identified as a victim of forced labour."))
	wantStatus(t, pol.click(`form[action$="/decisions/status"] button[type=submit]`), 200)
	if got := pol.text("#htcds-status"); !strings.Contains(got, "Actual victim of trafficking") || !strings.Contains(got, "police") {
		t.Errorf("status after the formal decision = %q", got)
	}
	wantStatus(t, pol.open(casePath), 404)

	// A crisis-unit conference at the NGO gives the police and social
	// services a task each; social services' needs the assistance plan.
	wantStatus(t, cw.open(casePath+"/conferences"), 200)
	setDate(cw, "f-at", time.Now().Add(-time.Hour).Format("2006-01-02T15:04"))
	for _, org := range []string{"Safe Harbour NGO", "Riverton Police Contact Point", "Riverton Social Services"} {
		tickByText(cw, "f-orgs", org)
	}
	due := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	writeIn(cw, "f-task.1.title", "Hear her about the employer, with the Romanian interpreter")
	cw.do(chooseAction("f-task.1.org", "Riverton Police Contact Point"))
	setDate(cw, "f-task.1.due", due)
	writeIn(cw, "f-task.2.title", "Check her benefits and a place for her son at school")
	cw.do(chooseAction("f-task.2.org", "Riverton Social Services"), chooseAction("f-task.2.needs", "Needs and assistance plan"))
	setDate(cw, "f-task.2.due", due)
	wantStatus(t, cw.click(`#save-conference`), 200)
	// Tasks are numbered per case; the protocol gave the first ones.
	policeTask, socialTask := taskNumber(cw, "Hear her about the employer"), taskNumber(cw, "Check her benefits")
	// The owner sees which share social services' task lacks, and is
	// offered it; without the person's consent the share page says so.
	if got := cw.text("#task-" + socialTask + "-missing"); !strings.Contains(got, "Riverton Social Services") || !strings.Contains(got, "Needs and assistance plan") {
		t.Errorf("missing share of task 2 = %q", got)
	}
	cw.screenshot("conference-tasks")
	wantStatus(t, cw.click(`#task-`+socialTask+`-missing a`), 200)
	cw.wantPath(casePath + "/sharing")
	if got := cw.text("#share-needs-consent"); !strings.Contains(got, "Riverton Social Services") {
		t.Errorf("share page for an unconsented partner = %q", got)
	}
	if !eval[bool](cw, `document.getElementById("f-categories-assistance") ? document.getElementById("f-categories-assistance").checked : true`) {
		t.Error("the share form is not filled with the category the task needs")
	}

	// The person agrees, in Romanian, to a referral to the shelter and to
	// social services seeing her assistance plan; she is informed of her
	// rights. The share social services' task needs can now be given.
	wantStatus(t, cw.open(casePath+"/consent"), 200)
	tick(cw, "f-purposes-referral", "f-purposes-sharing", "f-categories-assistance")
	tickByText(cw, "f-orgs", "Riverton Social Services")
	tickByText(cw, "f-providers", "Safe Harbour Shelter")
	cw.do(chromedp.SetValue(chromedp.ID("f-language"), "ro"))
	cw.do(chromedp.SetValue(chromedp.ID("f-method"), "written"), chromedp.SetValue(chromedp.ID("f-given_by"), "person"))
	setDate(cw, "f-given_on", time.Now().Format(time.DateOnly))
	if res := cw.click(`form[action$="/consent"] button[type=submit]`); res.Status != 200 {
		t.Fatalf("recording the consent: status %d: %s", res.Status, strings.Join(cw.texts(".field-error"), " / "))
	}
	cw.do(chromedp.SetValue(chromedp.ID("f-topic"), "rights"))
	setDate(cw, "f-informed_on", time.Now().Format(time.DateOnly))
	cw.do(chromedp.SetValue(chromedp.ID("f-informed_language"), "ro"))
	writeIn(cw, "f-informed_by", "Kim Caseworker with the interpreter")
	wantStatus(t, cw.click(`#informed-form button[type=submit]`), 200)
	if got := cw.text("main"); !strings.Contains(got, "Kim Caseworker with the interpreter") {
		t.Errorf("the consent tab does not list the person informed of her rights")
	}
	wantStatus(t, cw.open(casePath+"/conferences"), 200)
	wantStatus(t, cw.click(`#task-`+socialTask+`-missing a`), 200)
	if n := eval[int](cw, `document.querySelectorAll("#share-needs-consent").length`); n != 0 {
		t.Error("the share page still asks for consent")
	}
	if got := eval[string](cw, `(s => s.options[s.selectedIndex].text)(document.getElementById("f-to"))`); got != "Riverton Social Services" {
		t.Errorf("share form offers %q, want the task's organisation", got)
	}
	wantStatus(t, cw.click(`form[action$="/sharing"] button[type=submit]`), 200)
	if got := cw.text("#shares"); !strings.Contains(got, "Riverton Social Services") || !strings.Contains(got, "Needs and assistance plan") {
		t.Errorf("shares after offering = %q", got)
	}
	wantStatus(t, cw.open(casePath+"/conferences"), 200)
	if n := eval[int](cw, `document.querySelectorAll("#task-`+socialTask+`-missing").length`); n != 0 {
		t.Error("the task still asks for the share that was offered")
	}

	// The police's task list and dashboard carry its task: title, case
	// code, where it came from, the due date; the case is not a link.
	wantStatus(t, pol.open("/"), 200)
	if got := pol.text("#my-deadlines"); !strings.Contains(got, code) {
		t.Errorf("police dashboard deadlines = %q, want %s", got, code)
	}
	wantStatus(t, pol.open("/tasks"), 200)
	row := pol.text("#my-task-" + code + "-" + policeTask)
	for _, want := range []string{"Hear her about the employer", "Conference 1", code} {
		if !strings.Contains(row, want) {
			t.Errorf("police task row %q lacks %q", row, want)
		}
	}
	pol.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	pol.screenshot("tasks")
	phoneCheck(pol, "police task list")
	if n := eval[int](pol, `document.querySelectorAll('#my-task-table a[href^="/cases/"]').length`); n != 0 {
		t.Error("the police task list links to a case the police cannot open")
	}
	wantStatus(t, pol.click(`#my-task-`+code+`-`+policeTask+` button[type=submit]`), 200)
	pol.wantPath("/tasks")
	if n := eval[int](pol, `document.querySelectorAll("#my-task-`+code+`-`+policeTask+`").length`); n != 0 {
		t.Errorf("the police's done task is still listed")
	}

	// Social services sees its task and what it needs from the NGO.
	sw := visitor.incognito("socialworker")
	sw.signInNew("socialworker")
	wantStatus(t, sw.open("/tasks"), 200)
	row = sw.text("#my-task-" + code + "-" + socialTask)
	for _, want := range []string{"Check her benefits", "Safe Harbour NGO", "Needs and assistance plan"} {
		if !strings.Contains(row, want) {
			t.Errorf("social services' task row %q lacks %q", row, want)
		}
	}
	wantStatus(t, sw.open(casePath), 404)
	wantStatus(t, sw.open("/tasks"), 200)
	wantStatus(t, sw.click(`#my-task-`+code+`-`+socialTask+` button[type=submit]`), 200)

	// Both show as done on the NGO's case.
	wantStatus(t, cw.open(casePath+"/conferences"), 200)
	for _, n := range []string{policeTask, socialTask} {
		if got := cw.text("#task-" + n); !strings.Contains(got, "Done") {
			t.Errorf("task %s on the case = %q, want done", n, got)
		}
	}
	// A place in the NGO's shelter, through the assistance plan.
	wantStatus(t, cw.open(casePath+"/plan"), 200)
	chooseStarting(cw, "f-provider", "Safe Harbour Shelter")
	tick(cw, "f-services-shelter", "f-placement")
	wantStatus(t, cw.click(`#refer`), 200)
	wantStatus(t, cw.open("/service-referrals"), 200)
	wantStatus(t, cw.click(`button[id^="accept-"]`), 200)
	wantStatus(t, cw.open(casePath+"/plan"), 200)
	if got := cw.text("main"); !strings.Contains(got, "Safe Harbour Shelter") || !strings.Contains(got, "Accepted") {
		t.Errorf("the plan does not show the accepted shelter place:\n%s", got)
	}

	// The case moves on to long-term assistance, the person asks to go
	// home: the return is planned with her written consent, beside the
	// partnership's notes on Romania, and its reception confirmed.
	for range 3 {
		wantStatus(t, cw.open(casePath), 200)
		if eval[int](cw, `document.querySelectorAll("#move-case").length`) == 0 {
			break
		}
		wantStatus(t, cw.click(`#move-case`), 200)
	}
	cw.do(chooseAction("f-stage", "Long-term assistance"))
	wantStatus(t, cw.click(`#move`), 200)
	wantStatus(t, cw.open(casePath+"/return"), 200)
	today := time.Now().Format(time.DateOnly)
	writeIn(cw, "f-country", "RO")
	writeIn(cw, "f-place", "Bacău")
	writeIn(cw, "f-receiver", "Fundația Speranța, Bacău")
	writeIn(cw, "f-receiver_contact", "+40 555 0100")
	cw.do(chromedp.SetValue(chromedp.ID("f-risk_level"), "low"))
	setDate(cw, "f-risk_assessed_on", today)
	tick(cw, "f-consent_written", "f-consent_on_file")
	cw.do(chromedp.SetValue(chromedp.ID("f-consent_given_by"), "person"))
	setDate(cw, "f-consent_on", today)
	cw.do(chromedp.SetValue(chromedp.ID("f-consent_language"), "ro"))
	setDate(cw, "f-travel_on", today)
	wantStatus(t, cw.click(`#return-save-submit`), 200)
	setDate(cw, "f-received_at", time.Now().Add(-time.Hour).Format("2006-01-02T15:04"))
	writeIn(cw, "f-received_by", "Fundația Speranța")
	wantStatus(t, cw.click(`#return-reception-submit`), 200)
	wantStatus(t, cw.click(`#return-propose-submit`), 200)
	wantStatus(t, cw.open(casePath), 200)
	if got := cw.text("#stage-title + p"); !strings.Contains(got, "return") {
		t.Errorf("stage after the return = %q", got)
	}

	for _, b := range []*browser{visitor, op, cw, pol, sw} {
		for _, p := range b.console.problems() {
			if !strings.Contains(p.Text, "status of 404") {
				t.Errorf("%s console: %s", b.name, p)
			}
		}
	}
}

// chooseStarting picks the option of a select whose label starts with
// prefix (a shelter's label goes on with its free places).
func chooseStarting(b *browser, selectID, prefix string) {
	b.t.Helper()
	label := eval[string](b, `(() => {
  const o = [...document.getElementById(`+jsString(selectID)+`).options].find(o => o.textContent.trim().startsWith(`+jsString(prefix)+`));
  return o ? o.textContent.trim() : "";
})()`)
	if label == "" {
		b.t.Fatalf("%s: no option %q… in #%s", b.name, prefix, selectID)
	}
	b.do(chooseAction(selectID, label))
}

// taskNumber is the number of the task on a case's crisis-unit tab whose
// title starts with title.
func taskNumber(b *browser, title string) string {
	b.t.Helper()
	id := eval[string](b, `(() => {
  const r = [...document.querySelectorAll("#task-table tbody tr")].find(r => r.querySelector("th").textContent.includes(`+jsString(title)+`));
  return r ? r.id : "";
})()`)
	if id == "" {
		b.t.Fatalf("%s: no task %q on the case", b.name, title)
	}
	return strings.TrimPrefix(id, "task-")
}

// tickByText makes sure the checkbox whose label inside fieldset starts
// with text is ticked.
func tickByText(b *browser, fieldset, text string) {
	b.t.Helper()
	id := eval[string](b, `(() => {
  const l = [...document.querySelectorAll("#" + `+jsString(fieldset)+` + " label")].find(l => l.textContent.trim().startsWith(`+jsString(text)+`));
  return l && l.querySelector("input") ? l.querySelector("input").id : "";
})()`)
	if id == "" {
		b.t.Fatalf("%s: no choice %q in #%s", b.name, text, fieldset)
	}
	if !eval[bool](b, `document.getElementById(`+jsString(id)+`).checked`) {
		tick(b, id)
	}
}
