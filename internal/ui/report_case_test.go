package ui_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestReportToCase turns a report into a case: a case worker lands on the
// new case, a hotline operator (whose organisation A works on cases and the
// protocol names nobody) back on the report; the report leaves the queue as
// "turned into a case" and cannot be turned twice.
func TestReportToCase(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			for _, tc := range []struct {
				role access.Role
				to   string
			}{{access.CaseWorker, "/cases/"}, {access.HotlineOperator, "/reports/"}} {
				id := targetReport(t, f)
				cookie := f.env.Session(t, f.staff[tc.role].ID, true)
				form := url.Values{"legal_basis": {"child_protection"}}
				res, _ := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/reports/" + id + "/case", Cookie: cookie, Form: form})
				target := res.Header.Get("Location")
				if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(target, tc.to) {
					t.Fatalf("%s: status %d to %q", tc.role, res.StatusCode, target)
				}
				if tc.role == access.CaseWorker {
					// The report is about children in the street: the case is a
					// presumed child's, at first contact, met in the street.
					_, page := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: target, Cookie: cookie})
					if !strings.Contains(page, `class="badge child"`) || !strings.Contains(page, `id="case-stage">First contact<`) {
						t.Errorf("the case from the report is not a child's at first contact")
					}
					// Its consent tab says it opened without consent, and why.
					_, consent := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: target + "/consent", Cookie: cookie})
					if !strings.Contains(consent, `id="consent-basis"`) || !strings.Contains(consent, "Child protection") {
						t.Errorf("the consent tab does not name the legal basis the case opened on")
					}
					if c, ok, err := f.env.App.Cases.ByOrigin(context.Background(), f.staff[tc.role].Actor, cases.FromReport, id); err != nil || !ok ||
						c.Place != "street" || !strings.Contains(page, `id="case-place"`) {
						t.Errorf("the case from the report lost its place: %q %v %v", c.Place, ok, err)
					}
				}
				_, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/reports/" + id, Cookie: cookie})
				if !strings.Contains(body, "Turned into a case") || !strings.Contains(body, `id="report-case"`) {
					t.Errorf("%s: the report does not say it became a case", tc.role)
				}
				res, _ = f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/reports/" + id + "/case", Cookie: cookie, Form: form})
				if res.StatusCode != http.StatusConflict {
					t.Errorf("%s: turning a closed report again: status %d, want 409", tc.role, res.StatusCode)
				}
			}
		})
	}
}

// TestReportToCaseErrors: the conversion form refuses, with a translated
// error at the field and nothing stored, a case without consent or legal
// basis, consent without how it was given, an unknown legal basis, an
// organisation nobody there could see the case in, and a report the
// protocol routes nowhere when the helpline works on no cases itself.
func TestReportToCaseErrors(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			op := hotline(t, f)
			de := f.env.App.Catalog.For("de")
			// German, so the error is checked translated and not as a key.
			if err := f.env.App.Accounts.SetLanguage(context.Background(), op.Actor, "de"); err != nil {
				t.Fatal(err)
			}
			cookie := f.env.Session(t, op.ID, true)
			for _, tc := range []struct {
				name  string
				forms []string
				form  url.Values
				field string
				key   string
			}{
				{"neither", []string{"labour"}, url.Values{}, "legal_basis", "error.report.consent_or_basis"},
				{"no method", []string{"labour"}, url.Values{"case_consent": {"1"}}, "consent_method", "error.consent_method"},
				{"unknown basis", []string{"labour"}, url.Values{"legal_basis": {"curiosity"}}, "legal_basis", "error.case_legal_basis_unknown"},
				{"nobody there", []string{"labour"}, url.Values{"legal_basis": {"immediate_danger"}, "case_org": {f.orgC}}, "case_org", "error.case_org_cannot_hold"},
				{"no receiver", []string{"sexual"}, url.Values{"legal_basis": {"immediate_danger"}}, "case_org", "error.case_no_receiver"},
			} {
				id := helplineReport(t, f, op, false, tc.forms...)
				before := conversionState(t, f, id)
				res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/reports/" + id + "/case", Cookie: cookie, Form: tc.form})
				if res.StatusCode != http.StatusUnprocessableEntity {
					t.Errorf("%s: status %d, want 422", tc.name, res.StatusCode)
				}
				if !strings.Contains(body, `id="f-`+tc.field+`-error"`) || !strings.Contains(body, html.EscapeString(de.T(tc.key))) {
					t.Errorf("%s: no translated error at %s", tc.name, tc.field)
				}
				if conversionState(t, f, id) != before {
					t.Errorf("%s: a refused conversion changed the database", tc.name)
				}
			}
		})
	}
}

// conversionState summarises what a refused conversion must not change:
// the cases, their consents and events, and the report's status.
func conversionState(t *testing.T, f *fixture, reportID string) string {
	t.Helper()
	ctx := context.Background()
	var cs, consents, events int
	var status string
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM case_consents), (SELECT COUNT(*) FROM case_events)`).
			Scan(&cs, &consents, &events); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT status FROM reports WHERE id = $1`, reportID).Scan(&status)
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("cases=%d consents=%d events=%d report=%s", cs, consents, events, status)
}
