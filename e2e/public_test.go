package e2e

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/intake/intaketest"
	"waymark.city/waymark/internal/public"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/web"
)

// publicServer serves the public pages with the app's middleware over a
// fresh SQLite database, with a real proof-of-work difficulty so the
// browser's script has work to do.
func publicServer(t *testing.T) (*server, *intaketest.Env, *i18n.Catalog) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.OpenDataDir(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	env := intaketest.New(t, db, intake.Config{Difficulty: 16, MinDifficulty: 16})
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	h, err := public.New(public.Deps{Intake: env.Service, Catalog: cat, Catalogue: env.Catalogue, Log: log, Zone: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Mount(mux)
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "cross-origin", http.StatusForbidden) })
	ts := httptest.NewServer(web.Chain(mux, web.Observe(log, web.NewMetrics()), web.SecurityHeaders(false), web.CrossOrigin(deny), web.LimitBody(1<<20, public.TakesFiles)))
	t.Cleanup(ts.Close)
	return &server{URL: ts.URL, log: logs}, env, cat
}

// TestPublicReportOnPhone: a person on a phone reports in Romanian; the
// page's script does the proof of work, the receipt code is shown, and
// with it they read a question from staff and answer it.
func TestPublicReportOnPhone(t *testing.T) {
	t.Parallel()
	srv, env, cat := publicServer(t)
	ro := cat.For("ro")
	b := newBrowser(t, srv)
	b.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))

	wantStatus(t, b.open("/report?lang=ro"), 200)
	if got := eval[string](b, `document.documentElement.lang`); got != "ro" {
		t.Fatalf("lang = %q", got)
	}
	if got := b.text("h1"); got != ro.T("public.report.title") {
		t.Errorf("heading = %q", got)
	}
	l := eval[layout](b, layoutJS)
	if l.ScrollWidth > l.InnerWidth {
		t.Errorf("the form scrolls sideways: %d px in %d px; too wide: %s", l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}
	// The script finishes its work and says so.
	b.do(chromedp.Poll[chromedp.Void](`document.querySelector("input[name=nonce]").value !== ""`, chromedp.WithPollingTimeout(15*time.Second)))
	if got := b.text("#pow-status"); got != ro.T("public.report.pow_ready") {
		t.Errorf("status = %q", got)
	}
	b.viewportShot("report-form")

	typeInto(b, "f-details", "Trei femei locuiesc în spatele salonului și nu ies niciodată singure.", "f-area", "Cartierul Iosefin")
	b.do(chromedp.SetValue(chromedp.ID("f-place_type"), "nail_salon"),
		chromedp.Click(chromedp.ID("sign-core-not_free"), chromedp.NodeVisible),
		chromedp.Click(chromedp.ID("urgency-soon"), chromedp.NodeVisible))
	b.screenshot("report-filled")
	res := b.click(`#report-form button[type=submit]`)
	wantStatus(t, res, 200)
	code := strings.TrimSpace(b.text("#receipt-code"))
	if len(code) != 19 || strings.Trim(strings.ReplaceAll(code, " ", ""), "0123456789") != "" {
		t.Fatalf("receipt code = %q", code)
	}
	if got := b.text("h1"); got != ro.T("public.receipt.title") {
		t.Errorf("receipt heading = %q", got)
	}
	b.viewportShot("receipt")

	admin := access.Actor{Role: access.Administrator}
	list, err := env.Service.List(context.Background(), admin, access.SystemScope(), intake.ListFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("the report with the browser's proof of work is not in the new queue: %d, %v", len(list), err)
	}
	rep, err := env.Service.Get(context.Background(), admin, access.SystemScope(), list[0].ID)
	if err != nil || rep.Language != "ro" || rep.PlaceType != "nail_salon" || rep.Area != "Cartierul Iosefin" || len(rep.Signs) != 1 {
		t.Fatalf("stored report = %+v, %v", rep, err)
	}
	if err := env.Service.AskReporter(context.Background(), admin, access.SystemScope(), rep.ID, "Ce fel de salon este?"); err != nil {
		t.Fatal(err)
	}

	wantStatus(t, b.click(`a.button[href^="/report/follow-up"]`), 200)
	b.fill("f-code", code)
	wantStatus(t, b.click(`form[action^="/report/follow-up"] button[type=submit]`), 200)
	if got := b.text(".msg.staff .msg-body"); got != "Ce fel de salon este?" {
		t.Errorf("question = %q", got)
	}
	typeInto(b, "f-message", "Un salon de manichiură, lângă piață.")
	wantStatus(t, b.click(`form[action^="/report/follow-up/reply"] button[type=submit]`), 200)
	if got := b.text(".notice"); got != ro.T("public.thread.sent") {
		t.Errorf("notice = %q", got)
	}
	if got := b.text(".msg.reporter .msg-body"); got != "Un salon de manichiură, lângă piață." {
		t.Errorf("answer = %q", got)
	}
	b.viewportShot("thread")
	if p := b.console.problems(); len(p) > 0 {
		t.Errorf("console problems: %v", p)
	}
}

