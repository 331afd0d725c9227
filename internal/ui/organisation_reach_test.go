package ui_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage"
)

// escaped is s as html/template writes it in text.
func escaped(s string) string { return strings.ReplaceAll(html.EscapeString(s), "+", "&#43;") }

// TestOrganisationReach: the coordinator records a partner's phone and
// hours (bad input comes back with a translated error and stores nothing);
// the partner list and the page on whom to call show them, the number as a
// tel: link.
func TestOrganisationReach(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	coordinator := env.Session(t, f.staff[access.Coordinator].ID, true)
	screener := env.Session(t, f.staff[access.Screener].ID, true)
	path := "/organisations/" + f.orgB + "/reach"
	for _, lang := range env.App.Catalog.Languages() {
		p := env.App.Catalog.For(lang.Tag)
		h := map[string]string{"Accept-Language": lang.Tag}
		if res, page := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: coordinator, Header: h}); res.StatusCode != http.StatusOK ||
			!strings.Contains(page, html.EscapeString(p.T("orgs.reach_title"))) || !strings.Contains(page, `name="phone" type="tel"`) {
			t.Errorf("%s: reach form: status %d", lang.Tag, res.StatusCode)
		}
		before := env.Fingerprint(t)
		res, page := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: coordinator, Header: h,
			Form: url.Values{"phone": {"ask the desk"}, "hours": {"24/7"}}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, escaped(p.T("org.phone_invalid"))) ||
			!strings.Contains(page, `value="ask the desk"`) {
			t.Errorf("%s: bad phone: status %d", lang.Tag, res.StatusCode)
		}
		if env.Fingerprint(t) != before {
			t.Errorf("%s: a refused phone changed the database", lang.Tag)
		}
	}
	res, _ := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: coordinator,
		Form: url.Values{"phone": {" +00 555 0140 "}, "hours": {"Mon–Fri 8–16"}}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/organisations?reach=1" {
		t.Fatalf("save: status %d, location %q", res.StatusCode, res.Header.Get("Location"))
	}
	link := `<a href="tel:&#43;005550140">&#43;00 555 0140</a>`
	_, list := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/organisations?reach=1", Cookie: coordinator})
	if !strings.Contains(list, env.App.Catalog.For("en").T("orgs.reach_saved")) || !strings.Contains(list, link) || !strings.Contains(list, "Mon–Fri 8–16") {
		t.Errorf("partner list lacks the notice or the phone and hours:\n%s", list)
	}
	_, contacts := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/guide/contacts", Cookie: screener})
	if !strings.Contains(contacts, "Organisation B: "+link+" · Mon–Fri 8–16") {
		t.Errorf("whom to call lacks the phone and hours:\n%s", contacts)
	}
	if m := env.App.Catalog.Missing(); len(m) != 0 {
		t.Errorf("missing message keys: %v", m)
	}
}
