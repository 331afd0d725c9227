package demo_test

import (
	"context"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/storage"
)

// TestDemoWorkgroupTraining: the demo's working group has five member
// organisations and its chair, a past meeting with minutes and two action
// items, a coming meeting and two practices; training has open needs,
// sessions held with attendance and contact points, and gaps in coverage.
func TestDemoWorkgroupTraining(t *testing.T) {
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
	ov, err := a.Workgroup.Overview(ctx, coordinator)
	if err != nil || len(ov.Members) != 6 || len(ov.Past) != 1 || len(ov.Upcoming) != 1 || len(ov.OpenActions) != 2 || !ov.Past[0].HasMinutes {
		t.Fatalf("demo working group: %+v, %v", ov, err)
	}
	if list, err := a.Workgroup.Practices(ctx, coordinator, ""); err != nil || len(list) != 2 {
		t.Fatalf("demo practices: %v, %v", list, err)
	}
	tr, err := a.Training.Overview(ctx, coordinator)
	if err != nil || len(tr.Needs) != 4 || len(tr.Recent) != 2 || len(tr.Upcoming) != 1 || len(tr.Contacts) != 2 {
		t.Fatalf("demo training: %+v, %v", tr, err)
	}
	trained := map[string]int{}
	for _, c := range tr.Coverage {
		trained[c.Group] = c.Trained12
	}
	if trained["police"] != 14 || trained["inspectors"] != 6 || trained["hotels"] != 0 {
		t.Fatalf("demo coverage: %v", trained)
	}
}
