package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// The evaluate endpoint explains the result in the caller's language,
// refuses bad answers field by field, and stores nothing.
func TestEvaluateScreening(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	screener := f.staff[access.Screener]
	before := auditSize(t, f)

	body := `{"setting": "workplace_inspection", "answers": {"core.threats_violence": "yes", "work.excessive_hours": "yes"}}`
	res := f.env.Do(screener, http.MethodPost, "/api/v1/screenings/evaluate", "application/json", strings.NewReader(body))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	var ev screening.Evaluation
	if err := json.NewDecoder(res.Body).Decode(&ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Purposes) == 0 || ev.Text == "" || ev.Disclaimer.Key == "" {
		t.Errorf("evaluation lacks purposes, text or disclaimer: %+v", ev)
	}

	req := `{"answers": {"core.threats_violence": "maybe"}}`
	res = f.env.Do(screener, http.MethodPost, "/api/v1/screenings/evaluate", "application/json", strings.NewReader(req))
	text := apptest.Body(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, "answers.core.threats_violence") {
		t.Errorf("bad answer: status %d %s", res.StatusCode, text)
	}
	if after := auditSize(t, f); after != before {
		t.Errorf("screening wrote %d audit entries; it stores nothing", after-before)
	}
}

func auditSize(t *testing.T, f *fixture) int {
	t.Helper()
	_, total, err := f.env.App.Audit.List(t.Context(), f.env.App.DB, access.SystemScope(), audit.Filter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return total
}
