package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
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

// TestEvaluateMatchesTheEngine: for every story of the suite, the API gives
// the result the engine gives (which the pages and the command line show),
// and names the given answers the rules did not use.
func TestEvaluateMatchesTheEngine(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	screener := f.staff[access.Screener]
	stories, err := screening.Stories()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stories {
		want, err := f.env.App.Screening.Evaluate(s.Input)
		if err != nil {
			t.Fatal(err)
		}
		body, err := json.Marshal(s.Input)
		if err != nil {
			t.Fatal(err)
		}
		res := f.env.Do(screener, http.MethodPost, "/api/v1/screenings/evaluate", "application/json", strings.NewReader(string(body)))
		var got screening.Evaluation
		if err := json.NewDecoder(res.Body).Decode(&got); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d, %v", s.Name, res.StatusCode, err)
		}
		if got.Outcome != want.Outcome || got.Unanswered != want.Unanswered || !slices.Equal(got.Unused, want.Unused) {
			t.Errorf("%s: API %s (%d unanswered, unused %v), engine %s (%d, %v)", s.Name, got.Outcome, got.Unanswered, got.Unused,
				want.Outcome, want.Unanswered, want.Unused)
		}
		for i, p := range got.Purposes {
			if p.Outcome != want.Purposes[i].Outcome {
				t.Errorf("%s: %s is %s by the API, %s by the engine", s.Name, p.Purpose, p.Outcome, want.Purposes[i].Outcome)
			}
		}
	}
}
