package demo_test

import (
	"context"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/storage"
)

// TestDemoPlan: the demo's action plan has the four findings of the first
// mapping round, three measures with owners, one of them overdue and one
// due for review, and a finding with no measure yet.
func TestDemoPlan(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	a := env.App
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
		Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements,
		Workgroup: a.Workgroup, Training: a.Training}, t.TempDir()); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	coordinator := access.Actor{Role: access.Coordinator}
	orgs, err := a.Accounts.ListOrganisations(ctx, accounts.System)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.Kind == accounts.Municipality {
			coordinator.OrgID = o.ID
		}
	}
	findings, err := a.Plan.FindingsBySource(ctx, coordinator, plan.FromMappingRound, demo.DemoRound)
	if err != nil || len(findings) != 4 {
		t.Fatalf("findings of %s: %d, %v; want 4", demo.DemoRound, len(findings), err)
	}
	follow := map[plan.FollowUp]int{}
	for _, f := range findings {
		follow[f.FollowUp]++
	}
	if follow[plan.FollowPlanned] != 3 || follow[plan.FollowOpen] != 1 {
		t.Errorf("follow-up of the demo findings %v, want 3 planned and 1 open", follow)
	}
	measures, err := a.Plan.Measures(ctx, coordinator, plan.MeasureFilter{})
	if err != nil || len(measures) != 3 {
		t.Fatalf("demo measures: %d, %v; want 3", len(measures), err)
	}
	owners := map[string]bool{}
	for _, m := range measures {
		owners[m.OwnerOrg] = true
		if len(m.Indicators) == 0 {
			t.Errorf("demo measure %q has no indicator", m.Objective)
		}
	}
	due, err := a.Plan.Overdue(ctx, coordinator)
	if err != nil || len(owners) != 3 || len(due) != 2 || !due[0].Overdue || due[0].Indicators[0].Percent() == 0 || !due[1].ReviewDue {
		t.Errorf("demo plan: %d owners, due %+v, %v; want three owners, one overdue measure with progress, one due for review", len(owners), due, err)
	}
}
