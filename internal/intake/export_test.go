package intake_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/intake/intaketest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestQueueExport: the triage queue's file has the queue's reports under
// its filter, in its order, beyond the page's 200; the reporters' own
// words only in the personal file, each report opened audited, typed
// formulas inert; the analyst asking for them is refused with its own
// message (audited) and a bad filter is a field error; the export is
// audited with its filter and count.
func TestQueueExport(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newTriageEnv(t, db, intake.Config{})
		for range 3 {
			e.submit(t, intake.UrgencySoon)
		}
		in := report()
		in.Urgency, in.Details = intake.UrgencyDanger, "=HYPERLINK(\"http://x\",\"click\") men held behind the car wash"
		if _, err := e.Service.Submit(ctx, in, intaketest.Work(e.Service)); err != nil {
			t.Fatal(err)
		}
		soon := e.queue(t, e.operator, intake.QueueFilter{Urgency: intake.UrgencySoon})
		x, err := e.Service.ExportQueue(ctx, e.operator, intake.QueueFilter{Urgency: intake.UrgencySoon}, false)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range x.Rows {
			got = append(got, r.ID)
			if r.Details != "" || r.Contact != "" {
				t.Errorf("reporter's words in the file without personal data")
			}
		}
		if !slices.Equal(got, ids(soon)) || len(got) != 3 {
			t.Errorf("export %v, queue %v", got, ids(soon))
		}
		x, err = e.Service.ExportQueue(ctx, e.operator, intake.QueueFilter{}, true)
		if err != nil || len(x.Rows) != 4 || x.Rows[0].Contact != "Signal only, evenings" {
			t.Fatalf("personal export: %v %+v", err, x.Rows)
		}
		catalog, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		var csv strings.Builder
		if err := x.WriteCSV(&csv, catalog.For("de")); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(csv.String(), `"'=HYPERLINK(""http://x""`) {
			t.Errorf("formula not made inert:\n%s", csv.String())
		}
		analyst := e.User(t, "analyst", access.Analyst, e.hotline)
		if _, err := e.Service.ExportQueue(ctx, analyst, intake.QueueFilter{}, true); !apperr.Is(err, apperr.Forbidden) || apperr.As(err).Key != "error.export_personal_data" {
			t.Errorf("analyst asking for the reporters' words: %v", err)
		}
		if _, err := e.Service.ExportQueue(ctx, analyst, intake.QueueFilter{}, false); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("analyst export: %v", err)
		}
		if _, err := e.Service.ExportQueue(ctx, e.operator, intake.QueueFilter{Urgency: "whenever"}, false); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad filter: %v", err)
		}
		list, _, err := e.Audit.List(ctx, e.DB, access.SystemScope(), audit.Filter{Limit: audit.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, a := range list {
			if a.Action == "reports.export" || a.Action == "reports.view" && a.Detail == "export" {
				counts[a.Action+" "+a.Outcome+" "+a.Detail]++
			}
		}
		want := map[string]int{"reports.export allowed rows=3 more=false personal=false status=open urgency=soon": 1,
			"reports.export allowed rows=4 more=false personal=true status=open": 1, "reports.view allowed export": 4, "reports.export denied ": 2}
		for k, n := range want {
			if counts[k] != n {
				t.Errorf("audit %q: %d, want %d (%v)", k, counts[k], n, counts)
			}
		}
	})
}
