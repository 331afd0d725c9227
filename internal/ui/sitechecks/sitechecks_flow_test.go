package sitechecksui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// rows counts the rows of the site checks' tables and the screenings.
func rows(t *testing.T, env *apptest.Env) string {
	t.Helper()
	ctx := context.Background()
	var out []string
	err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		for _, table := range []string{"site_checks", "site_check_findings", "site_check_actions", "site_check_screenings", "screenings"} {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
				return err
			}
			out = append(out, fmt.Sprint(n))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "/")
}

func send(t *testing.T, env *apptest.Env, u apptest.User, method, path string, form url.Values, want int, lang ...string) (*http.Response, string) {
	t.Helper()
	cookie := u.Cookie
	if len(lang) > 0 {
		cookie += "; lang=" + lang[0]
	}
	res, body := env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: cookie, Form: form})
	if res.StatusCode != want {
		t.Fatalf("%s %s as %s: status %d, want %d\n%s", method, path, u.Username, res.StatusCode, want, body)
	}
	return res, body
}

// contractWithSite records a cleaning contract and its site.
func contractWithSite(t *testing.T, env *apptest.Env, officer access.Actor, subject, site string) (string, string) {
	t.Helper()
	ctx, p := context.Background(), env.App.Procurement
	sup, err := p.CreateSupplier(ctx, officer, procurement.SupplierInput{LegalName: subject + " Ltd", Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.CreateContract(ctx, officer, procurement.ContractInput{Authority: "City", Subject: subject, CPV: "90910000-9",
		Value: "100000", Currency: "EUR", StartsOn: "2026-01-01", EndsOn: "2027-12-31", SupplierID: sup.ID})
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.CreateSite(ctx, officer, c.ID, procurement.SiteInput{SupplierID: sup.ID, Name: site, Address: "Market Square 1",
		Country: "DE", Type: "premises", Workers: "9"})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID, s.ID
}

func checkForm(contract string) url.Values {
	return url.Values{"contract_id": {contract}, "checked_on": {"2026-01-15"}, "inspectors": {"Two procurement officers"}, "organisation": {"City"},
		"announced": {"unannounced"}, "public_premises": {"yes"}, "workers_present": {"9"}, "workers_spoken": {"4"}, "spoken_apart": {"yes"},
		"contracts_shown": {"yes"}, "no_day_off": {"yes"}, "documents_held": {"yes"}, "housed_by_employer": {"no"}}
}

func TestSiteCheckPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			city := env.Org("City Office", accounts.Municipality)
			ngo := env.Org("Safe Harbour", accounts.NGO)
			officer := env.User("procurement", access.ProcurementOfficer, city)
			coordinator := env.User("coordinator", access.Coordinator, city)
			caseworker := env.User("caseworker", access.CaseWorker, ngo)
			contract, site := contractWithSite(t, env, officer.Actor, "Cleaning of City Hall", "City Hall")
			other, _ := contractWithSite(t, env, officer.Actor, "Building works at the school", "School")

			_, body := send(t, env, officer, http.MethodGet, "/procurement/sites/"+site+"/checks", nil, http.StatusOK)
			if !strings.Contains(body, `href="/procurement/sites/`+site+`/checks/new"`) {
				t.Errorf("the site's checks offer no way to start one")
			}
			_, body = send(t, env, officer, http.MethodGet, "/procurement/sites/"+site+"/checks/new", nil, http.StatusOK)
			if !strings.Contains(body, `name="documents_held"`) || !strings.Contains(body, "never a worker") || !strings.Contains(body, `value="`+contract+`"`) {
				t.Errorf("check form lacks the questionnaire, the no-personal-data hint or the contract")
			}
			// A site of another contract: a translated error, nothing stored.
			before := rows(t, env)
			for lang, want := range map[string]string{"en": "This site belongs to another contract", "de": "Dieser Einsatzort gehört zu einem anderen Auftrag"} {
				_, body = send(t, env, officer, http.MethodPost, "/procurement/sites/"+site+"/checks/new", checkForm(other), http.StatusUnprocessableEntity, lang)
				if !strings.Contains(body, want) || !strings.Contains(body, `value="yes" id="f-documents_held" checked`) {
					t.Errorf("%s: the refused check does not say %q or lost its answers", lang, want)
				}
			}
			// Without JavaScript, the housing questions follow a yes on asking.
			housed := checkForm(contract)
			housed.Set("housed_by_employer", "yes")
			housed.Set("forms:action", "refresh")
			_, body = send(t, env, officer, http.MethodPost, "/procurement/sites/"+site+"/checks/new", housed, http.StatusOK)
			if !strings.Contains(body, `name="housing_poor"`) || !strings.Contains(body, `value="Two procurement officers"`) {
				t.Errorf("asking for the questions that follow shows no housing question or loses the form")
			}
			if after := rows(t, env); after != before {
				t.Errorf("a refused check changed %s to %s", before, after)
			}
			res, _ := send(t, env, officer, http.MethodPost, "/procurement/sites/"+site+"/checks/new", checkForm(contract), http.StatusSeeOther)
			checkPath := strings.Split(res.Header.Get("Location"), "?")[0]
			_, body = send(t, env, officer, http.MethodGet, checkPath, nil, http.StatusOK)
			for _, want := range []string{`id="check-screen"`, `id="screening-not-started"`, "Workers do not hold their own identity documents.",
				"Workers had no day off in the last seven days.", `id="finding-submit"`} {
				if !strings.Contains(body, want) {
					t.Errorf("check page lacks %s", want)
				}
			}
			_, body = send(t, env, coordinator, http.MethodGet, checkPath, nil, http.StatusOK)
			if strings.Contains(body, `id="check-screen"`) || strings.Contains(body, `id="finding-submit"`) {
				t.Errorf("the coordinator, who reads checks, is offered to change them")
			}
			send(t, env, caseworker, http.MethodGet, checkPath, nil, http.StatusForbidden)

			// Screen the workers: a pre-filled screening, continued at its questions.
			res, _ = send(t, env, officer, http.MethodPost, checkPath+"/screening", url.Values{}, http.StatusSeeOther)
			next := res.Header.Get("Location")
			if !strings.HasPrefix(next, "/screenings/") || !strings.HasSuffix(next, "/questions?page=1") {
				t.Fatalf("screening goes to %s", next)
			}
			_, body = send(t, env, officer, http.MethodGet, next, nil, http.StatusOK)
			if !strings.Contains(body, `name="answers.core.documents_held" value="yes" id="f-answers.core.documents_held" checked`) {
				t.Errorf("the screening's first page does not show the papers already answered yes")
			}
			_, body = send(t, env, officer, http.MethodGet, checkPath, nil, http.StatusOK)
			if !strings.Contains(body, `id="screening-started"`) {
				t.Errorf("the check does not show the screening started")
			}
			send(t, env, coordinator, http.MethodPost, checkPath+"/screening", url.Values{}, http.StatusForbidden)

			// A corrective action past its deadline shows on the contract's list.
			_, body = send(t, env, officer, http.MethodGet, checkPath, nil, http.StatusOK)
			findingPath := "/procurement/check-findings/" + between(body, `href="/procurement/check-findings/`, `"`)
			send(t, env, officer, http.MethodPost, findingPath+"/actions", url.Values{"action": {"Return the documents"}, "owner": {"supplier"},
				"due_on": {"2026-01-20"}, "verification": {"Unannounced visit"}, "status": {"open"}, "verified_on": {""}}, http.StatusSeeOther)
			// Verified without the date it was verified: that is what the
			// officer is told, in their language, and nothing is stored.
			before = rows(t, env)
			for lang, want := range map[string]string{"en": "Give the date it was verified.", "de": "Geben Sie das Datum an, an dem die Maßnahme überprüft wurde."} {
				_, body := send(t, env, officer, http.MethodPost, findingPath+"/actions", url.Values{"action": {"Return the documents"}, "owner": {"supplier"},
					"due_on": {"2026-01-20"}, "verification": {"Unannounced visit"}, "status": {"verified"}, "verified_on": {""}}, http.StatusUnprocessableEntity, lang)
				if !strings.Contains(body, want) {
					t.Errorf("verified without a date in %s: no %q", lang, want)
				}
			}
			if after := rows(t, env); after != before {
				t.Errorf("an action verified without a date changed %s to %s", before, after)
			}
			_, body = send(t, env, coordinator, http.MethodGet, "/procurement/contracts/"+contract+"/checks", nil, http.StatusOK)
			if !strings.Contains(body, `id="checks-overdue"><strong class="badge failed">1</strong>`) || !strings.Contains(body, `id="checks-screenings">1<`) ||
				!strings.Contains(body, `<td>City Hall</td>`) || !strings.Contains(between(body, `id="overdue-list"`, `</ul>`), "Return the documents") {
				t.Errorf("the contract's checks do not show the site, the overdue action and the screening started")
			}
			for path, ctype := range map[string]string{"/checks/export.csv": "text/csv", "/checks/export.xlsx": "application/vnd.openxmlformats"} {
				res, body := send(t, env, coordinator, http.MethodGet, "/procurement/contracts/"+contract+path, nil, http.StatusOK)
				if !strings.HasPrefix(res.Header.Get("Content-Type"), ctype) || len(body) == 0 {
					t.Errorf("%s: %s", path, res.Header.Get("Content-Type"))
				}
			}
			send(t, env, caseworker, http.MethodGet, "/procurement/contracts/"+contract+"/checks", nil, http.StatusForbidden)

			// Every page in both languages, with no message key left untranslated.
			_, body = send(t, env, officer, http.MethodGet, findingPath, nil, http.StatusOK)
			actionPath := "/procurement/check-actions/" + between(body, `href="/procurement/check-actions/`, `"`)
			for _, path := range []string{"/procurement/contracts/" + contract + "/checks", "/procurement/sites/" + site + "/checks",
				"/procurement/sites/" + site + "/checks/new", checkPath, findingPath, actionPath} {
				for _, lang := range []string{"en", "de"} {
					_, body := send(t, env, officer, http.MethodGet, path, nil, http.StatusOK, lang)
					if strings.Contains(body, "sitechecks.") || !strings.Contains(body, `<html lang="`+lang+`"`) {
						t.Errorf("%s in %s shows an untranslated key or another language", path, lang)
					}
				}
			}
		})
	}
}

// between returns the text after the first from and before the next to.
func between(s, from, to string) string {
	_, after, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, to)
	return v
}
