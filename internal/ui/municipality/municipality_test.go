package municipality_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// TestMunicipalityHubPrevention: the hub links outreach, businesses, joint
// inspections and intelligence for the roles that may use each, in English
// and German; the labour inspectorate's screener, whom the hub does not
// serve, finds inspections and intelligence in the menu.
func TestMunicipalityHubPrevention(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			city := env.Org("Human Rights Office", accounts.Municipality)
			ngo := env.Org("Safe Harbour", accounts.NGO)
			police := env.Org("City Police", accounts.Police)
			labour := env.Org("Labour Inspectorate", accounts.LabourInspectorate)
			areas := []string{"/outreach", "/businesses", "/inspections", "/intelligence"}
			for _, tc := range []struct {
				user apptest.User
				want []string
			}{
				{env.User("coord", access.Coordinator, city), areas},
				{env.User("worker", access.CaseWorker, ngo), []string{"/outreach", "/intelligence"}},
				{env.User("officer", access.PoliceContact, police), []string{"/inspections", "/intelligence"}},
				{env.User("buyer", access.ProcurementOfficer, city), []string{"/businesses", "/intelligence"}},
				{env.User("analyst", access.Analyst, city), nil},
			} {
				for _, lang := range []string{"en", "de"} {
					res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/municipality", Cookie: tc.user.Cookie,
						Header: map[string]string{"Accept-Language": lang}})
					if res.StatusCode != http.StatusOK {
						t.Fatalf("%s hub in %s: %d", tc.user.Username, lang, res.StatusCode)
					}
					main := body[strings.Index(body, "<main"):]
					for _, href := range areas {
						if got, want := strings.Contains(main, `href="`+href+`"`), strings.Contains(strings.Join(tc.want, " "), href); got != want {
							t.Fatalf("%s hub in %s links %s: %v, want %v: %s", tc.user.Username, lang, href, got, want, main)
						}
					}
				}
			}
			inspector := env.User("inspector", access.Screener, labour)
			if res, _ := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/municipality", Cookie: inspector.Cookie}); res.StatusCode != http.StatusForbidden {
				t.Fatalf("screener's hub: %d", res.StatusCode)
			}
			for lang, label := range map[string]string{"en": ">Inspections<", "de": ">Kontrollen<"} {
				_, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/", Cookie: inspector.Cookie, Header: map[string]string{"Accept-Language": lang}})
				nav := body[:strings.Index(body, "<main")]
				if !strings.Contains(nav, `href="/inspections"`) || !strings.Contains(nav, label) || !strings.Contains(nav, `href="/intelligence"`) {
					t.Fatalf("screener's menu in %s: %s", lang, nav)
				}
			}
		})
	}
}
