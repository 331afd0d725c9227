package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// fetched is what a fetch() made by the page got back.
type fetched struct {
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
	Disposition string `json:"disposition"`
	Body        string `json:"body"`
}

// fetchIn runs fetch() in the page and waits for the whole answer. init is
// a script giving {url, options}.
func fetchIn(b *browser, init string) fetched {
	b.t.Helper()
	expr := fmt.Sprintf(`(async () => {
  const {url, options} = %s;
  const r = await fetch(url, options);
  return {status: r.status, contentType: r.headers.get("Content-Type") || "",
    disposition: r.headers.get("Content-Disposition") || "", body: await r.text()};
})()`, init)
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	f, err := chromedp.Run(ctx, chromedp.Evaluate[fetched](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: fetch from %s: %v", b.name, b.location(), err)
	}
	return f
}

// getIn fetches url with a GET from the page without the session's
// cookies, as a calendar app would.
func getIn(b *browser, url string) fetched {
	b.t.Helper()
	return fetchIn(b, fmt.Sprintf(`({url: %s, options: {credentials: "omit"}})`, jsString(url)))
}

// submitFormIn sends the form of the submit button sel from the page with
// the form's own fields, hidden ones included, as the browser would, and
// returns the answer (a download the page would not show).
func submitFormIn(b *browser, sel string) fetched {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(sel)))
	return fetchIn(b, fmt.Sprintf(`(() => {
  const f = document.querySelector(%s).form;
  return {url: f.action, options: {method: f.method.toUpperCase(), body: new URLSearchParams(new FormData(f))}};
})()`, jsString(sel)))
}

// caseCount is the number of cases /cases lists for b.
// caseRows lists the row ids of the first page of /cases, the most
// recently changed case first. The demo has more cases than a page holds,
// so an added case shows as a new first row rather than as one more row.
func caseRows(b *browser) []string {
	b.t.Helper()
	wantStatus(b.t, b.open("/cases"), 200)
	return eval[[]string](b, `[...document.querySelectorAll("#case-list tbody tr[id^=case-]")].map(tr => tr.id)`)
}

// htcdsDoc is an HTCDS 2.0 pseudonymous document with this gender.
func htcdsDoc(gender string) string {
	return `{"standard":"HTCDS","version":"2.0","variant":"pseudonymous","record":{"prs_Gender":"` + gender +
		`","prs_Citizenship":["MD"],"vic_TypeOfExploitation":["ForcedLabour"],"cas_Status":"Active","con_Consent":true}}`
}

// wantPseudonymousHTCDS checks an HTCDS download: JSON, pseudonymous, with
// the person's gender and no name or birth date.
func wantPseudonymousHTCDS(t *testing.T, what string, f fetched, code string) map[string]any {
	t.Helper()
	if f.Status != 200 {
		t.Fatalf("%s: HTCDS export answered %d: %.300s", what, f.Status, f.Body)
	}
	if !strings.HasPrefix(f.ContentType, "application/json") {
		t.Errorf("%s: HTCDS export Content-Type = %q, want application/json", what, f.ContentType)
	}
	if !strings.Contains(f.Disposition, "attachment") || !strings.Contains(f.Disposition, code+"-htcds-pseudonymous.json") {
		t.Errorf("%s: HTCDS export Content-Disposition = %q, want an attachment named %s-htcds-pseudonymous.json", what, f.Disposition, code)
	}
	var doc struct {
		Standard, Version, Variant, Reference string
		Record                                map[string]any
	}
	if err := json.Unmarshal([]byte(f.Body), &doc); err != nil {
		t.Fatalf("%s: HTCDS export is not JSON: %v: %.300s", what, err, f.Body)
	}
	if doc.Standard != "HTCDS" || doc.Version != "2.0" || doc.Variant != "pseudonymous" || doc.Reference != code {
		t.Errorf("%s: HTCDS envelope = %s %s %s %s, want HTCDS 2.0 pseudonymous %s", what, doc.Standard, doc.Version, doc.Variant, doc.Reference, code)
	}
	if !strings.Contains(f.Body, `"prs_Gender"`) {
		t.Errorf("%s: HTCDS export lacks prs_Gender: %s", what, f.Body)
	}
	for _, no := range []string{"Example", "prs_FirstName", "prs_LastName", "prs_Birthdate"} {
		if strings.Contains(f.Body, no) {
			t.Errorf("%s: the pseudonymous HTCDS export contains %q: %s", what, no, f.Body)
		}
	}
	return doc.Record
}

