package demo_test

import (
	"context"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/storage"
)

// TestDemoPopulation: the demo enters Riverton's population for last year
// and this year, so SDG 16.2.2 shows the city's rate, and the rapporteur
// tables of the year count the demo's victims.
func TestDemoPopulation(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	a := env.App
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
		Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements,
		Workgroup: a.Workgroup, Training: a.Training, CasesAsOf: a.CasesAsOf, Screenings: a.Screenings, Statistics: a.Statistics}, t.TempDir()); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	orgs, err := a.Accounts.ListOrganisations(ctx, accounts.System)
	if err != nil {
		t.Fatal(err)
	}
	coordinator := access.Actor{Role: access.Coordinator}
	for _, o := range orgs {
		if o.Kind == accounts.Municipality {
			coordinator.OrgID = o.ID
		}
	}
	list, _, err := a.Statistics.Populations(ctx, coordinator)
	if err != nil || len(list) != 14 {
		t.Fatalf("populations: %d %v", len(list), err)
	}
	tables, err := a.Statistics.Preset(ctx, coordinator, statistics.PresetSDG, statistics.Year(time.Now().UTC().Year()))
	if err != nil {
		t.Fatal(err)
	}
	city := tables[0]
	for i := range city.Table.Len() {
		if k := city.Table.Key(i); k[0] == disclosure.Total && k[1] == disclosure.Total {
			if c := city.Table.At(i); c.Count == 0 || city.Rates[i] != float64(c.Count)*100_000/412_000 {
				t.Errorf("the city's rate: %v for %d victims", city.Rates[i], c.Count)
			}
		}
	}
}
