package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"waymark.city/waymark/internal/cli"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// actionTimeout bounds one browser step (a navigation, a wait, a script), so
// a broken page fails the test quickly instead of hanging until go test's
// global timeout.
const actionTimeout = 20 * time.Second

// server is one Waymark started by cli.Main with --demo on a loopback port.
type server struct {
	URL    string
	logins map[string]demoLogin
	log    *syncBuffer
}

type demoLogin struct {
	Username, Password, Role, Org string
}

// syncBuffer collects the server's log; it is shown only when a test fails.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var runningLine = regexp.MustCompile(`Waymark is running at (http://\S+)`)

// startServer runs "waymark serve --demo" in-process on a fresh data
// directory and returns once it prints the address it listens on. The
// environment is empty, so no WAYMARK_* variable of the machine leaks in.
func startServer(t *testing.T) *server {
	t.Helper()
	return startServerAt(t, "127.0.0.1:0")
}

// startServerOn is startServer on a database of engine: SQLite in the data
// directory, or a fresh database of the PostgreSQL test server.
func startServerOn(t *testing.T, engine storage.Engine) *server {
	t.Helper()
	if engine == storage.Postgres {
		return startServerWith(t, "127.0.0.1:0", "--database", storagetest.NewPostgresDatabase(t))
	}
	return startServer(t)
}

// startServerAt is startServer listening on addr; passkeys need a host
// name such as localhost, since WebAuthn refuses IP addresses.
func startServerAt(t *testing.T, addr string) *server {
	t.Helper()
	return startServerWith(t, addr)
}

// startServerWith is startServerAt with more arguments for "waymark serve".
func startServerWith(t *testing.T, addr string, args ...string) *server {
	t.Helper()
	dir := t.TempDir() // before the cleanup below, so it is removed after the server stopped
	ctx, cancel := context.WithCancel(context.Background())
	stdoutR, stdoutW := io.Pipe()
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		code := cli.Main(ctx, append([]string{"serve", "--demo", "--data", dir, "--addr", addr}, args...), cli.IO{
			Stdin: strings.NewReader(""), Stdout: stdoutW, Stderr: stderr,
			Getenv: func(string) string { return "" },
		})
		stdoutW.Close()
		done <- code
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("waymark serve exited with %d", code)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("waymark serve did not stop within 20s after cancel")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", stderr)
		}
	})

	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdoutR)
		found := false
		for sc.Scan() {
			if m := runningLine.FindStringSubmatch(sc.Text()); m != nil && !found {
				found = true
				urls <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdoutR) // keep draining so the server never blocks on stdout
		if !found {
			close(urls)
		}
	}()
	var base string
	select {
	case u, ok := <-urls:
		if !ok {
			t.Fatalf("waymark serve ended without printing its address; log:\n%s", stderr)
		}
		base = u
	// Seeding the demo under the race detector, beside the other packages'
	// tests on a 2-core machine, has taken over 60 s.
	case <-time.After(180 * time.Second):
		t.Fatalf("waymark serve did not print its address within 180s; log:\n%s", stderr)
	}
	return &server{URL: base, logins: readLogins(t, filepath.Join(dir, "demo-logins.txt")), log: stderr}
}

// readLogins reads the demo logins file: username, password, role, organisation.
func readLogins(t *testing.T, path string) map[string]demoLogin {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read demo logins: %v", err)
	}
	logins := map[string]demoLogin{}
	for line := range strings.Lines(string(data)) {
		f := strings.Split(strings.TrimRight(line, "\n"), "\t")
		if len(f) != 4 {
			t.Fatalf("demo logins: malformed line with %d fields", len(f))
		}
		logins[f[0]] = demoLogin{Username: f[0], Password: f[1], Role: f[2], Org: f[3]}
	}
	if len(logins) == 0 {
		t.Fatal("demo logins file is empty")
	}
	return logins
}

func (s *server) login(t *testing.T, username string) demoLogin {
	t.Helper()
	l, ok := s.logins[username]
	if !ok {
		t.Fatalf("no demo login %q", username)
	}
	return l
}

// browser is one tab of a headless Chromium of its own.
type browser struct {
	t   *testing.T
	ctx context.Context
	srv *server
	// shots is where screenshots go: the test's artifact directory.
	shots string
	// name prefixes screenshot files when a test drives several tabs.
	name    string
	console *consoleLog
	// missing are the untranslated message keys reported already.
	missing map[string]bool
}