// TestCaseExchangeInBrowser: the exchange features as a new user meets them
// in the browser. The Safe Harbour case worker finds the calendar feed from
// the task list, makes its address and subscribes to it as a calendar app
// would: iCalendar with CRLF lines, deadlines named by case code, never a
// person's name; a new address stops the old one (404). She imports a case
// from a pasted pseudonymous HTCDS document: one with a gender HTCDS does
// not know is refused with a translated error and opens nothing, the
// corrected one opens a case she lands on. From its data protection tab she
// downloads it, and a demo case with a named person, as pseudonymous HTCDS:
// the gender is there, no name. The coordinator adds a shelter with one
// place to the service directory and finds it when filtering by shelter,
// not when filtering by legal aid. No console error, CSP violation or
// untranslated message key.
func TestCaseExchangeInBrowser(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	cw := newBrowser(t, srv)
	cw.name = "caseworker"
	cw.signInNew("caseworker")

	// Calendar feed: from the task list, make the address.
	wantStatus(t, cw.open("/tasks"), 200)
	wantStatus(t, cw.click(`main a[href="/calendar"]`), 200)
	cw.wantPath("/calendar")
	if n := eval[int](cw, `document.querySelectorAll("#calendar-none").length`); n != 1 {
		t.Error("the calendar page of a new user does not say there is no feed yet")
	}
	if got := cw.text("#calendar-create"); got != "Create the feed address" {
		t.Errorf("calendar button = %q, want Create the feed address", got)
	}
	wantStatus(t, cw.click("#calendar-create"), 200)
	feedURL := eval[string](cw, `document.getElementById("calendar-url").value`)
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(srv.URL) + `/calendar/[^/?#]+\.ics$`).MatchString(feedURL) {
		t.Fatalf("feed address = %q, want %s/calendar/….ics", feedURL, srv.URL)
	}
	if n := eval[int](cw, `document.querySelectorAll("#calendar-since").length`); n != 1 {
		t.Error("after making the feed the page does not say since when it exists")
	}
	if got := cw.text("#calendar-create"); !strings.HasPrefix(got, "Make a new address") {
		t.Errorf("after making the feed the button reads %q, want Make a new address…", got)
	}

	// The feed, as a calendar app reads it: no session, the token is what counts.
	feed := getIn(cw, feedURL)
	if feed.Status != 200 {
		t.Fatalf("feed answered %d: %.300s", feed.Status, feed.Body)
	}
	if !strings.HasPrefix(feed.ContentType, "text/calendar") {
		t.Errorf("feed Content-Type = %q, want text/calendar", feed.ContentType)
	}
	if !strings.HasPrefix(feed.Body, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(feed.Body, "END:VCALENDAR\r\n") {
		t.Errorf("feed is not one VCALENDAR: %.200q … %.50q", feed.Body, feed.Body[max(0, len(feed.Body)-50):])
	}
	if bare := strings.Count(feed.Body, "\n") - strings.Count(feed.Body, "\r\n"); bare != 0 {
		t.Errorf("feed has %d lines not ended by CRLF", bare)
	}
	summaries := regexp.MustCompile(`(?m)^SUMMARY:(.*)\r$`).FindAllStringSubmatch(feed.Body, -1)
	withCode := 0
	for _, s := range summaries {
		if regexp.MustCompile(`\bC-[A-Z0-9]{4}-[A-Z0-9]{4}\b`).MatchString(s[1]) {
			withCode++
		}
	}
	if n := strings.Count(feed.Body, "BEGIN:VEVENT\r\n"); n < 1 || withCode < 1 {
		t.Errorf("feed has %d events, %d of them with a case code in the summary, want at least one: %.600s", n, withCode, feed.Body)
	}
	for _, name := range []string{"Example", "Demo"} {
		if strings.Contains(feed.Body, name) {
			t.Errorf("feed names a person (%q): %.600s", name, feed.Body)
		}
	}

	// A new address: the old one stops working.
	wantStatus(t, cw.click("#calendar-create"), 200)
	newURL := eval[string](cw, `document.getElementById("calendar-url").value`)
	if newURL == feedURL || !strings.HasPrefix(newURL, srv.URL+"/calendar/") {
		t.Fatalf("the new feed address = %q, want a different one than %q", newURL, feedURL)
	}
	if old := getIn(cw, feedURL); old.Status != 404 {
		t.Errorf("the old feed address answers %d, want 404", old.Status)
	}
	if fresh := getIn(cw, newURL); fresh.Status != 200 || !strings.HasPrefix(fresh.Body, "BEGIN:VCALENDAR") {
		t.Errorf("the new feed address answers %d: %.100q", fresh.Status, fresh.Body)
	}

	// HTCDS import: from the case list, paste a document.
	before := caseRows(cw)
	wantStatus(t, cw.click(`#case-links a[href="/cases/import"]`), 200)
	cw.wantPath("/cases/import")
	writeIn(cw, "f-document", htcdsDoc("Robot"))
	wantStatus(t, cw.click(`form[action="/cases/import"] button[type=submit]`), 422)
	cw.wantPath("/cases/import")
	// The error names the part of the document and points at the one field
	// holding it, which says it is invalid and why.
	const picklistError = "prs_Gender has a value that HTCDS does not allow for it."
	if summary := errorSummary(cw); len(summary) != 1 || summary[0].Text != picklistError || summary[0].Href != "#f-document" {
		t.Errorf("error summary = %+v, want only %q linked to #f-document", summary, picklistError)
	}
	if st := fieldStates(cw, "f-document")["f-document"]; st.Invalid != "true" || !strings.Contains(st.Described, picklistError) {
		t.Errorf("the document field is not marked invalid with the error: %+v", st)
	}
	if got := eval[string](cw, `document.getElementById("f-document").value`); got != htcdsDoc("Robot") {
		t.Errorf("the refused document was not kept in the form: %q", got)
	}
	if n := eval[int](cw, `document.querySelectorAll("#data-imported").length`); n != 0 {
		t.Error("the refused document shows an imported case")
	}
	if after := caseRows(cw); !slices.Equal(after, before) {
		t.Errorf("after the refused import /cases lists %v, before %v", after, before)
	}

	wantStatus(t, cw.open("/cases/import"), 200)
	writeIn(cw, "f-document", htcdsDoc("Masculine"))
	wantStatus(t, cw.click(`form[action="/cases/import"] button[type=submit]`), 200)
	code := strings.TrimSpace(cw.text("#data-imported strong"))
	if !regexp.MustCompile(`^C-[A-Z0-9]{4}-[A-Z0-9]{4}$`).MatchString(code) {
		t.Fatalf("imported case code = %q", code)
	}
	if got := cw.text("main .notice[role=status]"); got != "Case "+code+" has been opened from the document." {
		t.Errorf("confirmation = %q", got)
	}
	if n := eval[int](cw, `document.querySelectorAll(".error-summary").length`); n != 0 {
		t.Error("the error summary stays after the valid import")
	}
	wantStatus(t, cw.click("#data-imported a"), 200)
	m := caseIDPath.FindStringSubmatch(cw.path())
	if m == nil {
		t.Fatalf("Open the case led to %s, not a case", cw.path())
	}
	caseURL := "/cases/" + m[1]
	if got := cw.text("main"); !strings.Contains(got, code) {
		t.Errorf("the imported case's page does not show its code %s", code)
	}
	if after := caseRows(cw); len(after) == 0 || after[0] != "case-"+code || !slices.Equal(after[1:], before[:min(len(before), len(after)-1)]) {
		t.Errorf("after the import /cases lists %v, want %s before %v", after, "case-"+code, before)
	}
	if row := cw.text("#case-" + code); !strings.Contains(row, "Labour exploitation") || !strings.Contains(row, "Masculine") {
		t.Errorf("the imported case's row %q lacks its exploitation (ForcedLabour: Labour exploitation) or gender", row)
	}

	// HTCDS export of the imported case, from its data protection tab.
	wantStatus(t, cw.open(caseURL), 200)
	wantStatus(t, cw.click(`header.case-head nav.tabs a[href="`+caseURL+`/data"]`), 200)
	cw.wantPath(caseURL + "/data")
	if got := cw.text("#data-htcds-pseudonymous"); got != "Case in the HTCDS exchange format, without name or birth date" {
		t.Errorf("pseudonymous export button = %q", got)
	}
	rec := wantPseudonymousHTCDS(t, "imported case", submitFormIn(cw, "#data-htcds-pseudonymous"), code)
	if rec["prs_Gender"] != "Masculine" {
		t.Errorf("imported case exported with prs_Gender %v, want Masculine as imported", rec["prs_Gender"])
	}
	if got, _ := json.Marshal(rec["vic_TypeOfExploitation"]); string(got) != `["ForcedLabour"]` {
		t.Errorf("imported case exported with vic_TypeOfExploitation %s, want [\"ForcedLabour\"]", got)
	}

	// And a demo case whose person has a name: the pseudonymous export leaves it out.
	wantStatus(t, cw.open("/cases"), 200)
	demo := eval[[]string](cw, `(() => {
  const r = [...document.querySelectorAll("#case-list tbody tr")].find(r => r.cells[1]?.innerText.trim() === "Reflection and recovery period");
  return r ? [r.querySelector("a").getAttribute("href"), r.querySelector("code").innerText.trim()] : [];
})()`)
	if len(demo) != 2 {
		t.Fatal("no demo case in the reflection and recovery period")
	}
	wantStatus(t, cw.open(demo[0]+"/data"), 200)
	wantPseudonymousHTCDS(t, "demo case", submitFormIn(cw, "#data-htcds-pseudonymous"), demo[1])

	// Service directory: the coordinator adds a shelter with one place.
	co := cw.incognito("coordinator")
	co.signInNew("coordinator")
	const shelter = "Riverside Night Shelter"
	wantStatus(t, co.open("/providers"), 200)
	wantStatus(t, co.click("a#provider-new"), 200)
	co.wantPath("/providers/new")
	co.fill("f-name", shelter, "f-places_total", "1")
	tick(co, "f-types-shelter")
	wantStatus(t, co.click("button#provider-submit"), 200)
	if p := co.path(); !regexp.MustCompile(`^/providers/[^/?]+\?done=created$`).MatchString(p) {
		t.Errorf("after adding the provider at %s, want its page", p)
	}
	if got := co.text("#provider-name"); got != shelter {
		t.Errorf("provider page heading = %q, want %q", got, shelter)
	}
	if got := co.text("#provider-places"); !strings.Contains(got, "1 of 1 places free") {
		t.Errorf("provider places = %q, want 1 of 1 places free", got)
	}
	filter := func(typeLabel string) []string {
		t.Helper()
		wantStatus(t, co.open("/providers"), 200)
		co.choose("f-type", typeLabel)
		wantStatus(t, co.click(`form[action="/providers"] button[type=submit]`), 200)
		return co.texts("#providers tbody tr")
	}
	rows := filter("Shelter")
	if !strings.Contains(co.path(), "type=shelter") {
		t.Errorf("filtering by shelter led to %s", co.path())
	}
	found := false
	for _, r := range rows {
		if !strings.Contains(r, "Shelter") {
			t.Errorf("the shelter filter lists %q, not a shelter", r)
		}
		if strings.Contains(r, shelter) {
			found = true
			if !strings.Contains(r, "1 of 1 places free") {
				t.Errorf("the new shelter's row %q lacks 1 of 1 places free", r)
			}
		}
	}
	if !found {
		t.Errorf("the shelter filter lists %q, without %s", rows, shelter)
	}
	for _, r := range filter("Legal aid") {
		if strings.Contains(r, shelter) {
			t.Errorf("the legal aid filter lists the shelter: %q", r)
		}
	}

	wantCleanConsole(cw, 404, 422)
	wantCleanConsole(co)
}
