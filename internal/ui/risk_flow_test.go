package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// dayToday is today's date as a form sends it.
func dayToday() string { return time.Now().UTC().Format(time.DateOnly) }

// TestRiskFlow walks the risk tab: an assessment sets the case's level and
// review, an incident asks for a new assessment, bad input shows the
// translated error and changes nothing, and a closed case takes no change.
func TestRiskFlow(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			env := f.env
			ctx := context.Background()
			worker := env.Session(t, f.staff[access.CaseWorker].ID, true)
			id := newCase(t, f, false).ID
			page := "/cases/" + id + "/risk"
			get := func() string {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: page, Cookie: worker})
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: status %d", page, res.StatusCode)
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
			if body := get(); !strings.Contains(body, `id="risk-none"`) || !strings.Contains(body, `id="f-factors-threatened"`) {
				t.Fatal("a case without assessment should say so and offer the checklist")
			}

			// Bad input: a review in the past, an unknown factor, an unknown level.
			for _, form := range []url.Values{
				{"level": {"high"}, "review_on": {"2001-01-01"}},
				{"level": {"high"}, "factors": {"no_such_factor"}},
				{"level": {"extreme"}},
				{"level": {"low"}, "summary": {strings.Repeat("x", 4001)}},
			} {
				body := post(page, form, http.StatusUnprocessableEntity)
				if !strings.Contains(body, "error-summary") {
					t.Errorf("POST %v: no error summary", form)
				}
			}
			if body := get(); !strings.Contains(body, `id="risk-none"`) {
				t.Error("bad input recorded an assessment")
			}

			post(page, url.Values{"level": {"critical"}, "factors": {"address_known", "family_threatened"}, "summary": {"Brother of the exploiter seen near the shelter."}}, http.StatusSeeOther)
			body := get()
			for _, want := range []string{`id="risk-current-level"`, "Brother of the exploiter seen near the shelter.", `id="case-risk"`} {
				if !strings.Contains(body, want) {
					t.Errorf("risk page lacks %q after the assessment", want)
				}
			}
			if strings.Contains(body, `id="risk-needs-review"`) {
				t.Error("a fresh assessment should not ask for a new one")
			}
			due := deadline(t, env, "risk_review", id)
			if want := time.Now().UTC().AddDate(0, 0, 7).Format(time.DateOnly); due != want {
				t.Errorf("risk_review due %q, want %q (critical: 7 days)", due, want)
			}

			// An incident asks for a new assessment, due today.
			post(page+"/incidents", url.Values{"kind": {"trafficker_found_address"}, "occurred_on": {dayToday()}, "note": {"Car outside at night."}}, http.StatusSeeOther)
			if body := get(); !strings.Contains(body, `id="risk-needs-review"`) || !strings.Contains(body, "Car outside at night.") {
				t.Error("after an incident the page should show the note and ask for a new assessment")
			}
			if due := deadline(t, env, "risk_review", id); due != dayToday() {
				t.Errorf("risk_review due %q after an incident, want today", due)
			}
			post(page+"/incidents", url.Values{"kind": {"threat_received"}, "occurred_on": {"2999-01-01"}}, http.StatusUnprocessableEntity)

			post(page, url.Values{"level": {"medium"}, "review_on": {time.Now().UTC().AddDate(0, 0, 20).Format(time.DateOnly)}}, http.StatusSeeOther)
			body = get()
			if strings.Contains(body, `id="risk-needs-review"`) || !strings.Contains(body, `id="risk-history"`) {
				t.Error("a new assessment should clear the notice and keep the old one in the history")
			}

			// The summary and the note are not stored in the clear.
			err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM risk_assessments WHERE case_id = $1 AND summary IS NOT NULL`, id).Scan(&n); err != nil {
					return err
				}
				if n != 1 {
					t.Errorf("%d sealed summaries, want 1", n)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			// Someone of another organisation finds nothing.
			res, _ := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: page, Cookie: env.Session(t, f.outsider.ID, true)})
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("GET as another organisation: status %d, want 404", res.StatusCode)
			}

			// A closed case takes no new assessment.
			if _, err := env.App.Cases.MoveStage(ctx, f.staff[access.CaseWorker].Actor, id, cases.Closed, "person_declined"); err != nil {
				t.Fatalf("close: %v", err)
			}
			post(page, url.Values{"level": {"low"}}, http.StatusConflict)
			if body := get(); strings.Contains(body, `id="risk-assess-submit"`) {
				t.Error("a closed case should offer no assessment form")
			}
			if missing := missingKeys(env, "risk.", "error.risk."); len(missing) > 0 {
				t.Errorf("risk pages asked for message keys no catalogue has: %v", missing)
			}
		})
	}
}

// missingKeys lists the missing message keys the pages asked for that
// start with one of prefixes: the keys of one capability's own area (the
// case header's keys belong to the case pages and their own tests).
func missingKeys(env *apptest.Env, prefixes ...string) []string {
	var out []string
	for _, k := range env.App.Catalog.Missing() {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// deadline returns the due day of a case deadline, "" if there is none.
func deadline(t *testing.T, env *apptest.Env, kind, refID string) string {
	t.Helper()
	ctx := context.Background()
	var due string
	err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT due_on FROM case_deadlines WHERE kind = $1 AND ref_id = $2`, kind, refID).Scan(&due)
		if err != nil && strings.Contains(err.Error(), "no rows") {
			return nil
		}
		return err
	})
	if err != nil {
		t.Fatalf("load deadline: %v", err)
	}
	return due
}