// chromiumPath finds the browser; without one the tests skip locally and
// fail on CI, where a missing browser is a broken setup.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on PATH (looked for chromium, chromium-browser, google-chrome, headless-shell)")
	}
	t.Skip("no Chromium on PATH; install chromium to run the browser tests")
	return ""
}

// newBrowser starts a Chromium with its own allocator and profile, opens a
// tab on srv, and closes everything when the test ends. When the test has
// failed, the tab's screen is saved to the artifact directory first.
func newBrowser(t *testing.T, srv *server) *browser {
	t.Helper()
	exe := chromiumPath(t)
	profile := t.TempDir()
	shots := t.ArtifactDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests may run as root, where Chromium's sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("lang", "en-GB"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit, before the profile directory is removed
	})
	// The first Do starts the browser; it gets no timeout, as a timeout here
	// would end the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b := &browser{t: t, ctx: ctx, srv: srv, shots: shots, name: "main"}
	b.console = listenConsole(t, ctx)
	t.Cleanup(b.shotOnFailure)
	return b
}

// incognito opens a second tab in a new browser context of the same
// Chromium: it shares no cookies with b, so it is another person.
func (b *browser) incognito(name string) *browser {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("open tab %s: %v", name, err)
	}
	o := &browser{t: b.t, ctx: ctx, srv: b.srv, shots: b.shots, name: name}
	o.console = listenConsole(b.t, ctx)
	b.t.Cleanup(o.shotOnFailure)
	return o
}

func (b *browser) shotOnFailure() {
	if b.t.Failed() {
		b.screenshot("failure")
	}
}

// screenshot saves the whole page as PNG into the artifact directory and
// returns the file's path.
func (b *browser) screenshot(label string) string {
	return b.saveShot(label, chromedp.FullScreenshot(100))
}

// viewportShot saves what is on screen now, as a person would see it.
func (b *browser) viewportShot(label string) string {
	return b.saveShot(label, chromedp.CaptureScreenshot())
}

func (b *browser) saveShot(label string, shot chromedp.Action[[]byte]) string {
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		b.t.Logf("screenshot %s: %v", label, err)
		return ""
	}
	// A subtest's name holds a slash; the file stays in the directory.
	name := strings.ReplaceAll(b.t.Name(), "/", "-")
	path := filepath.Join(b.shots, fmt.Sprintf("%s-%s-%s.png", name, b.name, label))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("write screenshot: %v", err)
		return ""
	}
	b.t.Logf("screenshot: %s", path)
	return path
}

// do runs steps in the tab; a failure ends the test.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: browser steps failed at %s: %v", b.name, b.location(), err)
	}
}

// open navigates to a path of the server and returns the response.
func (b *browser) open(path string) *network.Response {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.srv.URL+path))
	if err != nil {
		b.t.Fatalf("%s: open %s: %v", b.name, path, err)
	}
	b.checkTranslated()
	return res
}

// navigate runs steps that lead to a new page (a click on a link or a submit
// button) and returns the response of the page that finally loads, after
// redirects.
func (b *browser) navigate(steps ...chromedp.Action[chromedp.Void]) *network.Response {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		b.t.Fatalf("%s: navigation from %s failed: %v", b.name, b.location(), err)
	}
	if res == nil {
		b.t.Fatalf("%s: navigation from %s gave no response", b.name, b.location())
	}
	b.checkTranslated()
	return res
}

// checkTranslated reports message keys the page shows untranslated (the
// catalogue renders a missing key as ⟦key⟧), in text, title or attributes.
// Each key is reported once per tab.
func (b *browser) checkTranslated() {
	b.t.Helper()
	keys := eval[[]string](b, `[...new Set(document.documentElement.outerHTML.match(/⟦[^⟧]*⟧/g) || [])]`)
	for _, k := range keys {
		if b.missing == nil {
			b.missing = map[string]bool{}
		}
		if !b.missing[k] {
			b.missing[k] = true
			b.t.Errorf("%s: page %s shows the untranslated message key %s", b.name, b.path(), k)
		}
	}
}