// TestPublicReportWithoutScript: with JavaScript off the form still sends;
// the report is held for review. The Arabic page is right to left.
func TestPublicReportWithoutScript(t *testing.T) {
	t.Parallel()
	srv, env, cat := publicServer(t)
	b := newBrowser(t, srv)
	b.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	wantStatus(t, b.open("/report?lang=ar"), 200)
	if got := eval[string](b, `getComputedStyle(document.body).direction`); got != "rtl" {
		t.Errorf("direction = %q", got)
	}
	l := eval[layout](b, layoutJS)
	if l.ScrollWidth > l.InnerWidth {
		t.Errorf("the Arabic form scrolls sideways: %s", strings.Join(l.Wide, ", "))
	}
	typeInto(b, "f-details", "رأيت أطفالًا يتسولون كل يوم عند الإشارة.")
	b.do(chromedp.Click(chromedp.ID("urgency-child"), chromedp.NodeVisible))
	wantStatus(t, b.click(`#report-form button[type=submit]`), 200)
	if got := b.text("#receipt-code"); len(strings.TrimSpace(got)) != 19 {
		t.Errorf("receipt code = %q", got)
	}
	if !strings.Contains(b.text("main"), cat.For("ar").T("public.receipt.held")) {
		t.Error("the receipt does not say the report is held")
	}
	b.viewportShot("receipt-ar")
	held, err := env.Service.List(context.Background(), access.Actor{Role: access.Administrator}, access.SystemScope(), intake.ListFilter{Status: intake.StatusHeld})
	if err != nil || len(held) != 1 || held[0].Urgency != intake.UrgencyChild {
		t.Errorf("held queue = %+v, %v", held, err)
	}
}

// typeInto types text into empty fields named by their id (fill clears
// first, which fails on an empty textarea).
func typeInto(b *browser, fields ...string) {
	b.t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for i := 0; i+1 < len(fields); i += 2 {
		id := chromedp.ID(fields[i])
		steps = append(steps, chromedp.WaitVisible(id), typeText(id, fields[i+1]))
	}
	b.do(steps...)
}

// TestPublicHelpAtRoot: a person on a phone whose browser speaks Romanian
// opens the site's root, signed out, and finds the demo hotline's number
// and hours in Romanian, a number to tap; staff sign-in is one link away.
func TestPublicHelpAtRoot(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	ro := cat.For("ro")
	b := newBrowser(t, srv)
	b.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "ro-RO,ro;q=0.9"}})
		return err
	}))

	wantStatus(t, b.open("/"), 200)
	b.wantPath("/")
	if got := eval[string](b, `document.documentElement.lang`); got != "ro" {
		t.Fatalf("lang = %q", got)
	}
	if got := b.text("h1"); got != ro.T("public.help.title") {
		t.Errorf("heading = %q", got)
	}
	// The demo's hotline, Helpline 0800, as the coordinator set it.
	if got := b.text("#hotlines .line-name"); got != "Helpline 0800" {
		t.Errorf("hotline = %q", got)
	}
	if got := b.text("#hotlines a.phone"); got != "+00 800 555 0800" {
		t.Errorf("hotline number = %q", got)
	}
	if got := eval[string](b, `document.querySelector("#hotlines a.phone").getAttribute("href")`); got != "tel:+008005550800" {
		t.Errorf("hotline link = %q", got)
	}
	if got := b.text("#hotlines bdi"); got != "24/7" {
		t.Errorf("hotline hours = %q", got)
	}
	if got := b.text("main"); !strings.Contains(got, ro.T("public.help.hotline_title")) || !strings.Contains(got, "116 000") {
		t.Errorf("the page lacks the hotline heading or 116 000:\n%s", got)
	}
	l := eval[layout](b, layoutJS)
	if l.ScrollWidth > l.InnerWidth {
		t.Errorf("the help page scrolls sideways: %d px in %d px; too wide: %s", l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}
	b.viewportShot("help-ro")
	if p := b.console.problems(); len(p) > 0 {
		t.Errorf("console problems: %v", p)
	}

	wantStatus(t, b.click(`a[href="/login"]`), 200)
	b.wantPath("/login")
}
