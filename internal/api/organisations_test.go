package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage"
)

// TestOrganisationReachAPI: a partner is created with its phone and hours
// and they are changed later; a bad phone number is refused at its field
// with a message in the caller's language and stores nothing.
func TestOrganisationReachAPI(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	cookie := env.Session(t, f.staff[access.Coordinator].ID, true)
	res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/organisations", Cookie: cookie, CType: "application/json",
		Body: `{"name": "Helpline", "kind": "hotline", "phone": "+00 800 555 0800", "hours": "24/7"}`})
	var org struct {
		ID    string `json:"id"`
		Phone string `json:"phone"`
		Hours string `json:"hours"`
	}
	if err := json.Unmarshal([]byte(body), &org); err != nil || res.StatusCode != http.StatusCreated || org.Phone != "+00 800 555 0800" || org.Hours != "24/7" {
		t.Fatalf("create: status %d, %+v, %v", res.StatusCode, org, err)
	}

	before := env.Fingerprint(t)
	res, body = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/organisations/" + org.ID + "/reach", Cookie: cookie,
		CType: "application/json", Header: map[string]string{"Accept-Language": "de"}, Body: `{"phone": "ring twice", "hours": "24/7"}`})
	e := decodeError(t, res, body)
	if res.StatusCode != http.StatusUnprocessableEntity || len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != "phone" ||
		e.Error.Fields[0].Message != env.App.Catalog.For("de").T("org.phone_invalid") {
		t.Errorf("bad phone: status %d, %+v", res.StatusCode, e.Error)
	}
	if env.Fingerprint(t) != before {
		t.Error("a refused phone changed the database")
	}

	res, body = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/organisations/" + org.ID + "/reach", Cookie: cookie,
		CType: "application/json", Body: `{"phone": "+00 800 555 0801", "hours": "Mon–Fri 8–20"}`})
	if err := json.Unmarshal([]byte(body), &org); err != nil || res.StatusCode != http.StatusOK || org.Phone != "+00 800 555 0801" || org.Hours != "Mon–Fri 8–20" {
		t.Errorf("set reach: status %d, %+v, %v", res.StatusCode, org, err)
	}
}
