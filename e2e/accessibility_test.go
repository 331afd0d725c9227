package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestLanguageSwitch: the switcher on the sign-in page turns the page German
// at once (app.js submits on change) and, with scripts turned off, back to
// English with its button.
func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)

	b.open("/login")
	if got := eval[string](b, `document.documentElement.lang`); got != "en" {
		t.Fatalf("sign-in page lang = %q, want en", got)
	}
	res := b.navigate(chooseAction("lang-select", "Deutsch"))
	wantStatus(t, res, 200)
	b.wantPath("/login")
	for _, c := range []struct{ sel, want string }{
		{"h1", "Anmelden"},
		{`form[action="/login"] button[type=submit]`, "Anmelden"},
		{`label[for="f-username"]`, "Benutzername"},
		{".skip", "Zum Inhalt springen"},
	} {
		var got string
		if c.sel == ".skip" {
			got = eval[string](b, `document.querySelector(".skip").textContent.trim()`)
		} else {
			got = b.text(c.sel)
		}
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("%s = %q, want %q", c.sel, got, c.want)
		}
	}
	if got := eval[string](b, `document.documentElement.lang`); got != "de" {
		t.Errorf("html lang = %q, want de", got)
	}
	if got := eval[string](b, `document.title`); !strings.HasPrefix(got, "Anmelden") {
		t.Errorf("title = %q", got)
	}
	if got := eval[string](b, `document.getElementById("lang-select").value`); got != "de" {
		t.Errorf("the switcher shows %q, want de selected", got)
	}

	// The form also works as plain HTML, with scripts off: pick, then
	// press its button.
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	b.open("/login")
	b.do(chromedp.SetValue(chromedp.ID("lang-select"), "en"))
	res = b.click(`form.lang button[type=submit]`)
	wantStatus(t, res, 200)
	if got := b.text("h1"); got != "Sign in" {
		t.Errorf("after switching back, heading = %q", got)
	}
	if got := eval[string](b, `document.documentElement.lang`); got != "en" {
		t.Errorf("html lang = %q, want en", got)
	}
}

// fieldState is what assistive technology learns about a form field.
type fieldState struct {
	Invalid     string `json:"invalid"`
	DescribedBy string `json:"describedBy"`
	// Described is the text of the elements aria-describedby points at.
	Described string `json:"described"`
	Value     string `json:"value"`
}

func fieldStates(b *browser, ids ...string) map[string]fieldState {
	b.t.Helper()
	return eval[map[string]fieldState](b, fmt.Sprintf(`(() => {
  const out = {};
  for (const id of %s) {
    const f = document.getElementById(id);
    if (!f) continue;
    const by = f.getAttribute("aria-describedby") || "";
    out[id] = {
      invalid: f.getAttribute("aria-invalid") || "",
      describedBy: by,
      described: by.split(/\s+/).filter(Boolean).map(r => { const e = document.getElementById(r); return e ? e.textContent.trim() : "<missing #" + r + ">"; }).join(" | "),
      value: f.value,
    };
  }
  return out;
})()`, jsArray(ids)))
}

