package ui_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestChildFlow walks the child tab: a guardian, a best-interest assessment
// and the transition plan are recorded; bad input and an adult's case get
// the translated error and change nothing.
func TestChildFlow(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			env := f.env
			worker := env.Session(t, f.staff[access.CaseWorker].ID, true)
			id := childCase(t, f)
			page := "/cases/" + id + "/child"
			get := func(path string) string {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: worker})
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: status %d", path, res.StatusCode)
				}
				return body
			}
			post := func(path string, form url.Values, want int) string {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: worker, Form: form})
				if res.StatusCode != want {
					t.Fatalf("POST %s: status %d, want %d", path, res.StatusCode, want)
				}
				return body
			}
			body := get(page)
			for _, want := range []string{`id="child-no-guardian"`, `id="child-transition-missing"`, `id="child-majority"`, `id="child-guardian-submit"`} {
				if !strings.Contains(body, want) {
					t.Errorf("child page lacks %s", want)
				}
			}

			// Bad input shows the errors and records nothing.
			future := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
			for _, rq := range []struct {
				path string
				form url.Values
			}{
				{page + "/guardian", url.Values{"kind": {"appointed_guardian"}, "name": {"X"}, "appointed_on": {future}}},
				{page + "/guardian", url.Values{"kind": {"appointed_guardian"}, "name": {"X"}, "appointed_on": {"2024-05-01"}, "ended_on": {"2024-04-01"}}},
				{page + "/assessments", url.Values{"held_on": {dayToday()}, "participants": {"child"}, "decision": {"other"}, "outcome": {"x"}, "review_on": {"2001-01-01"}}},
				{page + "/transition", url.Values{"status": {"someday"}}},
			} {
				body := post(rq.path, rq.form, http.StatusUnprocessableEntity)
				if !strings.Contains(body, "error-summary") {
					t.Errorf("POST %s %v: no error summary", rq.path, rq.form)
				}
			}
			if body := get(page); !strings.Contains(body, `id="child-no-guardian"`) || strings.Contains(body, `id="child-assessments"`) {
				t.Error("bad input recorded something")
			}

			post(page+"/guardian", url.Values{"kind": {"appointed_guardian"}, "name": {"Elena Vormund"}, "contact": {"+43 1 555 0101"}, "appointed_on": {dayToday()}}, http.StatusSeeOther)
			post(page+"/assessments", url.Values{"held_on": {dayToday()}, "participants": {"child", "guardian"}, "child_heard": {"1"},
				"decision": {"family_based_care"}, "outcome": {"Foster family near her school."}, "review_on": {future}}, http.StatusSeeOther)
			post(page+"/transition", url.Values{"options": {"supported_housing", "education_training"}, "notes": {"Bakery apprenticeship."}, "status": {"drafted"}}, http.StatusSeeOther)
			body = get(page)
			for _, want := range []string{`id="child-guardian-current"`, "Elena Vormund", "Foster family near her school.", "Bakery apprenticeship.", `id="child-transition-state"`} {
				if !strings.Contains(body, want) {
					t.Errorf("child page lacks %q after recording", want)
				}
			}
			if due := deadline(t, env, "best_interest_review", id); due != future {
				t.Errorf("best_interest_review due %q, want %s", due, future)
			}

			// An adult's case: the tab says so, and a guardian is refused with the translated error.
			adult := newCase(t, f, false).ID
			if body := get("/cases/" + adult + "/child"); !strings.Contains(body, `id="child-not-child"`) || strings.Contains(body, `id="child-guardian-submit"`) {
				t.Error("an adult's child tab should say it is not a child's case and offer no guardian form")
			}
			body = post("/cases/"+adult+"/child/guardian", url.Values{"kind": {"legal_guardian"}, "name": {"X"}, "appointed_on": {dayToday()}}, http.StatusConflict)
			if msg := env.App.Catalog.For("en").T("error.child.not_child"); !strings.Contains(body, html.EscapeString(msg)) {
				t.Error("the refusal does not say the case is not a child's")
			}

			// Another organisation finds nothing.
			res, _ := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: page, Cookie: env.Session(t, f.outsider.ID, true)})
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("GET as another organisation: status %d, want 404", res.StatusCode)
			}

			// A closed case takes no change.
			if _, err := env.App.Cases.MoveStage(context.Background(), f.staff[access.CaseWorker].Actor, id, cases.Closed, "person_declined"); err != nil {
				t.Fatalf("close: %v", err)
			}
			post(page+"/transition", url.Values{"status": {"agreed"}}, http.StatusConflict)
			if body := get(page); strings.Contains(body, `id="child-transition-submit"`) {
				t.Error("a closed case should offer no forms")
			}
			if missing := missingKeys(env, "child.", "error.child."); len(missing) > 0 {
				t.Errorf("child pages asked for message keys no catalogue has: %v", missing)
			}
		})
	}
}
