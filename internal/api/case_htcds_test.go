package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage"
)

func TestCaseHTCDSAPI(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	id := targetCase(t, f)
	cookie := f.env.Session(t, f.staff[access.CaseWorker].ID, true)
	res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/v1/cases/" + id + "/htcds", Cookie: cookie})
	// The age band travels in the pseudonymous variant too (HTCDS has none).
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"cas_Status": "Active"`) || !strings.Contains(body, `"band": "25-34"`) ||
		strings.Contains(body, "Secretova") {
		t.Fatalf("pseudonymous export: %d %s", res.StatusCode, body)
	}
	res, body = f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/v1/cases/" + id + "/htcds?variant=full", Cookie: cookie})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Secretova") {
		t.Fatalf("full export: %d %s", res.StatusCode, body)
	}
	// Export → import opens a new case; fields not kept come back as warnings.
	doc := strings.Replace(body, `"record": {`, `"record": {"prs_MaritalStatus": "Single", `, 1)
	res, body = f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/cases/htcds", Cookie: cookie, Body: doc, CType: "application/json"})
	var out struct {
		ID       string `json:"id"`
		Warnings []struct{ Field, Message string }
	}
	if res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &out) != nil || out.ID == "" || out.ID == id ||
		len(out.Warnings) != 1 || out.Warnings[0].Field != "prs_MaritalStatus" || out.Warnings[0].Message == "" {
		t.Fatalf("import: %d %s", res.StatusCode, body)
	}
	// A bad picklist value is a translated field error; nothing is stored.
	before := f.env.Fingerprint(t)
	bad := strings.Replace(doc, `"Feminine"`, `"Female"`, 1)
	res, body = f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/cases/htcds", Cookie: cookie, Body: bad, CType: "application/json",
		Header: map[string]string{"Accept-Language": "de"}})
	var e errorJSON
	if res.StatusCode != http.StatusUnprocessableEntity || json.Unmarshal([]byte(body), &e) != nil || len(e.Error.Fields) != 1 ||
		e.Error.Fields[0].Field != "prs_Gender" || !strings.Contains(e.Error.Fields[0].Message, "HTCDS") {
		t.Errorf("bad picklist: %d %s", res.StatusCode, body)
	}
	res, _ = f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/cases/htcds", Cookie: cookie, Body: `{"standard":`, CType: "application/json"})
	if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed JSON: %d", res.StatusCode)
	}
	if f.env.Fingerprint(t) != before {
		t.Error("a refused import changed the database")
	}
}
