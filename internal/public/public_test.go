package public_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/intake/intaketest"
	"waymark.city/waymark/internal/public"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
	"waymark.city/waymark/internal/web"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// site is the public pages behind the same middleware as the app.
type site struct {
	env     *intaketest.Env
	catalog *i18n.Catalog
	handler http.Handler
	log     *syncBuffer
}

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

func newSite(t *testing.T, db *storage.DB, cfg intake.Config) *site {
	t.Helper()
	return newSiteWith(t, db, cfg, public.Deps{})
}

// newSiteWith is newSite with page options (MaxUploads, UploadWait).
func newSiteWith(t *testing.T, db *storage.DB, cfg intake.Config, deps public.Deps) *site {
	t.Helper()
	env := intaketest.New(t, db, cfg)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatalf("load catalogue: %v", err)
	}
	logBuf := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	deps.Intake, deps.Catalog, deps.Catalogue, deps.Log, deps.Zone = env.Service, cat, env.Catalogue, log, time.UTC
	h, err := public.New(deps)
	if err != nil {
		t.Fatalf("public.New: %v", err)
	}
	mux := http.NewServeMux()
	h.Mount(mux)
	// The app serves the help page at the root to visitors without a
	// session (ui.Home); here the root is always signed out.
	mux.Handle("GET /{$}", web.Named(http.HandlerFunc(h.Help)))
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "cross-origin", http.StatusForbidden) })
	handler := web.Chain(mux, web.Observe(log, web.NewMetrics()), web.SecurityHeaders(false), web.CrossOrigin(deny), web.LimitBody(1<<20, public.TakesFiles))
	return &site{env: env, catalog: cat, handler: handler, log: logBuf}
}

// looseLimits lets one test client send many reports and codes.
var looseLimits = intake.Config{SubmitsPerHour: 10000, CodeTriesPerHour: 10000}

type response struct {
	status int
	body   string
	header http.Header
}

func (s *site) do(t *testing.T, r *http.Request) response {
	t.Helper()
	if r.RemoteAddr == "" || r.RemoteAddr == "192.0.2.1:1234" {
		r.RemoteAddr = "198.51.100.23:40000"
	}
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	body := w.Body.String()
	if strings.Contains(body, "⟦") {
		t.Errorf("%s %s shows an untranslated key: %s", r.Method, r.URL, regexp.MustCompile(`⟦[^⟧]*⟧`).FindString(body))
	}
	return response{status: w.Code, body: body, header: w.Header()}
}

func (s *site) get(t *testing.T, target string) response {
	t.Helper()
	return s.do(t, httptest.NewRequest(http.MethodGet, target, nil))
}

func (s *site) postForm(t *testing.T, target string, form url.Values) response {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(t, r)
}

// file is an upload in a multipart form.
type file struct {
	name string
	data []byte
}