// click clicks the element and waits for the page it leads to.
func (b *browser) click(sel string) *network.Response {
	b.t.Helper()
	return b.navigate(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// typeText types text into the element sel finds, as a keyboard inserts
// it. chromedp.SendKeys reads the node's attributes without their lock
// (chromedp v0.23.0, query.go) and so races with the page's own attribute
// changes; the race detector fails the test. Focusing by node and inserting
// the text reads no attribute.
func typeText[S chromedp.Selectable](sel S, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Focus(sel), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
		return err
	}))
}

// fill types text into the fields named by their id, after clearing them.
func (b *browser) fill(fields ...string) {
	b.t.Helper()
	if len(fields)%2 != 0 {
		b.t.Fatal("fill needs id, text pairs")
	}
	var steps []chromedp.Action[chromedp.Void]
	for i := 0; i < len(fields); i += 2 {
		id := chromedp.ID(fields[i])
		steps = append(steps, chromedp.WaitVisible(id), chromedp.Clear(id), typeText(id, fields[i+1]))
	}
	b.do(steps...)
}

// chooseAction picks the option of a select by its visible label and fires
// the events a person's choice fires.
func chooseAction(selectID, label string) chromedp.Action[chromedp.Void] {
	expr := fmt.Sprintf(`(() => {
  const s = document.getElementById(%s);
  if (!s) return "no select";
  const o = [...s.options].find(o => o.textContent.trim() === %s);
  if (!o) return "no option";
  s.value = o.value;
  s.dispatchEvent(new Event("input", {bubbles: true}));
  s.dispatchEvent(new Event("change", {bubbles: true}));
  return "";
})()`, jsString(selectID), jsString(label))
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		problem, err := chromedp.Evaluate[string](expr)(ctx, t)
		if err != nil {
			return err
		}
		if problem != "" {
			return fmt.Errorf("choose %q in #%s: %s", label, selectID, problem)
		}
		return nil
	})
}

func (b *browser) choose(selectID, label string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.ID(selectID)), chooseAction(selectID, label))
}

func jsString(s string) string {
	j, _ := json.Marshal(s)
	return string(j)
}

// eval evaluates a script in the page and decodes its result.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("%s: evaluate %q: %v", b.name, expr, err)
	}
	return v
}

// text is the visible text of the first element matching sel, waiting for it.
func (b *browser) text(sel string) string {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(sel)))
	return eval[string](b, fmt.Sprintf(`document.querySelector(%s).innerText`, jsString(sel)))
}

// texts are the visible texts of every element matching sel.
func (b *browser) texts(sel string) []string {
	b.t.Helper()
	return eval[[]string](b, fmt.Sprintf(`[...document.querySelectorAll(%s)].map(e => e.innerText.trim())`, jsString(sel)))
}

// location is the tab's current URL, or "?" if it cannot be read.
func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return loc
}

// path is the path (and query) of the tab's current URL.
func (b *browser) path() string {
	b.t.Helper()
	u, err := url.Parse(b.location())
	if err != nil {
		b.t.Fatalf("parse location: %v", err)
	}
	return u.RequestURI()
}

func (b *browser) wantPath(prefix string) {
	b.t.Helper()
	if p := b.path(); !strings.HasPrefix(p, prefix) {
		b.t.Fatalf("%s: at %s, want a page under %s", b.name, p, prefix)
	}
}

func wantStatus(t *testing.T, res *network.Response, want int64) {
	t.Helper()
	if res.Status != want {
		t.Fatalf("%s: status %d, want %d", res.URL, res.Status, want)
	}
}

// signIn submits the sign-in form and returns the response of the page
// after it (the enrolment page, the code page or the overview).
func (b *browser) signIn(username, password string) *network.Response {
	b.t.Helper()
	b.open("/login")
	b.fill("f-username", username, "f-password", password)
	return b.click(`form[action="/login"] button[type=submit]`)
}

// enrolment is what a person keeps from setting up the authenticator.
type enrolment struct {
	Secret        string
	RecoveryCodes []string
}

