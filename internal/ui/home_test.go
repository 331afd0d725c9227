package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/public"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

var homeLang = regexp.MustCompile(`<html lang="([^"]+)" dir="([^"]+)">`)

// TestHomeSignedOut: a visitor without a session finds, at the root, the
// help page in their language with the hotline's number from the
// directory; staff keep their dashboard there; the visit stores nothing.
func TestHomeSignedOut(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			cfg := apptest.Config(t, engine)
			env := apptest.StartWith(t, cfg)
			ctx := context.Background()
			hotline, err := env.App.Accounts.CreateOrganisation(ctx, accounts.System, accounts.NewOrganisation{
				Name: "Riverside Helpline", Kind: accounts.Hotline, Reach: accounts.Reach{Phone: "+00 800 777 12", Hours: "Mon–Sun 7–23"}})
			if err != nil {
				t.Fatal(err)
			}
			const dial = "tel:+0080077712"
			before := requestTraces(t, env)

			const agent, forwarded = "HomeProbe/7.1 (Handset 99)", "198.51.100.201"
			langs := env.App.Catalog.LanguagesFor(public.Area)
			if len(langs) != 13 {
				t.Errorf("public languages = %d, want 13", len(langs))
			}
			for _, l := range langs {
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/?lang=" + l.Tag,
					Header: map[string]string{"User-Agent": agent, "X-Forwarded-For": forwarded}})
				body = html.UnescapeString(body) // the template writes "+" as &#43;
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s: GET / signed out = %d (Location %q)", l.Tag, res.StatusCode, res.Header.Get("Location"))
				}
				wantDir := "ltr"
				if l.Tag == "ar" {
					wantDir = "rtl"
				}
				if m := homeLang.FindStringSubmatch(body); m == nil || m[1] != l.Tag || m[2] != wantDir {
					t.Errorf("%s: html lang and dir = %v, want %s %s", l.Tag, m, l.Tag, wantDir)
				}
				p := env.App.Catalog.For(l.Tag)
				for _, want := range []string{
					"<h1>" + p.T("public.help.title") + "</h1>",
					`href="` + dial + `"`, "+00 800 777 12", "Mon–Sun 7–23", "Riverside Helpline",
					`href="tel:112"`, `href="tel:116000"`,
					`href="/report?lang=` + l.Tag + `"`, `href="/report/follow-up?lang=` + l.Tag + `"`, `href="/login"`,
				} {
					if !strings.Contains(body, want) {
						t.Errorf("%s: the help page lacks %q", l.Tag, want)
					}
				}
				if n := strings.Count(body, "<h1"); n != 1 {
					t.Errorf("%s: %d h1 headings, want 1", l.Tag, n)
				}
				if c := res.Header.Get("Set-Cookie"); c != "" {
					t.Errorf("%s: the help page sets a cookie: %s", l.Tag, c)
				}
				if strings.Contains(body, "⟦") {
					t.Errorf("%s: an untranslated key: %s", l.Tag, regexp.MustCompile(`⟦[^⟧]*⟧`).FindString(body))
				}
			}
			// Without ?lang= the browser's language decides, as on /report.
			_, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/", Header: map[string]string{"Accept-Language": "ro-RO,ro;q=0.9"}})
			body = html.UnescapeString(body)
			if m := homeLang.FindStringSubmatch(body); m == nil || m[1] != "ro" || !strings.Contains(body, dial) {
				t.Errorf("Accept-Language ro: lang %v, number shown %v", m, strings.Contains(body, dial))
			}

			if after := requestTraces(t, env); after != before {
				t.Errorf("visits to the help page left traces: %s, was %s", after, before)
			}
			if engine == storage.SQLite {
				files, _ := filepath.Glob(filepath.Join(cfg.DataDir, "*"))
				for _, f := range files {
					data, err := os.ReadFile(f)
					if err != nil {
						t.Fatal(err)
					}
					for _, secret := range []string{agent, forwarded} {
						if bytes.Contains(data, []byte(secret)) {
							t.Errorf("%s contains %q", filepath.Base(f), secret)
						}
					}
				}
			}

			// A disabled hotline is no longer offered; none left says so.
			if err := env.App.Accounts.SetOrganisationDisabled(ctx, accounts.System, hotline.ID, true); err != nil {
				t.Fatal(err)
			}
			_, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/?lang=de"})
			body = html.UnescapeString(body)
			de := env.App.Catalog.For("de")
			if strings.Contains(body, dial) || !strings.Contains(body, de.T("public.help.hotline_none")) || !strings.Contains(body, `href="tel:112"`) {
				t.Errorf("without an active hotline the page does not say so and still show 112")
			}

			// Staff keep their dashboard at the root.
			worker := env.User("home-worker", access.CaseWorker, env.Org("Safe Harbour", accounts.NGO))
			res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/", Cookie: worker.Cookie})
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>"+env.App.Catalog.For("en").T("dashboard.title")+"</h1>") ||
				strings.Contains(body, `href="tel:112"`) {
				t.Errorf("signed in: GET / = %d, not the dashboard", res.StatusCode)
			}
		})
	}
}

// requestTraces counts the rows a request could leave behind: sessions,
// sign-in throttling, rate limits and audit entries.
func requestTraces(t *testing.T, env *apptest.Env) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		for _, q := range []struct{ name, sql string }{
			{"sessions", `SELECT count(*) FROM sessions`},
			{"login_throttle", `SELECT count(*) FROM login_throttle`},
			{"rate_limits", `SELECT count(*) FROM rate_limits`},
			{"audit_log", `SELECT count(*) FROM audit_log`},
		} {
			var n int
			if err := tx.QueryRowContext(ctx, q.sql).Scan(&n); err != nil {
				return fmt.Errorf("count %s: %w", q.name, err)
			}
			fmt.Fprintf(&b, "%s=%d ", q.name, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(b.String())
}
