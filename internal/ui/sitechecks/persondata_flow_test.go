package sitechecksui_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestSiteCheckNotesNameAWorker: the reviewer's case — site notes saying
// "Ana Popescu told us…" — comes back in en and de with what was found
// quoted on the field and the box to confirm it is not about a person,
// nothing stored; removing the name, or ticking the box, records the check.
func TestSiteCheckNotesNameAWorker(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			city := env.Org("City Office", accounts.Municipality)
			officer := env.User("procurement", access.ProcurementOfficer, city)
			contract, site := contractWithSite(t, env, officer.Actor, "Cleaning of City Hall", "City Hall")
			path := "/procurement/sites/" + site + "/checks/new"
			form := checkForm(contract)
			form.Set("site_notes", "Ana Popescu told us the agency keeps the passports.")
			before := rows(t, env)
			for lang, want := range map[string]string{"en": "This may be about a worker", "de": "Das könnte eine Arbeitskraft betreffen"} {
				_, body := send(t, env, officer, http.MethodPost, path, form, http.StatusUnprocessableEntity, lang)
				body = html.UnescapeString(body)
				if !strings.Contains(body, want) || !strings.Contains(body, "“Ana Popescu told”") || !strings.Contains(body, `id="f-not_about_person"`) {
					t.Errorf("%s: the notes naming a worker are not flagged with what was found and the box", lang)
				}
			}
			if after := rows(t, env); after != before {
				t.Errorf("notes naming a worker changed %s to %s", before, after)
			}
			form.Set("not_about_person", "yes")
			res, _ := send(t, env, officer, http.MethodPost, path, form, http.StatusSeeOther)
			checkPath := res.Header.Get("Location")
			form.Del("not_about_person")
			form.Set("site_notes", "The workers told us the agency keeps the passports.")
			send(t, env, officer, http.MethodPost, path, form, http.StatusSeeOther)

			// A corrective action naming a worker comes back on the finding's page.
			_, body := send(t, env, officer, http.MethodGet, strings.SplitN(checkPath, "?", 2)[0], nil, http.StatusOK)
			findingPath := "/procurement/check-findings/" + between(body, `href="/procurement/check-findings/`, `"`)
			_, body = send(t, env, officer, http.MethodPost, findingPath+"/actions", url.Values{"action": {"Return the papers"}, "owner": {"supplier"},
				"due_on": {"2026-01-20"}, "verification": {"The cleaner Ana shows us her passport"}, "status": {"open"}}, http.StatusUnprocessableEntity, "de")
			if !strings.Contains(html.UnescapeString(body), "Das könnte eine Arbeitskraft betreffen") || !strings.Contains(body, `id="f-not_about_person"`) {
				t.Errorf("an action naming a worker is not flagged on the finding's page")
			}
		})
	}
}
