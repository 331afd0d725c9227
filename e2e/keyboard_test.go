package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// keyboardMarks numbers every control of the page's main content a
// keyboard user must reach (links, buttons, fields, disclosures; a radio
// group once, as Tab enters a group once) and returns how many there are.
const keyboardMarks = `(() => {
  const seen = new Set();
  let n = 0;
  for (const e of document.querySelectorAll("main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary")) {
    if (e.disabled || e.tabIndex < 0 || e.closest("[inert], [hidden]")) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (e.type === "radio") {
      const group = e.form ? e.form.id + "/" + e.name : e.name;
      if (seen.has(group)) {
        e.dataset.kb = [...document.querySelectorAll("main input[type=radio]")].find(o => o.name === e.name && o.dataset.kb).dataset.kb;
        continue;
      }
      seen.add(group);
      for (const o of document.querySelectorAll("main input[type=radio]")) if (o.name === e.name) o.dataset.kb = String(n);
      n++;
      continue;
    }
    e.dataset.kb = String(n++);
  }
  return n;
})()`

// blurAll puts the focus back to the top of the page.
const blurAll = `(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); return true; })()`

// keyboardStep is what Tab reached: the control's mark ("" outside main)
// and whether it shows where the focus is.
const keyboardStep = `(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "|";
  const s = getComputedStyle(e);
  const shown = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
  return (e.dataset.kb || "") + "|" + (shown ? "shown" : e.tagName.toLowerCase() + "#" + e.id + "." + e.className);
})()`

// wantKeyboardReach tabs from the top of the page at path through the
// whole page and fails unless every control of its main content is reached
// and each shows a focus indicator (WCAG 2.1.1, 2.4.7).
func wantKeyboardReach(t *testing.T, b *browser, path string) {
	t.Helper()
	wantStatus(t, b.open(path), 200)
	n := eval[int](b, keyboardMarks)
	reached := make([]bool, n)
	var unshown []string
	eval[bool](b, blurAll)
	// Every control once, plus the header's and footer's links.
	for range n + 60 {
		b.do(chromedp.KeyEvent(kb.Tab))
		mark, shown, _ := strings.Cut(eval[string](b, keyboardStep), "|")
		if shown != "shown" && shown != "" {
			unshown = append(unshown, shown)
		}
		var i int
		if _, err := fmt.Sscan(mark, &i); err == nil && i < n {
			reached[i] = true
		}
	}
	var missed []string
	for i, ok := range reached {
		if !ok {
			missed = append(missed, eval[string](b, fmt.Sprintf(`(() => { const e = document.querySelector('main [data-kb="%d"]'); return e.tagName.toLowerCase() + " " + (e.id || e.name || e.getAttribute("href") || e.textContent.trim().slice(0, 40)); })()`, i)))
		}
	}
	if len(missed) > 0 {
		t.Errorf("%s: Tab never reaches %d of %d controls: %q", path, len(missed), n, missed)
	}
	if len(unshown) > 0 {
		t.Errorf("%s: focused without a visible indicator: %q", path, unshown)
	}
}

// TestMunicipalPagesByKeyboard: the municipality's pages (issue 12 item 9)
// and the prevention pages (issue 13 item 8) can be used with the keyboard
// alone.
// On each, Tab from the top reaches every link, button and field of the
// content, each with a visible focus indicator; and the coordinator records
// a finding from the mapping report with keys only: typing into the fields
// Tab reaches, choosing a topic with the arrow keys, and sending with Enter.
func TestMunicipalPagesByKeyboard(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	coord := newBrowser(t, srv)
	coord.name = "coordinator"
	coord.signInNew("coordinator")
	for _, path := range []string{"/municipality", "/mapping", "/mapping/rounds/demo-round-2", "/mapping/rounds/demo-round-1/report",
		"/mapping/compare", "/plan", "/plan/report", "/plan/measures/new", "/workgroup", "/training", "/agreements", "/areas",
		"/campaigns", "/campaigns/new", "/outreach", "/outreach/new", "/businesses", "/businesses/new", "/inspections", "/inspections/new"} {
		wantKeyboardReach(t, coord, path)
	}
	wantStatus(t, coord.open("/campaigns"), 200)
	if campaign := eval[string](coord, `(() => { const a = document.querySelector('main a[href^="/campaigns/"]:not([href="/campaigns/new"])'); return a ? a.getAttribute("href") : ""; })()`); campaign != "" {
		wantKeyboardReach(t, coord, campaign)
	} else {
		t.Error("no demo campaign to walk")
	}

	officer := newBrowser(t, srv)
	officer.name = "procurement"
	officer.signInNew("procurement")
	for _, path := range []string{"/procurement", "/procurement/contracts/new", "/procurement/suppliers", "/procurement/suppliers/new", "/procurement/risk-lists"} {
		wantKeyboardReach(t, officer, path)
	}
	wantStatus(t, officer.open("/procurement"), 200)
	contract := eval[string](officer, `(() => { const a = document.querySelector('main a[href^="/procurement/contracts/"]:not([href$="/new"])'); return a ? a.getAttribute("href") : ""; })()`)
	if contract == "" {
		t.Fatal("no demo contract to walk")
	}
	wantKeyboardReach(t, officer, contract)
	wantKeyboardReach(t, officer, contract+"/checks")

	police := newBrowser(t, srv)
	police.name = "police"
	police.signInNew("police")
	wantKeyboardReach(t, police, "/intelligence")
	wantKeyboardReach(t, police, "/intelligence/new")

	cw := newBrowser(t, srv)
	cw.name = "caseworker"
	cw.signInNew("caseworker")
	wantKeyboardReach(t, cw, "/mapping/respond")
	questionnaire := eval[string](cw, `(() => { const a = document.querySelector('main a[href^="/mapping/respond/"]'); return a ? a.getAttribute("href") : ""; })()`)
	if questionnaire == "" {
		t.Fatal("the case worker has no questionnaire to answer in the demo")
	}
	wantKeyboardReach(t, cw, questionnaire)

	// A finding recorded from the report with the keyboard alone.
	wantStatus(t, coord.open("/mapping/rounds/demo-round-1/report"), 200)
	eval[bool](coord, blurAll)
	focused := func() string { return eval[string](coord, `document.activeElement ? document.activeElement.id : ""`) }
	tabTo := func(id string) {
		t.Helper()
		for range 400 {
			if focused() == id {
				return
			}
			coord.do(chromedp.KeyEvent(kb.Tab))
		}
		t.Fatalf("Tab never reaches #%s", id)
	}
	const title = "Keyboard finding: night buses"
	tabTo("f-title")
	coord.do(chromedp.KeyEvent(title))
	tabTo("f-description")
	coord.do(chromedp.KeyEvent("Workers wait for night buses at the car wash."))
	tabTo("f-topic")
	coord.do(chromedp.KeyEvent(kb.ArrowDown))
	if v := eval[string](coord, `document.getElementById("f-topic").value`); v == "" {
		t.Fatal("the arrow key chose no topic")
	}
	coord.do(chromedp.KeyEvent(kb.Tab))
	for range 10 {
		if eval[bool](coord, `document.activeElement.type === "submit"`) {
			break
		}
		coord.do(chromedp.KeyEvent(kb.Tab))
	}
	wantStatus(t, coord.navigate(chromedp.KeyEvent(kb.Enter)), 200)
	if got := coord.text("h1"); !strings.Contains(got, title) {
		t.Fatalf("after Enter the page is %q, want the new finding", got)
	}
}
