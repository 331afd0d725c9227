package demo_test

import (
	"context"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/storage"
)

// TestDemoCampaign: the demo runs one campaign in two languages with two
// coded materials, two targets, survey responses before and after launch, reach, a report through the public form
// carrying the poster's code, and a harm log entry to review.
func TestDemoCampaign(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	a := env.App
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
		Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements,
		Campaigns: a.Campaigns, Intake: a.Intake}, t.TempDir()); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	analyst := access.Actor{Role: access.Analyst}
	list, err := a.Campaigns.List(ctx, analyst)
	if err != nil || len(list) != 1 || list[0].Status != "running" || len(list[0].Languages) != 2 {
		t.Fatalf("demo campaigns: %+v, %v", list, err)
	}
	c, err := a.Campaigns.Campaign(ctx, analyst, list[0].ID)
	if err != nil || len(c.Materials) != 2 || len(c.Targets) != 2 || c.Materials[0].Code == c.Materials[1].Code {
		t.Fatalf("demo campaign: %+v, %v", c, err)
	}
	f, err := a.Campaigns.Funnel(ctx, analyst, c.ID)
	if err != nil || f.Reach != 1150 || f.Contacts != 1 || f.Reports != 1 {
		t.Fatalf("demo funnel: %+v, %v", f, err)
	}
	if s, err := a.Campaigns.SurveyResults(ctx, analyst, c.ID); err != nil || s.Before != 6 || s.After != 5 || s.Questions[2].ShareAfter != 60 {
		t.Fatalf("demo survey: %+v, %v", s, err)
	}
	if harms, err := a.Campaigns.Harms(ctx, analyst, c.ID); err != nil || harms.Open != 1 || harms.Entries != nil {
		t.Fatalf("demo harm log: %+v, %v", harms, err)
	}
}
