package demo_test

import (
	"context"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/storage"
)

// TestDemoStatistics: the demo's year of cases gives every chart of the
// dashboard figures, its referrals the acceptance and the time to the
// reasonable-grounds decision, and the analyst sees the few children
// suppressed.
func TestDemoStatistics(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	a := env.App
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
		Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements,
		Workgroup: a.Workgroup, Training: a.Training, CasesAsOf: a.CasesAsOf, Screenings: a.Screenings}, t.TempDir()); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	orgs, err := a.Accounts.ListOrganisations(ctx, accounts.System)
	if err != nil {
		t.Fatal(err)
	}
	var city string
	for _, o := range orgs {
		if o.Kind == accounts.Municipality {
			city = o.ID
		}
	}
	d, err := a.Statistics.Dashboard(ctx, access.Actor{Role: access.Coordinator, OrgID: city}, 0)
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	for _, r := range d.ByMonth.Rows {
		if r.Cell.Shown() > 0 {
			shown++
		}
	}
	if shown < len(d.ByMonth.Rows)-1 {
		t.Errorf("months with persons: %d of %d", shown, len(d.ByMonth.Rows))
	}
	for _, c := range d.Charts {
		if c.Total.Shown() < 20 {
			t.Errorf("chart %s: %d persons", c.ID, c.Total.Shown())
		}
	}
	if d.Referrals.Total.Shown() != 14 || !d.Acceptance.Shown || d.Acceptance.Percent != 86 || d.Timings[1].N != 12 {
		t.Errorf("demo referrals: %d persons, acceptance %+v, time to grounds over %d", d.Referrals.Total.Shown(), d.Acceptance, d.Timings[1].N)
	}
	for _, q := range d.Quarters {
		if q.Indicator == statistics.Identified && q.Cells[4].Shown() != 3 {
			t.Errorf("identified victims in the year: %d, want the 3 the police confirmed", q.Cells[4].Shown())
		}
	}
	an, err := a.Statistics.Dashboard(ctx, access.Actor{Role: access.Analyst, OrgID: city}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range an.Charts {
		if c.ID == statistics.ByPopulation {
			for _, r := range c.Rows {
				if r.Code == "child" && !r.Cell.Withheld() {
					t.Errorf("the analyst sees the children: %+v", r.Cell)
				}
			}
		}
	}
}
