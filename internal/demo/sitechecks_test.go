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

// TestDemoSiteCheck: the demo's cleaning contract has a check of City Hall
// that found workers without their own papers and with no day off: two
// findings with corrective actions, one overdue, signs about workers and
// no screening started yet.
func TestDemoSiteCheck(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	a := env.App
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
		Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements,
		Workgroup: a.Workgroup, Training: a.Training, Procurement: a.Procurement, SiteChecks: a.SiteChecks}, t.TempDir()); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	officer := access.Actor{Role: access.ProcurementOfficer}
	orgs, err := a.Accounts.ListOrganisations(ctx, accounts.System)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.Kind == accounts.Municipality {
			officer.OrgID = o.ID
		}
	}
	contracts, err := a.Procurement.Contracts(ctx, officer)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, c := range contracts {
		_, l, err := a.SiteChecks.ChecksOfContract(ctx, officer, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, chk := range l.Checks {
			found++
			full, err := a.SiteChecks.Check(ctx, officer, chk.ID)
			if err != nil {
				t.Fatal(err)
			}
			actions := 0
			for _, f := range full.FindingList {
				actions += len(f.Actions)
			}
			if full.Findings != 2 || actions != 2 || full.Overdue != 1 || !full.SignsAboutWorkers() || full.Screenings != 0 {
				t.Errorf("demo check: %d findings, %d actions, %d overdue, signs %v, %d screenings; want 2, 2, 1, true, 0",
					full.Findings, actions, full.Overdue, full.SignsAboutWorkers(), full.Screenings)
			}
		}
	}
	if found != 1 {
		t.Errorf("the demo has %d site checks, want 1", found)
	}
	// The city's own questionnaire is there for a new check to choose.
	_, current, err := a.SiteChecks.Forms(ctx, officer)
	if err != nil || len(current) != 2 || current[1].FormID != "riverton_cleaning" || len(current[1].Items) != 4 {
		t.Errorf("demo questionnaires: %d, %v; want the shipped one and the city's with 4 mapped items", len(current), err)
	}
}