func jsArray(ss []string) string {
	var parts []string
	for _, s := range ss {
		parts = append(parts, jsString(s))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// summaryLink is one entry of the error summary.
type summaryLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

func errorSummary(b *browser) []summaryLink {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	return eval[[]summaryLink](b, `[...document.querySelectorAll(".error-summary li")].map(li => {
  const a = li.querySelector("a");
  return {href: a ? a.getAttribute("href") : "", text: li.textContent.trim()};
})`)
}

// TestFormErrorsAccessible: a form sent with mistakes comes back with a
// focused error summary linking to each field, and each field says it is
// invalid and which text describes the problem. A wrong password on the
// sign-in page answers 401 with a message in the page's language.
func TestFormErrorsAccessible(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)

	// Wrong password, in English and in German.
	analyst := srv.login(t, "analyst")
	for _, c := range []struct{ lang, want string }{
		{"English", "The username or password is not right."},
		{"Deutsch", "Benutzername oder Passwort stimmen nicht."},
	} {
		b.open("/login")
		b.navigate(chooseAction("lang-select", c.lang))
		b.fill("f-username", analyst.Username, "f-password", analyst.Password+"x")
		res := b.click(`form[action="/login"] button[type=submit]`)
		wantStatus(t, res, 401)
		summary := errorSummary(b)
		var texts []string
		for _, s := range summary {
			texts = append(texts, s.Text)
		}
		if !slices.Contains(texts, c.want) {
			t.Errorf("%s: sign-in error summary = %q, want %q", c.lang, texts, c.want)
		}
		if got := eval[string](b, `document.querySelector(".error-summary").getAttribute("role")`); got != "alert" {
			t.Errorf("error summary role = %q, want alert", got)
		}
		if got := eval[string](b, `document.getElementById("f-username").value`); got != analyst.Username {
			t.Errorf("the username field lost its value: %q", got)
		}
		if got := eval[string](b, `document.getElementById("f-password").value`); got != "" {
			t.Error("the password field was sent back filled in")
		}
	}
	b.open("/login")
	b.navigate(chooseAction("lang-select", "English"))

	b.signInNew("coordinator")

	// The new-account form sent empty.
	b.open("/users/new")
	res := b.click(`form[action="/users"] button[type=submit]`)
	wantStatus(t, res, 422)
	summary := errorSummary(b)
	var hrefs []string
	for _, s := range summary {
		hrefs = append(hrefs, s.Href)
	}
	// A coordinator creates accounts in their own organisation only, which
	// is chosen already; the owner sets the password on activation.
	for _, want := range []string{"#f-username", "#f-role", "#f-name"} {
		if !slices.Contains(hrefs, want) {
			t.Errorf("error summary links %q lack %s", hrefs, want)
		}
	}
	if got := eval[string](b, `document.activeElement.className`); got != "error-summary" {
		t.Errorf("focus is on %q, want the error summary", got)
	}
	states := fieldStates(b, "f-org", "f-username", "f-role", "f-name", "f-email")
	for _, s := range summary {
		id := strings.TrimPrefix(s.Href, "#")
		st, ok := states[id]
		if !ok {
			t.Errorf("summary links to %s, which is not on the page", s.Href)
			continue
		}
		if st.Invalid != "true" {
			t.Errorf("%s: aria-invalid = %q, want true", id, st.Invalid)
		}
		if !slices.Contains(strings.Fields(st.DescribedBy), id+"-error") {
			t.Errorf("%s: aria-describedby = %q, want it to name %s-error", id, st.DescribedBy, id)
		}
		if !strings.Contains(st.Described, s.Text) {
			t.Errorf("%s: described by %q, which lacks the summary's message %q", id, st.Described, s.Text)
		}
	}
	if st := states["f-email"]; st.Invalid != "" {
		t.Errorf("the optional, empty e-mail field is marked invalid")
	}

	// Following a summary link puts the cursor in the field.
	b.do(chromedp.Click(chromedp.CSS(`.error-summary a[href="#f-username"]`), chromedp.NodeVisible))
	if got := eval[string](b, `document.activeElement.id`); got != "f-username" {
		t.Errorf("after following the summary link, focus is on %q", got)
	}

	// Everything right except the e-mail address: only it is wrong, and
	// what was typed stays.
	b.fill("f-username", "j.novak", "f-name", "Jana Novak", "f-email", "jana.novak-at-example")
	b.choose("f-role", "Case worker")
	res = b.click(`form[action="/users"] button[type=submit]`)
	wantStatus(t, res, 422)
	summary = errorSummary(b)
	if len(summary) != 1 || summary[0].Href != "#f-email" || summary[0].Text != "Enter an e-mail address such as name@example.org." {
		t.Errorf("error summary = %+v, want only the e-mail address", summary)
	}
	if got := eval[string](b, `document.activeElement.className`); got != "error-summary" {
		t.Errorf("focus is on %q, want the error summary", got)
	}
	states = fieldStates(b, "f-username", "f-name", "f-email", "f-role")
	if st := states["f-email"]; st.Invalid != "true" || !strings.Contains(st.DescribedBy, "f-email-error") {
		t.Errorf("e-mail field = %+v, want invalid and described by its error", st)
	}
	for _, id := range []string{"f-username", "f-name", "f-role"} {
		if states[id].Invalid != "" {
			t.Errorf("%s is marked invalid, but it was right", id)
		}
	}
	if states["f-username"].Value != "j.novak" || states["f-name"].Value != "Jana Novak" || states["f-role"].Value != "case_worker" ||
		states["f-email"].Value != "jana.novak-at-example" {
		t.Errorf("typed values were lost: %+v", states)
	}
}

// focused describes document.activeElement: its id, else its tag and class.
const focusedJS = `(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "body";
  if (e.id) return "#" + e.id;
  return e.tagName.toLowerCase() + (e.className ? "." + e.className.split(" ").join(".") : "") + (e.getAttribute("type") ? "[type=" + e.getAttribute("type") + "]" : "");
})()`

// TestKeyboardOnly: on the sign-in page the first Tab reaches the skip link,
// which then shows; following it lands in the main content; further Tabs
// reach the username, the password and the sign-in button, in that order.
func TestKeyboardOnly(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)

	b.open("/login")
	hidden := eval[bool](b, `(() => { const r = document.querySelector(".skip").getBoundingClientRect(); return r.bottom <= 0 || r.right <= 0 || r.width <= 1 || r.height <= 1 || r.top >= innerHeight; })()`)
	if !hidden {
		t.Error("the skip link is visible before it has focus")
	}
	b.do(chromedp.KeyEvent(kb.Tab))
	if got := eval[string](b, focusedJS); got != "a.skip" {
		t.Fatalf("first Tab focuses %s, want the skip link", got)
	}
	shown := eval[bool](b, `(() => { const r = document.querySelector(".skip").getBoundingClientRect(); return r.top >= 0 && r.left >= 0 && r.width > 1 && r.height > 1 && r.bottom <= innerHeight && r.right <= innerWidth; })()`)
	if !shown {
		t.Error("the focused skip link is not on screen")
	}
	b.screenshot("skip-link")
	b.do(chromedp.KeyEvent(kb.Enter))
	if got := eval[string](b, focusedJS); got != "#main" {
		t.Errorf("following the skip link focuses %s, want #main", got)
	}

	// From the top of the page, Tab through everything up to the sign-in button.
	b.open("/login")
	var order []string
	for range 12 {
		b.do(chromedp.KeyEvent(kb.Tab))
		f := eval[string](b, focusedJS)
		order = append(order, f)
		if f == "button[type=submit]" && slices.Contains(order, "#f-password") {
			break
		}
	}
	want := []string{"a.skip", "#f-username", "#f-password", "button[type=submit]"}
	last := -1
	for _, w := range want {
		i := slices.Index(order, w)
		if i < 0 {
			t.Errorf("Tab never reaches %s; order: %v", w, order)
			continue
		}
		if i < last {
			t.Errorf("Tab reaches %s out of order: %v", w, order)
		}
		last = i
	}
	if i, j := slices.Index(order, "#f-username"), slices.Index(order, "#f-password"); i >= 0 && j != i+1 {
		t.Errorf("password is not the next stop after username: %v", order)
	}
	t.Logf("tab order: %v", order)

	// Sign in with the keyboard alone: type, Enter submits the form.
	l := srv.login(t, "analyst")
	b.do(chromedp.Focus(chromedp.ID("f-username")), chromedp.KeyEvent(l.Username), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(l.Password))
	res := b.navigate(chromedp.KeyEvent(kb.Enter))
	wantStatus(t, res, 200)
	if p := b.path(); p == "/login" {
		t.Errorf("Enter in the password field did not sign in")
	}
}
