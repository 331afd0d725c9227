package e2e

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestReportTriage: someone reports through the public form of the demo
// server on a phone; the demo hotline operator (Helpline 0800, the
// receiving organisation) finds the report in the triage queue with its
// first-response deadline, asks the reporter a question, which the
// reporter reads and answers with the receipt code, classifies the report
// and turns it into a screening.
func TestReportTriage(t *testing.T) {
	t.Parallel()
	srv := startServer(t)

	// The reporter, on a phone.
	rep := newBrowser(t, srv)
	rep.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	wantStatus(t, rep.open("/report?lang=en"), 200)
	rep.do(chromedp.Poll[chromedp.Void](`document.querySelector("input[name=nonce]").value !== ""`, chromedp.WithPollingTimeout(30*time.Second)))
	typeInto(rep, "f-details", "Four men sleep in the back of the car wash and are never paid.", "f-area", "Harbour district")
	rep.do(chromedp.SetValue(chromedp.ID("f-place_type"), "car_wash"),
		chromedp.Click(chromedp.ID("urgency-soon"), chromedp.NodeVisible))
	wantStatus(t, rep.click(`#report-form button[type=submit]`), 200)
	code := strings.TrimSpace(rep.text("#receipt-code"))
	if len(code) != 19 {
		t.Fatalf("receipt code = %q", code)
	}

	// The operator finds it in the queue.
	op := rep.incognito("operator")
	op.signInNew("hotline")
	wantStatus(t, op.click(`nav a[href="/reports"]`), 200)
	op.wantPath("/reports")
	// The demo's campaign brought one report already; this one names the car wash.
	rows := op.texts("#queue tbody tr")
	mine := slices.IndexFunc(rows, func(r string) bool { return strings.Contains(r, "Hand car wash") })
	if mine < 0 || !strings.Contains(rows[mine], "Soon") || !regexp.MustCompile(`Due in (1 d 0 h|23 h [0-9]+ min)`).MatchString(rows[mine]) {
		t.Fatalf("queue rows = %q, want the new report due within a day", rows)
	}
	op.screenshot("queue")
	wantStatus(t, op.click(fmt.Sprintf(`#queue tbody tr:nth-child(%d) a[href^="/reports/"]`, mine+1)), 200)
	m := regexp.MustCompile(`^/reports/([0-9a-f-]{36})$`).FindStringSubmatch(op.path())
	if m == nil {
		t.Fatalf("at %s, want a report page", op.path())
	}
	reportPath := "/reports/" + m[1]
	if got := op.text("#report-details"); got != "Four men sleep in the back of the car wash and are never paid." {
		t.Errorf("details = %q", got)
	}

	// A question for the reporter; it is the first response.
	typeInto(op, "f-message", "Do you know which language the men speak?")
	wantStatus(t, op.click(`#ask-form button[type=submit]`), 200)
	if got := op.text(".notice"); !strings.Contains(got, "The question was sent") {
		t.Errorf("notice = %q", got)
	}
	if got := op.text("#first-response"); !strings.Contains(got, "Question to the reporter") || !strings.Contains(got, "hotline") {
		t.Errorf("first response = %q", got)
	}

	// The reporter reads it with the code and answers.
	wantStatus(t, rep.open("/report/follow-up?lang=en"), 200)
	rep.fill("f-code", code)
	wantStatus(t, rep.click(`form[action^="/report/follow-up"] button[type=submit]`), 200)
	if got := rep.text(".msg.staff .msg-body"); got != "Do you know which language the men speak?" {
		t.Errorf("question as the reporter sees it = %q", got)
	}
	typeInto(rep, "f-message", "Romanian, I think.")
	wantStatus(t, rep.click(`form[action^="/report/follow-up/reply"] button[type=submit]`), 200)

	// The operator sees the answer, classifies the report and turns it
	// into a screening.
	wantStatus(t, op.open(reportPath), 200)
	if got := op.texts("ol.thread .msg-body"); len(got) != 2 || got[1] != "Romanian, I think." {
		t.Errorf("thread = %q", got)
	}
	op.do(chromedp.Click(chromedp.CSS(`label:has(#f-exploitation-labour)`), chromedp.NodeVisible))
	wantStatus(t, op.click(`#classify-form button[type=submit]`), 200)
	if got := op.text("#report-exploitation"); got != "Labour exploitation" {
		t.Errorf("exploitation = %q", got)
	}
	if got := op.text("#report-place"); !strings.Contains(got, "car wash") {
		t.Errorf("place = %q", got)
	}
	op.screenshot("report")
	wantStatus(t, op.click(`#convert-form button[type=submit]`), 200)
	if !regexp.MustCompile(`^/screenings/[0-9a-f-]+/questions\?page=1$`).MatchString(op.path()) {
		t.Fatalf("after turning into a screening: at %s, want its first questions", op.path())
	}
	wantStatus(t, op.open(reportPath), 200)
	if got := op.text("#report-status"); !strings.Contains(got, "Turned into a screening") {
		t.Errorf("status = %q", got)
	}
	if n := len(op.texts("#convert-form")); n != 0 {
		t.Error("a converted report still offers the conversion")
	}
	wantStatus(t, op.open("/reports"), 200)
	if got := op.text("#queue-count"); !strings.HasPrefix(got, "1 report") || slices.ContainsFunc(op.texts("#queue tbody tr"), func(r string) bool {
		return strings.Contains(r, "Hand car wash")
	}) {
		t.Errorf("queue count = %q, want only the campaign's demo report left", got)
	}

	// On a phone, the operator logs a call about a missing child: the
	// console fits the screen and the 24-hour clock runs from the call.
	op.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	wantStatus(t, op.click(`nav a[href="/calls"]`), 200)
	if l := eval[layout](op, layoutJS); l.ScrollWidth > l.InnerWidth {
		t.Errorf("the console scrolls sideways: %d px in %d px; too wide: %s", l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}
	op.do(chromedp.Click(chromedp.CSS(`label:has(#f-caller_type-family)`), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(`label:has(#f-missing)`), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(`label:has(#f-info-emergency)`), chromedp.NodeVisible))
	op.choose("f-topic", "A missing person")
	typeInto(op, "f-notes", "Mother: son (12) not back from school since 13:00.")
	op.viewportShot("console")
	wantStatus(t, op.click(`#call-form button[type=submit]`), 200)
	op.wantPath("/calls/")
	if got := op.text("#missing-clock"); !strings.Contains(got, "Missing child") || !strings.Contains(got, "23 h") {
		t.Errorf("clock = %q", got)
	}
	if l := eval[layout](op, layoutJS); l.ScrollWidth > l.InnerWidth {
		t.Errorf("the call page scrolls sideways: %s", strings.Join(l.Wide, ", "))
	}
	op.viewportShot("call")
	if p := rep.console.problems(); len(p) > 0 {
		t.Errorf("reporter console problems: %v", p)
	}
	if p := op.console.problems(); len(p) > 0 {
		t.Errorf("operator console problems: %v", p)
	}
}
