package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// layout is what a phone user sees of a page.
type layout struct {
	ScrollWidth int `json:"scrollWidth"`
	InnerWidth  int `json:"innerWidth"`
	// NavLinks are the main navigation links that are not fully on screen
	// horizontally or have no size.
	NavLinks  int      `json:"navLinks"`
	OffScreen []string `json:"offScreen"`
	// Wide are elements wider than the viewport (the culprits of sideways scrolling).
	Wide []string `json:"wide"`
}

const layoutJS = `(() => {
  const vw = window.innerWidth;
  const describe = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "");
  const links = [...document.querySelectorAll("header nav a")];
  const offScreen = links.filter(a => { const r = a.getBoundingClientRect(); return r.width < 1 || r.height < 1 || r.left < 0 || r.right > vw + 0.5; }).map(a => a.textContent.trim());
  const wide = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > vw + 0.5).slice(0, 10).map(describe);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, navLinks: links.length, offScreen, wide};
})()`

// TestPhoneLayout: on a 375 px wide phone the accounts list and the audit
// log fit the screen without sideways scrolling, with the navigation in view.
func TestPhoneLayout(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)
	b.signInNew("coordinator")

	b.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	for _, page := range []struct{ name, path, wait string }{
		{"overview", "/", "ul.cards"},
		{"users", "/users", "table.responsive"},
		{"user", "", "dl.facts"},
		{"audit", "/audit", "#audit-table"},
		{"new-user", "/users/new", `form[action="/users"]`},
	} {
		path := page.path
		if page.name == "user" {
			b.open("/users")
			path = b.linkHref("table", "caseworker")
		}
		wantStatus(t, b.open(path), 200)
		b.do(chromedp.WaitVisible(chromedp.CSS(page.wait)), chromedp.WaitVisible(chromedp.CSS("header nav")))
		l := eval[layout](b, layoutJS)
		b.screenshot("phone-" + page.name)
		b.viewportShot("phone-" + page.name + "-screen")
		if l.InnerWidth != 375 {
			t.Errorf("%s: viewport is %d px wide, want 375", page.name, l.InnerWidth)
		}
		if l.ScrollWidth > l.InnerWidth {
			t.Errorf("%s: page scrolls sideways: %d px content in %d px; too wide: %s", page.name, l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
		}
		if l.NavLinks == 0 {
			t.Errorf("%s: no navigation links", page.name)
		}
		if len(l.OffScreen) > 0 {
			t.Errorf("%s: navigation links not fully on screen: %q", page.name, l.OffScreen)
		}
	}
}

// TestCSPNoViolations walks the pages a coordinator uses, including a
// failing form and the enrolment page with its data: QR image, and expects
// the console to stay clean: no Content-Security-Policy violation, no
// script error, no failed load. A planted violation at the end proves the
// listener sees them.
func TestCSPNoViolations(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)

	b.open("/login")
	b.navigate(chooseAction("lang-select", "Deutsch")) // runs app.js
	b.navigate(chooseAction("lang-select", "English"))
	enrolled := b.signInNew("coordinator")
	for _, path := range []string{"/", "/organisations", "/users", "/users/new", "/audit", "/audit?action=user.create"} {
		b.open(path)
		b.do(chromedp.WaitVisible(chromedp.CSS("main h1")))
	}
	b.open("/users/new")
	invalid := b.click(`form[action="/users"] button[type=submit]`) // error summary, focused by app.js
	wantStatus(t, invalid, 422)
	b.open("/users")
	b.open(b.linkHref("table", "admin"))
	b.click(`a[href$="/contact"]`)
	b.fill("f-password", srv.login(t, "coordinator").Password, "f-code", enrolled.RecoveryCodes[0])
	wantStatus(t, b.click(`form[action="/stepup"] button[type=submit]`), 200)
	b.do(chromedp.WaitVisible(chromedp.ID("contact")))

	// Give late reports (they arrive asynchronously) a moment by waiting
	// for one more full page load.
	b.open("/")
	for _, p := range b.console.problems() {
		// Chrome logs every document with an error status as a failed
		// load; the 422 of the invalid form is the intended answer.
		if p.Source == "network" && p.URL == invalid.URL && strings.Contains(p.Text, "422") {
			continue
		}
		if strings.HasSuffix(p.URL, "/favicon.ico") {
			t.Errorf("console: %s\n(the layout names no icon, so browsers ask for /favicon.ico on every first visit and get 404)", p)
			continue
		}
		t.Errorf("console: %s", p)
	}

	// The canary: an image from another origin is refused by img-src.
	b.do(chromedp.Evaluate[chromedp.Void](`(() => { const i = document.createElement("img"); i.src = "https://example.invalid/canary.png"; document.body.append(i); })()`))
	m, ok := b.console.waitFor(func(m consoleMessage) bool {
		return strings.Contains(m.Text, "Content Security Policy") && strings.Contains(m.Text, "canary")
	}, 5*time.Second)
	if !ok {
		t.Fatal("a planted CSP violation was not reported; the check above sees nothing")
	}
	t.Logf("canary reported as: %s", m)
}

// TestProcurementOnPhone: the procurement officer's pages fit a 375 px
// phone without scrolling sideways: the contract list, the demo's
// high-risk cleaning contract with its rating form, chain and sites, its
// site checks, a check with its findings, and the suppliers.
func TestProcurementOnPhone(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)
	b.name = "procurement"
	b.signInNew("procurement")
	b.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	wantFits := func(name, path string) {
		t.Helper()
		wantStatus(t, b.open(path), 200)
		l := eval[layout](b, layoutJS)
		b.screenshot("phone-" + name)
		if l.ScrollWidth > l.InnerWidth {
			t.Errorf("%s: page scrolls sideways: %d px content in %d px; too wide: %s", name, l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
		}
	}
	wantFits("contracts", "/procurement")
	// The demo's checked contract: the one whose checks page lists a check.
	var contract, check string
	for _, c := range eval[[]string](b, `[...document.querySelectorAll('main a[href^="/procurement/contracts/"]')].map(a => a.getAttribute("href")).filter(h => /^\/procurement\/contracts\/[0-9a-f-]{36}$/.test(h))`) {
		wantStatus(t, b.open(c+"/checks"), 200)
		if check = eval[string](b, `(() => { const a = document.querySelector('main a[href^="/procurement/checks/"]'); return a ? a.getAttribute("href") : ""; })()`); check != "" {
			contract = c
			break
		}
	}
	if check == "" {
		t.Fatal("no demo contract with a site check")
	}
	wantFits("contract", contract)
	wantFits("checks", contract+"/checks")
	wantFits("check", check)
	wantFits("suppliers", "/procurement/suppliers")
	wantFits("risk-lists", "/procurement/risk-lists")
}
