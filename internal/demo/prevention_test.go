package demo_test

import (
	"context"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/outreach"
	"waymark.city/waymark/internal/storage"
)

// TestDemoPrevention: the demo has two outreach sessions in two districts,
// an association with a code of ethics, a joint inspection of the Harbour's
// construction sites and one piece of intelligence about a recruiter that
// the police contact point reads.
func TestDemoPrevention(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	a := env.App
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
		Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements,
		Workgroup: a.Workgroup, Training: a.Training,
		Prevention: demo.Prevention{Outreach: a.Outreach, Businesses: a.Businesses, Inspections: a.Inspections, Intelligence: a.Intelligence}},
		t.TempDir()); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	coordinator, police := access.Actor{Role: access.Coordinator}, access.Actor{Role: access.PoliceContact}
	orgs, err := a.Accounts.ListOrganisations(ctx, accounts.System)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		switch o.Kind {
		case accounts.Municipality:
			coordinator.OrgID = o.ID
		case accounts.Police:
			police.OrgID = o.ID
		}
	}
	agg, err := a.Outreach.Aggregates(ctx, coordinator, outreach.Quarter, "", "")
	if err != nil || agg.Total.Sessions != 2 || len(agg.Rows) != 2 || agg.Rows[0].AreaCode == agg.Rows[1].AreaCode || agg.Total.Contacted != 42 {
		t.Fatalf("demo outreach: %+v %v", agg, err)
	}
	withMediator := 0
	for _, s := range agg.Recent {
		full, err := a.Outreach.Session(ctx, coordinator, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		withMediator += len(full.Mediators)
	}
	if withMediator != 1 {
		t.Fatalf("demo outreach mediators: %d", withMediator)
	}
	bs, err := a.Businesses.List(ctx, coordinator)
	if err != nil || len(bs.Records) != 1 || bs.Records[0].Kind != "association" {
		t.Fatalf("demo businesses: %+v %v", bs, err)
	}
	b, err := a.Businesses.Get(ctx, coordinator, bs.Records[0].ID)
	if err != nil || len(b.Commitments) != 1 || b.Commitments[0].Kind != "code_of_ethics" || b.Commitments[0].FollowUpOn == "" {
		t.Fatalf("demo commitments: %+v %v", b, err)
	}
	ins, err := a.Inspections.List(ctx, police)
	if err != nil || len(ins.Inspections) != 1 || ins.Inspections[0].LocationType != "construction_site" || ins.Inspections[0].AgencyCount != 2 {
		t.Fatalf("demo inspections: %+v %v", ins, err)
	}
	inbox, err := a.Intelligence.Inbox(ctx, police)
	if err != nil || len(inbox) != 1 || inbox[0].About != "recruiter" {
		t.Fatalf("demo intelligence: %+v %v", inbox, err)
	}
	if e, err := a.Intelligence.Read(ctx, police, inbox[0].ID); err != nil || e.Text == "" {
		t.Fatalf("demo intelligence text: %+v %v", e, err)
	}
}
