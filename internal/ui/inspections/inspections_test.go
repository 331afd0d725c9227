package inspectionsui_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/inspections"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// TestPlanFromRegister: on the demo, the coordinator's planning form lists
// the mapping register's places (a police contact point, who may not read
// the locations questionnaire's results, chooses from the lists); one of
// them fills the form in, a plan without agencies is refused in German with
// nothing stored, and the plan and its outcome are recorded.
func TestPlanFromRegister(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			a := env.App
			ctx := context.Background()
			if _, err := demo.Seed(ctx, demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
				Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements,
				Workgroup: a.Workgroup, Training: a.Training, Mapping: a.Mapping}, t.TempDir()); err != nil {
				t.Fatalf("seed demo: %v", err)
			}
			orgs, err := a.Accounts.ListOrganisations(ctx, accounts.System)
			if err != nil {
				t.Fatal(err)
			}
			var police, labour, ngo, city string
			for _, o := range orgs {
				switch o.Kind {
				case accounts.Police:
					police = o.ID
				case accounts.LabourInspectorate:
					labour = o.ID
				case accounts.NGO:
					ngo = o.ID
				case accounts.Municipality:
					city = o.ID
				}
			}
			officer := env.User("officer2", access.PoliceContact, police)
			worker := env.User("worker2", access.CaseWorker, ngo)
			coord := env.User("coord2", access.Coordinator, city)
			do := func(u apptest.User, method, path string, form url.Values) (*http.Response, string) {
				return env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: u.Cookie, Form: form, Header: map[string]string{"Accept-Language": "de"}})
			}
			res, body := do(officer, http.MethodGet, "/inspections/new", nil)
			if res.StatusCode != http.StatusOK || strings.Contains(body, `id="inspections-register"`) {
				t.Fatalf("police planning form: %d %s", res.StatusCode, body)
			}
			res, body = do(coord, http.MethodGet, "/inspections/new", nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="inspections-register"`) ||
				!strings.Contains(body, `href="/inspections/new?location_type=construction_site&amp;area=2"`) {
				t.Fatalf("planning form: %d %s", res.StatusCode, body)
			}
			res, body = do(officer, http.MethodGet, "/inspections/new?location_type=construction_site&area=2", nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `<option value="construction_site" selected>`) || !strings.Contains(body, `<option value="2" selected>`) {
				t.Fatalf("filled-in form: %d %s", res.StatusCode, body)
			}
			form := url.Values{"planned_on": {time.Now().AddDate(0, 0, 7).Format(time.DateOnly)}, "location_type": {"construction_site"}, "area": {"2"},
				"sector": {"construction"}, "site_address_0": {"Pier Road 14"}, "site_type_0": {"construction_site"}}
			res, body = do(officer, http.MethodPost, "/inspections/new", form)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Wählen Sie mindestens eine Behörde.") {
				t.Fatalf("without agencies: %d %s", res.StatusCode, body)
			}
			var n int
			if err := a.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM inspection_sites WHERE address = 'Pier Road 14'`).Scan(&n)
			}); err != nil || n != 0 {
				t.Fatalf("refused plan stored: %d %v", n, err)
			}
			form.Set("agencies", labour)
			form.Add("agencies", police)
			res, _ = do(officer, http.MethodPost, "/inspections/new", form)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("plan: %d", res.StatusCode)
			}
			path := strings.Split(res.Header.Get("Location"), "?")[0]
			// Screen a worker: a screening linked to the inspection,
			// continued at its questions; the officer opens it from the
			// inspection, the coordinator of another organisation sees the
			// count only.
			res, _ = do(officer, http.MethodPost, path+"/screening", url.Values{})
			if next := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(next, "/screenings/") ||
				!strings.HasSuffix(next, "/questions?page=1") {
				t.Fatalf("screen a worker: %d %s", res.StatusCode, next)
			}
			screeningPath := strings.TrimSuffix(res.Header.Get("Location"), "/questions?page=1")
			res, body = do(officer, http.MethodGet, path, nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `href="`+screeningPath+`"`) || !strings.Contains(body, `<dd id="inspection-screenings">1</dd>`) {
				t.Fatalf("the officer's inspection: %d %s", res.StatusCode, body)
			}
			res, body = do(coord, http.MethodGet, path, nil)
			if res.StatusCode != http.StatusOK || strings.Contains(body, `href="`+screeningPath+`"`) || !strings.Contains(body, `id="inspection-counted"`) ||
				!strings.Contains(body, `<dd id="inspection-screenings">1</dd>`) {
				t.Fatalf("the coordinator's inspection: %d %s", res.StatusCode, body)
			}
			res, body = do(officer, http.MethodPost, path+"/outcome", url.Values{"held_on": {time.Now().Format(time.DateOnly)}, "workers_met": {"0"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "angetroffenen Arbeitskräfte können nicht weniger sein") {
				t.Fatalf("fewer met than screened: %d %s", res.StatusCode, body)
			}
			if res, _ = do(officer, http.MethodPost, path+"/outcome", url.Values{"held_on": {time.Now().Format(time.DateOnly)}, "workers_met": {"9"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("outcome: %d", res.StatusCode)
			}
			res, body = do(officer, http.MethodGet, "/inspections", nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "<dd>9</dd>") {
				t.Fatalf("list: %d %s", res.StatusCode, body)
			}
			if res, _ := do(worker, http.MethodGet, "/inspections/new", nil); res.StatusCode != http.StatusForbidden {
				t.Fatalf("case worker: %d", res.StatusCode)
			}
			if res, _ := do(worker, http.MethodPost, path+"/screening", url.Values{}); res.StatusCode != http.StatusForbidden {
				t.Fatalf("case worker screens from an inspection: %d", res.StatusCode)
			}
			res, body = do(officer, http.MethodGet, "/inspections.csv", nil)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(body, "Geplant für,") ||
				!strings.Contains(body, "Pier Road 14") {
				t.Fatalf("CSV export: %d %s", res.StatusCode, body)
			}
			if res, _ = do(coord, http.MethodGet, "/inspections.xlsx", nil); res.StatusCode != http.StatusOK {
				t.Fatalf("XLSX export: %d", res.StatusCode)
			}
			for _, p := range []string{"/inspections.csv", "/inspections.xlsx"} {
				if res, _ := do(worker, http.MethodGet, p, nil); res.StatusCode != http.StatusForbidden {
					t.Fatalf("case worker %s: %d", p, res.StatusCode)
				}
			}
		})
	}
}

