package ui_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestListExportPages: the case list and the deadlines dashboard link
// their files under the current filters; the CSV has the list's rows
// under German headings for a German reader, formulas inert; the XLSX the
// same; names only on the personal file of a case-team role, whom the
// page offers it; the coordinator asking for names gets the translated
// refusal, the analyst cannot reach the lists. The area is set on the
// case page, an unknown one refused in the reader's language.
func TestListExportPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			ngo := env.Org("Safe Harbour", accounts.NGO)
			worker := env.User("worker", access.CaseWorker, ngo)
			coord := env.User("coord", access.Coordinator, ngo)
			analyst := env.User("analyst", access.Analyst, ngo)
			areas := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"harbour","name":"Harbour"},` +
				`"geometry":{"type":"Polygon","coordinates":[[[16.30,48.20],[16.31,48.20],[16.31,48.21],[16.30,48.21],[16.30,48.20]]]}}]}`
			if _, err := env.App.Geo.Upload(ctx, coord.Actor, strings.NewReader(areas), geo.Properties{Name: "name", Code: "code"}); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for i, name := range []string{"=cmd|' /C calc'!A0", "Ana", "Ioana"} {
				in := cases.PersonInput{Person: cases.Person{GivenNames: name, FamilyName: "Popescu"}, Gender: "feminine", AgeBand: "25-34",
					ContactMethod: "phone", Exploitation: []string{"labour"}}
				if i == 2 {
					in.Exploitation = []string{"sexual"}
				}
				c, err := env.App.Cases.Open(ctx, worker.Actor, cases.NewCase{Person: in})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, c.ID)
			}
			get := func(u apptest.User, path, lang string) (*http.Response, string) {
				return env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: u.Cookie, Header: map[string]string{"Accept-Language": lang}})
			}
			post := func(path string, form url.Values, lang string) (*http.Response, string) {
				return env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: worker.Cookie, Form: form,
					Header: map[string]string{"Accept-Language": lang}})
			}

			// The area: an unknown code is refused in German, nothing changes.
			res, body := post("/cases/"+ids[0]+"/area", url.Values{"area": {"atlantis"}}, "de")
			if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Wählen Sie ein Gebiet aus der Liste.") {
				t.Fatalf("unknown area: %d\n%s", res.StatusCode, body)
			}
			if res, _ := post("/cases/"+ids[0]+"/area", url.Values{"area": {"harbour"}}, "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("set area: %d", res.StatusCode)
			}
			if _, body := get(worker, "/cases/"+ids[0], "en"); !strings.Contains(body, `<dd id="case-area">Harbour</dd>`) {
				t.Errorf("case page does not name the area")
			}

			// The list links its files under its filters; names for the worker only.
			_, body = get(worker, "/cases?exploitation=labour&after=x", "en")
			if !strings.Contains(body, `href="/cases.csv?exploitation=labour"`) || !strings.Contains(body, `href="/cases.xlsx?exploitation=labour&amp;personal=1"`) {
				t.Errorf("case list does not link its files under its filter:\n%s", body)
			}
			if _, body := get(coord, "/cases", "en"); !strings.Contains(body, `href="/cases.csv?"`) || strings.Contains(body, "personal=1") {
				t.Errorf("coordinator offered names or no file")
			}
			res, body = get(worker, "/cases.csv?exploitation=labour", "de")
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("CSV: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil || len(rows) != 3 || rows[0][3] != "Phase" {
				t.Fatalf("CSV rows %q: %v", rows, err)
			}
			page, _ := env.App.Cases.List(ctx, worker.Actor, cases.Filter{Exploitation: "labour"})
			var want, got []string
			for _, c := range page.Cases {
				want = append(want, c.Code)
			}
			for _, r := range rows[1:] {
				got = append(got, r[0])
			}
			if !slices.Equal(got, want) {
				t.Errorf("CSV cases %v, list %v", got, want)
			}
			if strings.Contains(body, "Popescu") {
				t.Error("names in the file without personal data")
			}
			// Names ask for a step-up first, then come back to the file.
			res, _ = get(worker, "/cases.csv?personal=1&area=harbour", "en")
			if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/stepup?next="+url.QueryEscape("/cases.csv?personal=1&area=harbour") {
				t.Errorf("personal CSV without a step-up: %d %s", res.StatusCode, loc)
			}
			stepped := worker
			stepped.Cookie = env.Session(t, worker.ID, true)
			res, body = get(stepped, "/cases.csv?personal=1&area=harbour", "en")
			if rows, _ := csv.NewReader(strings.NewReader(body)).ReadAll(); res.StatusCode != http.StatusOK || len(rows) != 2 ||
				rows[1][13] != "'=cmd|' /C calc'!A0" || rows[1][14] != "Popescu" || rows[1][10] != "Harbour" {
				t.Errorf("personal CSV: %d %q", res.StatusCode, rows)
			}
			res, body = get(worker, "/cases.xlsx?stage=all", "en")
			wb, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
			if res.StatusCode != http.StatusOK || err != nil {
				t.Fatalf("XLSX: %d %v", res.StatusCode, err)
			}
			if cells, err := wb.GetRows("Cases"); err != nil || len(cells) != 4 || cells[0][0] != "Case code" {
				t.Errorf("XLSX rows %q: %v", cells, err)
			}
			wb.Close()

			res, body = get(coord, "/cases.csv?personal=1", "de")
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Ihre Rolle darf keine personenbezogenen Daten") {
				t.Errorf("coordinator asking for names: %d", res.StatusCode)
			}
			for _, path := range []string{"/cases.csv?personal=1", "/cases.xlsx", "/deadlines.csv", "/tasks.csv?personal=1", "/reports.csv"} {
				if res, _ := get(analyst, path, "en"); res.StatusCode != http.StatusForbidden {
					t.Errorf("analyst %s: %d", path, res.StatusCode)
				}
			}

			// The task list's files, with the tasks' wording for a role with personal data.
			if _, body := get(worker, "/tasks", "en"); !strings.Contains(body, `href="/tasks.csv?personal=1"`) {
				t.Errorf("task list does not link its files")
			}
			if res, body := get(worker, "/tasks.csv", "de"); res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "Fall,") {
				t.Errorf("tasks CSV: %d %q", res.StatusCode, body)
			}

			// The triage queue's files, with the reporters' words for a role with personal data.
			if _, body := get(worker, "/reports?urgency=child", "en"); !strings.Contains(body, `href="/reports.csv?personal=1&amp;urgency=child"`) {
				t.Errorf("triage queue does not link its files under its filter")
			}
			if res, body := get(worker, "/reports.xlsx?urgency=child", "de"); res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "PK") {
				t.Errorf("reports XLSX: %d", res.StatusCode)
			}

			// The deadlines dashboard's file.
			_, body = get(worker, "/deadlines?days=30&mine=1", "en")
			if !strings.Contains(body, `href="/deadlines.csv?days=30&amp;mine=1"`) {
				t.Errorf("deadlines do not link their file")
			}
			res, body = get(worker, "/deadlines.csv?days=30", "de")
			if rows, err := csv.NewReader(strings.NewReader(body)).ReadAll(); res.StatusCode != http.StatusOK || err != nil || rows[0][0] != "Fällig" {
				t.Errorf("deadlines CSV: %d %q %v", res.StatusCode, rows, err)
			}
		})
	}
}