// enrol completes the authenticator set-up the sign-in led to: it reads the
// key shown for typing, answers with the current code, keeps the recovery
// codes and continues to the overview.
func (b *browser) enrol() enrolment {
	b.t.Helper()
	b.wantPath("/login/enrol")
	secret := strings.TrimSpace(b.text("#totp-secret"))
	if secret == "" {
		b.t.Fatal("enrolment page shows no key")
	}
	b.do(chromedp.WaitVisible(chromedp.CSS(`img[alt][src^="data:image/png"]`)))
	b.fill("f-code", code(b.t, secret))
	res := b.click(`form[action="/login/enrol"] button[type=submit]`)
	wantStatus(b.t, res, 200)
	b.do(chromedp.WaitVisible(chromedp.CSS("#recovery-codes li")))
	codes := b.texts("#recovery-codes li")
	if len(codes) < 5 {
		b.t.Fatalf("got %d recovery codes, want at least 5", len(codes))
	}
	wantStatus(b.t, b.click(`a.button[href="/"]`), 200)
	b.wantPath("/")
	return enrolment{Secret: secret, RecoveryCodes: codes}
}

// signInNew signs a demo user in for the first time: password, then the
// authenticator set-up, ending on the overview.
func (b *browser) signInNew(username string) enrolment {
	b.t.Helper()
	l := b.srv.login(b.t, username)
	res := b.signIn(l.Username, l.Password)
	wantStatus(b.t, res, 200)
	return b.enrol()
}

func code(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatalf("generate TOTP code: %v", err)
	}
	return c
}

// consoleMessage is one thing the page reported: a console call, an
// uncaught exception, or an entry of the browser's log (CSP violations,
// failed loads).
type consoleMessage struct {
	Kind, Level, Source, Text, URL string
}

func (m consoleMessage) String() string {
	return fmt.Sprintf("%s %s/%s: %s (%s)", m.Kind, m.Level, m.Source, m.Text, m.URL)
}

type consoleLog struct {
	mu   sync.Mutex
	msgs []consoleMessage
}

// listenConsole records the tab's console from now on. The listener runs in
// the tab's event loop, so it only appends.
func listenConsole(t *testing.T, ctx context.Context) *consoleLog {
	t.Helper()
	c := &consoleLog{}
	err := chromedp.Listen(ctx, func(ev any) {
		var m consoleMessage
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range ev.Args {
				if a.Value != nil {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			m = consoleMessage{Kind: "console", Level: string(ev.Type), Text: strings.Join(parts, " ")}
		case *runtime.EventExceptionThrown:
			text := ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				text += " " + ev.ExceptionDetails.Exception.Description
			}
			m = consoleMessage{Kind: "exception", Level: "error", Text: text, URL: ev.ExceptionDetails.URL}
		case *log.EventEntryAdded:
			e := ev.Entry
			m = consoleMessage{Kind: "log", Level: string(e.Level), Source: string(e.Source), Text: e.Text, URL: e.URL}
		default:
			return
		}
		c.mu.Lock()
		c.msgs = append(c.msgs, m)
		c.mu.Unlock()
	})
	if err != nil {
		t.Fatalf("listen to the console: %v", err)
	}
	return c
}

// problems are the messages of level warning or error.
func (c *consoleLog) problems() []consoleMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []consoleMessage
	for _, m := range c.msgs {
		switch m.Level {
		case "error", "warning":
			out = append(out, m)
		}
	}
	return out
}

// waitFor polls until the console has a message matching ok, for messages
// that arrive after the action that caused them returned.
func (c *consoleLog) waitFor(ok func(consoleMessage) bool, within time.Duration) (consoleMessage, bool) {
	deadline := time.Now().Add(within)
	for {
		c.mu.Lock()
		for _, m := range c.msgs {
			if ok(m) {
				c.mu.Unlock()
				return m, true
			}
		}
		c.mu.Unlock()
		if time.Now().After(deadline) {
			return consoleMessage{}, false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// linkHref is the href of the link inside scope whose text is text.
func (b *browser) linkHref(scope, text string) string {
	b.t.Helper()
	href := eval[string](b, fmt.Sprintf(`(() => {
  const a = [...document.querySelectorAll(%s + " a")].find(a => a.textContent.trim() === %s);
  return a ? a.getAttribute("href") : "";
})()`, jsString(scope), jsString(text)))
	if href == "" {
		b.t.Fatalf("%s: no link %q in %s at %s", b.name, text, scope, b.location())
	}
	return href
}
