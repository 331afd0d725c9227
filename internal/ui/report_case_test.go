package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestReportToCase turns a report into a case: a case worker lands on the
// new case, a hotline operator back on the report; the report leaves the
// queue as "turned into a case" and cannot be turned twice.
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
				res, _ := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/reports/" + id + "/case", Cookie: cookie, Form: url.Values{}})
				target := res.Header.Get("Location")
				if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(target, tc.to) {
					t.Fatalf("%s: status %d to %q", tc.role, res.StatusCode, target)
				}
				if tc.role == access.CaseWorker {
					// The report is about children: the case is a presumed child's, at first contact.
					_, page := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: target, Cookie: cookie})
					if !strings.Contains(page, `class="badge child"`) || !strings.Contains(page, `id="case-stage">First contact<`) {
						t.Errorf("the case from the report is not a child's at first contact")
					}
				}
				_, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/reports/" + id, Cookie: cookie})
				if !strings.Contains(body, "Turned into a case") || !strings.Contains(body, `id="report-case"`) {
					t.Errorf("%s: the report does not say it became a case", tc.role)
				}
				res, _ = f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/reports/" + id + "/case", Cookie: cookie, Form: url.Values{}})
				if res.StatusCode != http.StatusConflict {
					t.Errorf("%s: turning a closed report again: status %d, want 409", tc.role, res.StatusCode)
				}
			}
		})
	}
}
