package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage/storagetest"
)

// targetCase opens a case of organisation A.
func targetCase(t *testing.T, f *fixture) string {
	t.Helper()
	c, err := f.env.App.Cases.Open(context.Background(), f.staff[access.CaseWorker].Actor, cases.NewCase{
		Person: cases.PersonInput{Person: cases.Person{GivenNames: "Irina", FamilyName: "Secretova"}, Gender: "feminine",
			AgeBand: "25-34", ContactMethod: "phone", Exploitation: []string{"sexual"}},
	})
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	return c.ID
}

func TestCasesAPI(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			id := targetCase(t, f)
			cookie := f.env.Session(t, f.staff[access.CaseWorker].ID, true)
			res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/v1/cases?exploitation=sexual&q=secretova", Cookie: cookie})
			var list struct {
				Cases []map[string]any `json:"cases"`
			}
			if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &list) != nil || len(list.Cases) != 1 || list.Cases[0]["id"] != id {
				t.Fatalf("list: %d %s", res.StatusCode, body)
			}
			res, body = f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/v1/cases/" + id, Cookie: cookie})
			if res.StatusCode != http.StatusOK || !json.Valid([]byte(body)) {
				t.Fatalf("get: %d %s", res.StatusCode, body)
			}
			for _, secret := range []string{"Irina", "Secretova"} {
				if strings.Contains(body, secret) {
					t.Errorf("the case JSON holds the name %q", secret)
				}
			}
			res, body = f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/v1/cases?risk=extreme", Cookie: cookie})
			if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("bad filter: %d %s", res.StatusCode, body)
			}
			if !strings.Contains(body, string(apperr.Invalid)) {
				t.Errorf("bad filter answer: %s", body)
			}
		})
	}
}
