package public_test

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/public"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// lines answers the help page's question for the local help lines.
func lines(list ...accounts.Contact) func(context.Context) ([]accounts.Contact, error) {
	return func(context.Context) ([]accounts.Contact, error) { return list, nil }
}

var (
	helpline = accounts.Contact{Name: "Helpline 0800", Kind: accounts.Hotline, Reach: accounts.Reach{Phone: "+00 800 555 0800", Hours: "24/7"}}
	cityline = accounts.Contact{Name: "City Line", Kind: accounts.Hotline, Reach: accounts.Reach{Phone: "0800 12 34", Hours: "Mon–Fri 8–20"}}
)

// TestHelpEveryLanguage renders the help page in every public language
// with two help lines: each is offered to call, with its hours, beside 112,
// 116 000, the rights, the way to report and the staff sign-in.
func TestHelpEveryLanguage(t *testing.T) {
	s := newSiteWith(t, storagetest.Open(t, storage.SQLite), intake.Config{}, public.Deps{Hotlines: lines(cityline, helpline)})
	langs := s.catalog.LanguagesFor(public.Area)
	if len(langs) != 13 {
		t.Errorf("public languages = %d, want 13", len(langs))
	}
	for _, l := range langs {
		res := s.get(t, "/?lang="+l.Tag)
		if res.status != http.StatusOK {
			t.Fatalf("%s: GET / = %d", l.Tag, res.status)
		}
		wantLang(t, l.Tag+" help", res, l.Tag)
		body := html.UnescapeString(res.body)
		p := s.catalog.For(l.Tag)
		for _, want := range []string{
			"<h1>" + p.T("public.help.title") + "</h1>", `<main id="main"`,
			`href="tel:112"`, p.T("public.help.danger_call"), `href="tel:116000"`,
			`href="tel:+008005550800"`, ">+00 800 555 0800<", "<bdi>24/7</bdi>", "Helpline 0800",
			`href="tel:08001234"`, ">0800 12 34<", "<bdi>Mon–Fri 8–20</bdi>", "City Line",
			p.T("public.help.right_assistance"), p.T("public.help.right_punishment"),
			`href="/report?lang=` + l.Tag + `"`, `href="/report/follow-up?lang=` + l.Tag + `"`,
			`<a href="/login">` + p.T("public.help.staff") + `</a>`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the help page lacks %q", l.Tag, want)
			}
		}
		if n := strings.Count(body, "<h1"); n != 1 {
			t.Errorf("%s: %d h1 headings, want 1", l.Tag, n)
		}
		// The page begins with what to do in danger; the banner other
		// pages carry would say it twice.
		if strings.Contains(body, `class="emergency"`) {
			t.Errorf("%s: the help page repeats the emergency banner", l.Tag)
		}
		for _, o := range langs {
			if !strings.Contains(res.body, fmt.Sprintf(`href="/?lang=%s" lang="%s"`, o.Tag, o.Tag)) {
				t.Errorf("%s: no link to the help page in %s", l.Tag, o.Tag)
			}
		}
		// Every public page leads back to the help page.
		if form := s.get(t, "/report?lang="+l.Tag); !strings.Contains(form.body, `href="/?lang=`+l.Tag+`">`+p.T("public.nav.help")+`<`) {
			t.Errorf("%s: the report form does not link to the help page", l.Tag)
		}
	}
	if m := s.catalog.Missing(); len(m) > 0 {
		t.Errorf("missing messages: %v", m)
	}
}

// TestHelpWithoutHotlines: with no help line in the directory, or a
// directory that cannot be read, the page says so and still gives 112 and
// 116 000.
func TestHelpWithoutHotlines(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	failing := func(context.Context) ([]accounts.Contact, error) { return nil, errors.New("database is down") }
	for _, c := range []struct {
		name string
		deps public.Deps
		key  string
	}{
		{"none listed", public.Deps{Hotlines: lines()}, "public.help.hotline_none"},
		{"no directory", public.Deps{}, "public.help.hotline_none"},
		{"directory unreadable", public.Deps{Hotlines: failing}, "public.help.hotline_unavailable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSiteWith(t, db, intake.Config{}, c.deps)
			res := s.get(t, "/?lang=uk")
			if res.status != http.StatusOK {
				t.Fatalf("GET / = %d", res.status)
			}
			for _, want := range []string{s.catalog.For("uk").T(c.key), `href="tel:112"`, `href="tel:116000"`} {
				if !strings.Contains(html.UnescapeString(res.body), want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			if strings.Contains(res.body, `class="lines"`) {
				t.Error("the page lists help lines")
			}
		})
	}
}

// TestHelpAnonymity: the help page reads nothing about the visitor into
// the log or the response, and sets no cookie.
func TestHelpAnonymity(t *testing.T) {
	s := newSiteWith(t, storagetest.Open(t, storage.SQLite), intake.Config{}, public.Deps{Hotlines: lines(helpline)})
	const addr, agent = "203.0.113.91", "QuietPhone/3.2 (Model 7)"
	r := httptest.NewRequest(http.MethodGet, "/?lang=ar", nil)
	r.RemoteAddr = addr + ":40001"
	r.Header.Set("User-Agent", agent)
	r.Header.Set("X-Forwarded-For", "192.0.2.45")
	r.Header.Set("Referer", "https://search.example/?q=help")
	res := s.do(t, r)
	if res.status != http.StatusOK {
		t.Fatalf("GET / = %d", res.status)
	}
	wantLang(t, "help", res, "ar")
	if c := res.header.Get("Set-Cookie"); c != "" {
		t.Errorf("the help page sets a cookie: %s", c)
	}
	if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP = %q", csp)
	}
	log := s.log.String()
	if !strings.Contains(log, `"route":"GET /{$}"`) {
		t.Errorf("the request log lacks the route: %s", log)
	}
	for _, secret := range []string{addr, agent, "192.0.2.45", "search.example", "lang=ar"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log contains %q:\n%s", secret, log)
		}
	}
	for _, secret := range []string{addr, agent, "192.0.2.45", "search.example"} {
		if strings.Contains(res.body, secret) {
			t.Errorf("the page shows %q", secret)
		}
	}
	// Everything the page loads or links is this site's own, or a number to call.
	for _, m := range regexp.MustCompile(`(?:src|href|action)="([^"]*)"`).FindAllStringSubmatch(res.body, -1) {
		if u := m[1]; !strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "#") && !strings.HasPrefix(u, "tel:") {
			t.Errorf("reference to elsewhere: %q", u)
		}
	}
}
