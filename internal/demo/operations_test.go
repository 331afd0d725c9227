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

// TestDemoOperations: the whole demo gives the charts of the statistics'
// services page figures for this year: persons in the shelter in most
// months, answered reports, return follow-ups, training, campaign reach
// and coded reports, and mapping rounds and responses.
func TestDemoOperations(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	a := env.App
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
		Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements,
		Workgroup: a.Workgroup, Training: a.Training, Mapping: a.Mapping, Campaigns: a.Campaigns, Intake: a.Intake,
		CasesAsOf: a.CasesAsOf, Screenings: a.Screenings}, t.TempDir()); err != nil {
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
	p, err := a.Statistics.Operations(a.Intake.Deadline).Year(ctx, access.Actor{Role: access.Coordinator, OrgID: city}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []statistics.Chart{p.Placed, p.Triage, p.FollowUps, p.Sessions, p.Participants, p.Reach, p.CampaignReports, p.Rounds, p.Responses} {
		var row []int
		for _, r := range c.Rows {
			row = append(row, r.Cell.Shown())
		}
		t.Logf("%s: %v = %d", c.ID, row, c.Total.Shown())
	}
	months := 0
	for _, r := range p.Placed.Rows {
		if r.Cell.Shown() > 0 {
			months++
		}
	}
	if p.Capacity != 8 || months < len(p.Placed.Rows)-1 {
		t.Errorf("shelter: %d places, persons placed in %d of %d months", p.Capacity, months, len(p.Placed.Rows))
	}
	for _, c := range []statistics.Chart{p.Triage, p.FollowUps, p.Sessions, p.Participants, p.ParticipantsBy, p.Reach, p.CampaignReports, p.Rounds, p.Responses} {
		if c.Total.Shown() == 0 {
			t.Errorf("chart %s shows nothing", c.ID)
		}
	}
	if p.Campaigns == 0 || !p.Response.Withheld && p.Response.N < 3 {
		t.Errorf("campaigns %d, first responses %+v", p.Campaigns, p.Response)
	}
}