func multipartBody(t *testing.T, form url.Values, files ...file) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("files", f.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(f.data)
	}
	if len(files) == 0 {
		// What a browser sends for an empty file input.
		if _, err := mw.CreateFormFile("files", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

func (s *site) postReport(t *testing.T, target string, form url.Values, files ...file) response {
	t.Helper()
	body, ct := multipartBody(t, form, files...)
	r := httptest.NewRequest(http.MethodPost, target, body)
	r.Header.Set("Content-Type", ct)
	return s.do(t, r)
}

// reportForm is a complete answer; work adds a solved proof of work from
// the form page, as the script would.
func reportForm(details string) url.Values {
	return url.Values{
		"details": {details}, "place_type": {"hotel"}, "area": {"Old town"}, "seen_on": {"2026-01-05"},
		"time_of_day": {"night"}, "people": {"few"}, "age_group": {"children"}, "gender": {"female"},
		"signs": {"core.not_free", "chi.with_unrelated_adult"}, "urgency": {"child"}, "contact": {"only by text"},
	}
}

var (
	challengeRE = regexp.MustCompile(`name="challenge" value="([^"]+)"`)
	difficultRE = regexp.MustCompile(`data-difficulty="(\d+)"`)
	codeRE      = regexp.MustCompile(`id="receipt-code"[^>]*>([0-9 ]{19})<`)
)

func (s *site) work(t *testing.T, page string, form url.Values) {
	t.Helper()
	m := challengeRE.FindStringSubmatch(page)
	d := difficultRE.FindStringSubmatch(page)
	if m == nil || d == nil {
		t.Fatal("the form carries no challenge")
	}
	var difficulty int
	fmt.Sscan(d[1], &difficulty)
	challenge := strings.ReplaceAll(m[1], "&#43;", "+")
	form.Set("challenge", challenge)
	form.Set("nonce", intaketest.Solve(challenge, difficulty))
}

func receiptCode(t *testing.T, body string) string {
	t.Helper()
	m := codeRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no receipt code on the page:\n%s", body)
	}
	return m[1]
}

var htmlLang = regexp.MustCompile(`<html lang="([^"]+)" dir="([^"]+)">`)

func wantLang(t *testing.T, what string, res response, lang string) {
	t.Helper()
	m := htmlLang.FindStringSubmatch(res.body)
	if m == nil || m[1] != lang {
		t.Errorf("%s: html lang = %v, want %s", what, m, lang)
		return
	}
	wantDir := "ltr"
	if lang == "ar" {
		wantDir = "rtl"
	}
	if m[2] != wantDir {
		t.Errorf("%s: dir = %s, want %s", what, m[2], wantDir)
	}
}

// TestEveryPageEveryLanguage renders every public page, with and without
// errors, in every public language, and checks that no message is missing.
func TestEveryPageEveryLanguage(t *testing.T) {
	s := newSite(t, storagetest.Open(t, storage.SQLite), looseLimits)
	langs := s.catalog.LanguagesFor(public.Area)
	if len(langs) != 13 {
		t.Errorf("public languages = %d, want 13", len(langs))
	}
	admin := access.Actor{Role: access.Administrator}
	seen := map[string]bool{}
	for _, l := range langs {
		q := "?lang=" + l.Tag
		res := s.get(t, "/report"+q)
		if res.status != 200 {
			t.Fatalf("%s: GET /report = %d", l.Tag, res.status)
		}
		wantLang(t, l.Tag+" form", res, l.Tag)
		seen["report"] = true
		// The catalogue's texts exist in English and German only; other
		// languages show them in English, marked as such.
		englishSigns := strings.Contains(res.body, `<label for="sign-core-not_free" lang="en">`)
		if englishSigns != (l.Tag != "en" && l.Tag != "de") {
			t.Errorf("%s: signs marked English = %v", l.Tag, englishSigns)
		}
		// Every language link is offered, each in its own language.
		for _, o := range langs {
			if !strings.Contains(res.body, fmt.Sprintf(`href="/report?lang=%s" lang="%s"`, o.Tag, o.Tag)) {
				t.Errorf("%s: no link to %s", l.Tag, o.Tag)
			}
		}

		res = s.postReport(t, "/report"+q, url.Values{"details": {""}, "urgency": {"bogus"}, "area": {strings.Repeat("a", 300)}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `class="error-summary"`) {
			t.Errorf("%s: invalid report = %d", l.Tag, res.status)
		}
		wantLang(t, l.Tag+" invalid form", res, l.Tag)

		form := reportForm("Report in " + l.Tag)
		s.work(t, s.get(t, "/report"+q).body, form)
		res = s.postReport(t, "/report"+q, form)
		if res.status != 200 {
			t.Fatalf("%s: report = %d\n%s", l.Tag, res.status, res.body)
		}
		wantLang(t, l.Tag+" receipt", res, l.Tag)
		seen["receipt"] = true
		code := receiptCode(t, res.body)

		// The held receipt (no script) has its own sentence.
		res = s.postReport(t, "/report"+q, reportForm("No script in "+l.Tag))
		if res.status != 200 {
			t.Errorf("%s: report without proof of work = %d", l.Tag, res.status)
		}

		res = s.get(t, "/report/follow-up"+q)
		wantLang(t, l.Tag+" follow-up", res, l.Tag)
		seen["followup"] = true
		res = s.postForm(t, "/report/follow-up"+q, url.Values{"code": {"0000 0000 0000 0000"}})
		if res.status != http.StatusNotFound || !strings.Contains(res.body, `aria-invalid="true"`) {
			t.Errorf("%s: wrong code = %d", l.Tag, res.status)
		}
		res = s.postForm(t, "/report/follow-up"+q, url.Values{"code": {code}})
		if res.status != 200 {
			t.Fatalf("%s: open thread = %d", l.Tag, res.status)
		}
		wantLang(t, l.Tag+" empty thread", res, l.Tag)
		seen["thread"] = true

		list, err := s.env.Service.List(context.Background(), admin, access.SystemScope(), intake.ListFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var id string
		for _, r := range list {
			if rep, _ := s.env.Service.Get(context.Background(), admin, access.SystemScope(), r.ID); rep.Details == "Report in "+l.Tag {
				id = r.ID
				if rep.Language != l.Tag {
					t.Errorf("%s: report language = %q", l.Tag, rep.Language)
				}
			}
		}
		for _, q := range []string{"Where exactly?", "How many?", "When?"} {
			if err := s.env.Service.AskReporter(context.Background(), admin, access.SystemScope(), id, q); err != nil {
				t.Fatal(err)
			}
		}
		res = s.postForm(t, "/report/follow-up"+q, url.Values{"code": {code}})
		if !strings.Contains(res.body, "How many?") || !strings.Contains(res.body, `class="open"`) {
			t.Errorf("%s: thread lacks the questions", l.Tag)
		}
		res = s.postForm(t, "/report/follow-up/reply"+q, url.Values{"code": {code}, "message": {" "}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="f-message-error"`) {
			t.Errorf("%s: empty answer = %d", l.Tag, res.status)
		}
		res = s.postForm(t, "/report/follow-up/reply"+q, url.Values{"code": {code}, "message": {"Behind the station"}})
		if res.status != 200 || !strings.Contains(res.body, `class="notice"`) || !strings.Contains(res.body, "Behind the station") {
			t.Errorf("%s: answer = %d", l.Tag, res.status)
		}
		wantLang(t, l.Tag+" thread", res, l.Tag)
		if strings.Contains(res.body, `href="/report/follow-up/reply?`) {
			t.Errorf("%s: a language link leads to the answer form's POST-only address", l.Tag)
		}
	}
	for _, p := range []string{"report", "receipt", "followup", "thread"} {
		if !seen[p] {
			t.Errorf("page %s was not rendered", p)
		}
	}
	if m := s.catalog.Missing(); len(m) > 0 {
		t.Errorf("missing messages: %v", m)
	}
}

func TestLanguageChoice(t *testing.T) {
	s := newSite(t, storagetest.Open(t, storage.SQLite), intake.Config{})
	for _, c := range []struct{ query, accept, want string }{
		{"", "", "en"},
		{"", "ro-RO,ro;q=0.9,en;q=0.5", "ro"},
		{"", "ar-EG", "ar"},
		{"", "sr-RS", "sr"},
		{"", "fr-FR", "en"},
		{"?lang=uk", "ru-RU", "uk"},
		{"?lang=xx", "bg", "bg"},
		{"?lang=" + strings.Repeat("x", 500), "", "en"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/report"+c.query, nil)
		r.Header.Set("Accept-Language", c.accept)
		res := s.do(t, r)
		wantLang(t, c.query+" "+c.accept, res, c.want)
		if !strings.Contains(res.body, `action="/report?lang=`+c.want+`"`) {
			t.Errorf("%q %q: the form does not keep the language", c.query, c.accept)
		}
	}
}

// TestAnonymity: nothing about the client reaches the log, the response
// headers or the database.
func TestAnonymity(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := storage.OpenDataDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := newSite(t, db, intake.Config{})
	const addr, agent = "203.0.113.77", "SecretBrowser/9.9 (Pixel 42)"
	send := func(r *http.Request) response {
		r.RemoteAddr = addr + ":51234"
		r.Header.Set("User-Agent", agent)
		r.Header.Set("X-Forwarded-For", "192.0.2.99")
		r.Header.Set("Accept-Language", "de-AT")
		return s.do(t, r)
	}
	page := send(httptest.NewRequest(http.MethodGet, "/report?lang=de", nil))
	form := reportForm("MARKER-TEXT a flat above the bakery")
	s.work(t, page.body, form)
	body, ct := multipartBody(t, form)
	r := httptest.NewRequest(http.MethodPost, "/report?lang=de", body)
	r.Header.Set("Content-Type", ct)
	res := send(r)
	code := receiptCode(t, res.body)
	r = httptest.NewRequest(http.MethodPost, "/report/follow-up", strings.NewReader(url.Values{"code": {code}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := send(r); res.status != 200 {
		t.Fatalf("follow-up = %d", res.status)
	}
	r = httptest.NewRequest(http.MethodPost, "/report/follow-up", strings.NewReader(url.Values{"code": {"1111 2222 3333 4444"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	send(r)

	log := s.log.String()
	if !strings.Contains(log, `"route":"POST /report"`) {
		t.Errorf("the request log lacks the route: %s", log)
	}
	for _, secret := range []string{addr, "192.0.2.99", "SecretBrowser", "MARKER-TEXT", strings.ReplaceAll(code, " ", ""), code, "1111", "de-AT"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log contains %q:\n%s", secret, log)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		for _, key := range []string{`"addr"`, `"ip"`, `"remote"`, `"ua"`, `"user_agent"`, `"path"`, `"query"`} {
			if strings.Contains(line, key) {
				t.Errorf("a log line has %s: %s", key, line)
			}
		}
	}
	if c := res.header.Get("Set-Cookie"); c != "" {
		t.Errorf("the public pages set a cookie: %s", c)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{addr, "192.0.2.99", "SecretBrowser", "MARKER-TEXT"} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s contains %q", filepath.Base(f), secret)
			}
		}
	}
}

// TestNoScript: without the proof-of-work script the form still works and
// the report waits in the held queue.
func TestNoScript(t *testing.T) {
	s := newSite(t, storagetest.Open(t, storage.SQLite), intake.Config{})
	res := s.postReport(t, "/report", reportForm("Seen from the bus stop"))
	if res.status != 200 || !strings.Contains(res.body, s.catalog.For("en").T("public.receipt.held")) {
		t.Fatalf("no-script report = %d", res.status)
	}
	receiptCode(t, res.body)
	// A URL-encoded form (a very old browser) works too.
	res = s.postForm(t, "/report", reportForm("Encoded"))
	if res.status != 200 {
		t.Errorf("URL-encoded report = %d", res.status)
	}
	held, err := s.env.Service.List(context.Background(), access.Actor{Role: access.Administrator}, access.SystemScope(), intake.ListFilter{Status: intake.StatusHeld})
	if err != nil || len(held) != 2 {
		t.Errorf("held queue = %d, %v", len(held), err)
	}
	// With the script's nonce the report is not held.
	form := reportForm("With script")
	s.work(t, s.get(t, "/report").body, form)
	res = s.postReport(t, "/report", form)
	if strings.Contains(res.body, s.catalog.For("en").T("public.receipt.held")) {
		t.Error("a report with proof of work was held")
	}
}

func TestFormErrorsKeepText(t *testing.T) {
	s := newSite(t, storagetest.Open(t, storage.SQLite), intake.Config{})
	form := reportForm("The text I typed & <b>kept</b>")
	form.Set("urgency", "")
	form.Set("seen_on", "2999-01-01")
	res := s.postReport(t, "/report", form, file{"photo.png", pngBytes(t)})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status = %d", res.status)
	}
	for _, want := range []string{
		"The text I typed &amp; &lt;b&gt;kept&lt;/b&gt;",
		`href="#f-urgency"`, `href="#f-seen_on"`, `id="f-seen_on-error"`,
		`value="hotel" selected`, `value="night" selected`, `value="core.not_free" checked`,
		s.catalog.For("en").T("public.report.files_again"),
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the form shown again lacks %q", want)
		}
	}
}

func TestAttachments(t *testing.T) {
	s := newSite(t, storagetest.Open(t, storage.SQLite), intake.Config{MaxAttachmentSize: 2 << 20})
	admin := access.Actor{Role: access.Administrator}
	form := reportForm("With a photo")
	res := s.postReport(t, "/report", form, file{"IMG_0001.JPG", pngBytes(t)}, file{"doc.pdf", []byte("%PDF-1.4\n%%EOF\n")})
	if res.status != 200 {
		t.Fatalf("upload = %d\n%s", res.status, res.body)
	}
	list, _ := s.env.Service.List(context.Background(), admin, access.SystemScope(), intake.ListFilter{Status: intake.StatusHeld})
	if len(list) != 1 || list[0].Attachments != 2 {
		t.Fatalf("stored = %+v", list)
	}
	rep, _ := s.env.Service.Get(context.Background(), admin, access.SystemScope(), list[0].ID)
	if rep.Attachments[0].MediaType != intake.TypePNG || rep.Attachments[1].MediaType != intake.TypePDF {
		t.Errorf("types = %+v (sniffed, not from the name)", rep.Attachments)
	}

	for _, c := range []struct {
		name  string
		files []file
		key   string
	}{
		{"too large", []file{{"big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 3<<20)...)}}, "public.error.file_too_large"},
		{"wrong type", []file{{"notes.pdf", []byte("just some text")}}, "public.error.file_type"},
		{"too many", []file{{"a.png", pngBytes(t)}, {"b.png", pngBytes(t)}, {"c.png", pngBytes(t)}, {"d.png", pngBytes(t)}}, "public.error.too_many_files"},
	} {
		res := s.postReport(t, "/report", reportForm("Kept text "+c.name), c.files...)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="f-files-error"`) || !strings.Contains(res.body, "Kept text "+c.name) {
			t.Errorf("%s: status %d", c.name, res.status)
		}
		msg := s.catalog.For("en").T(c.key, "n", 0)
		if i := strings.Index(msg, "{"); i > 0 {
			msg = msg[:i]
		}
		if !strings.Contains(res.body, msg[:min(len(msg), 20)]) {
			t.Errorf("%s: message %q missing", c.name, c.key)
		}
	}
}

// TestBodyLimits: the report form may exceed the general 1 MiB limit (with
// attachments), other public forms may not.
func TestBodyLimits(t *testing.T) {
	s := newSite(t, storagetest.Open(t, storage.SQLite), intake.Config{})
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 3<<20)...)
	res := s.postReport(t, "/report", reportForm("Large scan"), file{"scan.pdf", pdf})
	if res.status != 200 {
		t.Errorf("a 3 MiB attachment = %d", res.status)
	}
	big := url.Values{"code": {strings.Repeat("1", 2<<20)}}
	res = s.postForm(t, "/report/follow-up", big)
	if res.status == 200 {
		t.Errorf("a 2 MiB follow-up form was accepted")
	}
}

func TestHoneypot(t *testing.T) {
	s := newSite(t, storagetest.Open(t, storage.SQLite), intake.Config{})
	form := reportForm("Buy cheap watches")
	form.Set("website", "http://spam.example")
	res := s.postReport(t, "/report", form)
	if res.status != 200 {
		t.Fatalf("honeypot = %d", res.status)
	}
	code := receiptCode(t, res.body)
	list, _ := s.env.Service.List(context.Background(), access.Actor{Role: access.Administrator}, access.SystemScope(), intake.ListFilter{Status: intake.StatusHeld})
	if len(list) != 0 {
		t.Errorf("a honeypot submission was stored")
	}
	if res := s.postForm(t, "/report/follow-up", url.Values{"code": {code}}); res.status != http.StatusNotFound {
		t.Errorf("the honeypot's code opens something: %d", res.status)
	}
}

func TestRateLimitPages(t *testing.T) {
	s := newSite(t, storagetest.Open(t, storage.SQLite), intake.Config{SubmitsPerHour: 2, CodeTriesPerHour: 2})
	for i := range 2 {
		if res := s.postReport(t, "/report", reportForm("ok")); res.status != 200 {
			t.Fatalf("report %d = %d", i, res.status)
		}
	}
	res := s.postReport(t, "/report?lang=hr", reportForm("Third report text"))
	if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "Third report text") ||
		!strings.Contains(res.body, s.catalog.For("hr").T("public.error.too_many")) {
		t.Errorf("over the limit = %d", res.status)
	}
	for range 2 {
		s.postForm(t, "/report/follow-up", url.Values{"code": {"1234123412341234"}})
	}
	if res := s.postForm(t, "/report/follow-up", url.Values{"code": {"1234123412341234"}}); res.status != http.StatusTooManyRequests {
		t.Errorf("code guessing over the limit = %d", res.status)
	}
}

// TestNoThirdPartyContent: the pages load nothing from elsewhere and the
// assets they name are served.
func TestNoThirdPartyContent(t *testing.T) {
	s := newSite(t, storagetest.Open(t, storage.SQLite), intake.Config{})
	res := s.get(t, "/report")
	if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP = %q", csp)
	}
	refs := regexp.MustCompile(`(?:src|href|action)="([^"]*)"`).FindAllStringSubmatch(res.body, -1)
	if len(refs) == 0 {
		t.Fatal("no references found")
	}
	for _, m := range refs {
		u := m[1]
		if !strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "#") {
			t.Errorf("reference to elsewhere: %q", u)
		}
		if strings.HasPrefix(u, "/report/assets/") {
			a := s.get(t, strings.ReplaceAll(u, "&amp;", "&"))
			if a.status != 200 || a.header.Get("Cache-Control") == "no-store" {
				t.Errorf("asset %s = %d", u, a.status)
			}
		}
	}
	if res := s.get(t, "/report/assets/app.css"); res.status != 404 {
		t.Errorf("unknown asset = %d", res.status)
	}
	if !slices.ContainsFunc(refs, func(m []string) bool { return strings.HasPrefix(m[1], "/report/assets/pow.js") }) {
		t.Error("the form does not load the proof-of-work script")
	}
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBusyUploads: when the turns to read files are all taken, a report
// with files is shown again with its text and asked to go without files.
func TestBusyUploads(t *testing.T) {
	s := newSiteWith(t, storagetest.Open(t, storage.SQLite), intake.Config{},
		public.Deps{MaxUploads: 1, UploadWait: 50 * time.Millisecond})
	// A slow upload takes the only turn and keeps it.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	slow := httptest.NewRequest(http.MethodPost, "/report", pr)
	slow.Header.Set("Content-Type", mw.FormDataContentType())
	done := make(chan response, 1)
	go func() { done <- s.do(t, slow) }()
	_ = mw.WriteField("details", "slow one")
	fw, _ := mw.CreateFormFile("files", "a.png")
	_, _ = fw.Write(pngBytes(t)[:10])
	time.Sleep(100 * time.Millisecond) // the slow request now holds the turn

	res := s.postReport(t, "/report", reportForm("Second, with a file"), file{"b.png", pngBytes(t)})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Second, with a file") ||
		!strings.Contains(res.body, s.catalog.For("en").T("public.error.busy_files")) {
		t.Errorf("busy upload = %d", res.status)
	}
	// Without files the report goes through at once.
	if res := s.postReport(t, "/report", reportForm("Third, no file")); res.status != 200 {
		t.Errorf("report without files while busy = %d", res.status)
	}
	pw.CloseWithError(io.ErrUnexpectedEOF)
	<-done
}

// TestAttributionCode: a campaign's QR code (?c=) fills in the "how did you
// hear about us" field; a known code is stored with the report, typed in
// any case and spacing; an unknown one is dropped and the reporter gets the
// same receipt page, so the form tells no one which codes exist.
func TestAttributionCode(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			s := newSite(t, storagetest.Open(t, engine), looseLimits)
			ctx := context.Background()
			coord := s.env.User(t, "coord", access.Coordinator, s.env.Org(t, "City", "municipality"))
			now := storage.Now()
			err := s.env.DB.Write(ctx, func(tx *storage.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO campaigns (id, name, starts_on, ends_on, status, created_by, created_at, updated_by, updated_at)
					VALUES ('c1', 'Clean work', '2026-11-01', '2027-01-31', 'running', $1, $2, $1, $2)`, coord.UserID, now); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO campaign_materials (id, campaign_id, title, channel, language, code, created_by, created_at)
					VALUES ('m1', 'c1', 'Poster', 'poster', 'en', 'K7M3PQ', $1, $2)`, coord.UserID, now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			field := regexp.MustCompile(`name="campaign_code"[^>]*value="([^"]*)"`)
			page := s.get(t, "/report?c=k7m3pq&lang=en")
			if m := field.FindStringSubmatch(page.body); m == nil || m[1] != "K7M3PQ" {
				t.Fatalf("the form does not carry the code of the link: %v", m)
			}
			if m := field.FindStringSubmatch(s.get(t, "/report?c=Call+0800+now").body); m == nil || m[1] != "" {
				t.Fatalf("a link put other text into the form: %v", m)
			}

			var receipts []string
			for _, typed := range []string{"k7m 3pq", "ZZZZZZ", ""} {
				page := s.get(t, "/report")
				form := reportForm("Workers sleep on the building site.")
				form.Set("campaign_code", typed)
				s.work(t, page.body, form)
				res := s.postReport(t, "/report", form)
				if res.status != http.StatusOK {
					t.Fatalf("report with code %q = %d", typed, res.status)
				}
				receipts = append(receipts, regexp.MustCompile(`[0-9]{4} [0-9]{4} [0-9]{4} [0-9]{4}`).ReplaceAllString(res.body, ""))
			}
			if receipts[0] != receipts[1] || receipts[1] != receipts[2] {
				t.Error("the receipt page differs between a known, an unknown and no code")
			}
			var known, coded int
			err = s.env.DB.Read(ctx, func(tx *storage.Tx) error {
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports WHERE attribution_code = 'K7M3PQ'`).Scan(&known); err != nil {
					return err
				}
				return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports WHERE attribution_code IS NOT NULL`).Scan(&coded)
			})
			if err != nil || known != 1 || coded != 1 {
				t.Fatalf("%d reports with the code, %d with any code (%v): want 1 and 1", known, coded, err)
			}
		})
	}
}

// TestPublicPlaceKinds: the form offers kinds of place, never the settings
// staff screen in (a workplace inspection, a police stop, a hotline
// call…), in English and German names from the catalogue and in English,
// marked as such, elsewhere; a setting posted anyway is a field error and
// stores nothing, while staff still classify with every place type.
func TestPublicPlaceKinds(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			s := newSite(t, storagetest.Open(t, engine), looseLimits)
			options := regexp.MustCompile(`<option value="([a-z_]+)"`)
			for _, lang := range []string{"en", "de", "ro"} {
				page := s.get(t, "/report?lang="+lang)
				sel := regexp.MustCompile(`(?s)<select id="f-place_type".*?</select>`).FindString(page.body)
				var offered []string
				for _, m := range options.FindAllStringSubmatch(sel, -1) {
					offered = append(offered, m[1])
				}
				for _, setting := range []string{"workplace_inspection", "police_stop", "procurement_site_check", "hotline_call", "outreach"} {
					if slices.Contains(offered, setting) {
						t.Errorf("%s: the public form offers the staff setting %q", lang, setting)
					}
				}
				for _, place := range []string{"car_wash", "construction_site", "private_household", "apartment", "online", "other"} {
					if !slices.Contains(offered, place) {
						t.Errorf("%s: the public form does not offer %q (offers %v)", lang, place, offered)
					}
				}
				if slices.Contains(s.env.Service.PublicPlaceTypes(), "police_stop") || !slices.Contains(s.env.Service.PlaceTypes(), "police_stop") {
					t.Errorf("police_stop: public %v, staff %v", s.env.Service.PublicPlaceTypes(), s.env.Service.PlaceTypes())
				}
			}
			if sel := s.get(t, "/report?lang=de").body; !strings.Contains(sel, `<option value="car_wash">Handwaschanlage</option>`) {
				t.Errorf("the German form does not name the car wash in German")
			}

			page := s.get(t, "/report")
			form := reportForm("Officers stopped a van with twelve workers.")
			form.Set("place_type", "police_stop")
			s.work(t, page.body, form)
			res := s.postReport(t, "/report", form)
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="f-place_type-error"`) {
				t.Fatalf("a staff setting posted as the place = %d", res.status)
			}
			ctx := context.Background()
			var n int
			if err := s.env.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports`).Scan(&n)
			}); err != nil || n != 0 {
				t.Fatalf("%d reports stored (%v), want none", n, err)
			}
		})
	}
}