// TestInspectorTakesPart: the demo's labour inspectorate is invited to an
// inspection (with the demo's health and tax inspectorates); its
// inspector finds Inspections in the menu, lists and reads it, records
// the outcome, in English and German, and is offered neither planning nor
// the exports (planning is refused). An inspection without the labour
// inspectorate is not listed and reads as missing.
func TestInspectorTakesPart(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			a := env.App
			ctx := context.Background()
			if _, err := demo.Seed(ctx, demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
				Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements,
				Workgroup: a.Workgroup, Training: a.Training, Mapping: a.Mapping}, t.TempDir()); err != nil {
				t.Fatalf("seed demo: %v", err)
			}
			orgs, err := a.Accounts.ListOrganisations(ctx, accounts.System)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[accounts.OrgKind]string{}
			for _, o := range orgs {
				kinds[o.Kind] = o.ID
			}
			labour, health, tax := kinds[accounts.LabourInspectorate], kinds[accounts.HealthInspectorate], kinds[accounts.TaxInspectorate]
			if labour == "" || health == "" || tax == "" {
				t.Fatalf("the demo's inspectorates: %v", kinds)
			}
			coord := env.User("coord2", access.Coordinator, kinds[accounts.Municipality])
			inspector := env.User("inspector2", access.Screener, labour)
			ours, err := a.Inspections.Plan(ctx, coord.Actor, inspections.Input{PlannedOn: time.Now().Format(time.DateOnly), LocationType: "farm",
				Sector: "agriculture", Agencies: []string{labour, health, tax}})
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := a.Inspections.Plan(ctx, coord.Actor, inspections.Input{PlannedOn: time.Now().Format(time.DateOnly), LocationType: "ethnic_business",
				Sector: "hospitality", Agencies: []string{health}})
			if err != nil {
				t.Fatal(err)
			}
			for lang, want := range map[string][]string{
				"en": {"Inspections", "The inspections your organisation takes part in.", "Guidelines for Municipalities – Stepping up local action against human trafficking", "section 3.4"},
				"de": {"Kontrollen", "Die Kontrollen, an denen Ihre Organisation teilnimmt.", "Leitlinien für Kommunen im Donauraum", "Abschnitt 3.4"},
			} {
				do := func(method, path string, form url.Values) (*http.Response, string) {
					return env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: inspector.Cookie, Form: form, Header: map[string]string{"Accept-Language": lang}})
				}
				res, body := do(http.MethodGet, "/inspections", nil)
				if res.StatusCode != http.StatusOK || !strings.Contains(body, `href="/inspections/`+ours.ID+`"`) || strings.Contains(body, theirs.ID) ||
					strings.Contains(body, `href="/inspections/new"`) || strings.Contains(body, `href="/inspections.csv"`) || !strings.Contains(body, `href="/inspections"`) {
					t.Fatalf("%s: the inspector's list: %d %s", lang, res.StatusCode, body)
				}
				for _, w := range want {
					if !strings.Contains(body, w) {
						t.Fatalf("%s: the inspector's list lacks %q: %s", lang, w, body)
					}
				}
				if strings.Contains(body, "p. xii") || strings.Contains(body, "S. xii") {
					t.Fatalf("%s: the source is cited as a page number: %s", lang, body)
				}
				if res, body := do(http.MethodGet, "/inspections/"+ours.ID, nil); res.StatusCode != http.StatusOK || !strings.Contains(body, `id="inspection-screen"`) {
					t.Fatalf("%s: the inspector reads the inspection: %d %s", lang, res.StatusCode, body)
				}
				if res, _ := do(http.MethodGet, "/inspections/"+theirs.ID, nil); res.StatusCode != http.StatusNotFound {
					t.Fatalf("%s: another agency's inspection: %d", lang, res.StatusCode)
				}
				if res, _ := do(http.MethodGet, "/inspections/new", nil); res.StatusCode != http.StatusForbidden {
					t.Fatalf("%s: the inspector plans: %d", lang, res.StatusCode)
				}
			}
			res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/inspections/" + ours.ID + "/outcome", Cookie: inspector.Cookie,
				Form: url.Values{"held_on": {time.Now().Format(time.DateOnly)}, "workers_met": {"7"}}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("the inspector records the outcome: %d %s", res.StatusCode, body)
			}
			if got, err := a.Inspections.Get(ctx, coord.Actor, ours.ID); err != nil || got.Status != inspections.Held || got.WorkersMet != 7 {
				t.Fatalf("after the inspector's outcome: %+v %v", got, err)
			}
		})
	}
}
