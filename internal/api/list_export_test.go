package api_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage/storagetest"
)

func init() {
	for _, p := range []string{"GET /api/v1/cases.csv", "GET /api/v1/cases.xlsx", "GET /api/v1/deadlines.csv", "GET /api/v1/deadlines.xlsx"} {
		apiCases[p] = apiCase{}
	}
}

// TestListExportAPI: the API's case list file has the list's filtered
// rows under headings in the caller's language, names only for the case
// team; the coordinator asking for names is refused with the translated
// message, the analyst cannot export.
func TestListExportAPI(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			targetCase(t, f)
			worker := f.env.Session(t, f.staff[access.CaseWorker].ID, true)
			get := func(cookie, path string) (*http.Response, string) {
				return f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: cookie, Header: map[string]string{"Accept-Language": "de"}})
			}
			res, body := get(worker, "/api/v1/cases.csv?exploitation=sexual&personal=1")
			rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if res.StatusCode != http.StatusOK || err != nil || len(rows) != 2 || rows[0][0] != "Fallcode" || rows[1][14] != "Secretova" {
				t.Fatalf("export: %d %q %v", res.StatusCode, rows, err)
			}
			if _, body := get(worker, "/api/v1/cases.csv?exploitation=labour"); strings.Count(body, "\n") != 1 {
				t.Errorf("filter not applied:\n%s", body)
			}
			res, body = get(f.env.Session(t, f.staff[access.Coordinator].ID, true), "/api/v1/cases.csv?personal=1")
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Ihre Rolle darf keine personenbezogenen Daten") {
				t.Errorf("coordinator asking for names: %d %s", res.StatusCode, body)
			}
			if res, _ := get(f.env.Session(t, f.staff[access.Analyst].ID, true), "/api/v1/cases.csv"); res.StatusCode != http.StatusForbidden {
				t.Errorf("analyst export: %d", res.StatusCode)
			}
		})
	}
}
