package ui_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/campaigns"
)

// The campaign routes (ui/campaigns) in the route walk.
func init() {
	campaignForm := func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"name": {f.unique("Clean work")}, "sectors": {"cleaning"}, "location_types": {"construction_site"},
			"languages": {"en"}, "channels": {"poster"}, "starts_on": {"2026-11-01"}, "ends_on": {"2027-01-31"},
			"cta_text": {"Tell us."}, "cta_report": {"on"}}
	}
	none := func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }
	pageCases["GET /campaigns"] = pageCase{}
	pageCases["GET /campaigns/new"] = pageCase{}
	pageCases["POST /campaigns/new"] = pageCase{form: campaignForm}
	pageCases["GET /campaigns/{id}"] = pageCase{id: walkCampaign}
	pageCases["GET /campaigns/{id}/edit"] = pageCase{id: walkCampaign}
	pageCases["POST /campaigns/{id}/edit"] = pageCase{id: walkCampaign, form: campaignForm}
	pageCases["POST /campaigns/{id}/launch"] = pageCase{id: walkCampaign, form: none}
	pageCases["POST /campaigns/{id}/end"] = pageCase{id: walkRunningCampaign, form: none}
	pageCases["POST /campaigns/{id}/targets"] = pageCase{id: walkCampaign, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"measure": {"reports"}, "target": {"10"}, "due_on": {"2027-01-31"}}
	}}
	pageCases["POST /campaigns/{id}/materials"] = pageCase{id: walkCampaign, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"title": {"Leaflet"}, "channel": {"poster"}, "language": {"en"}}
	}}
	pageCases["GET /campaigns/{id}/materials/{material}/qr.png"] = pageCase{id: walkCampaign}
	pageCases["POST /campaigns/{id}/reach"] = pageCase{id: walkCampaign, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"material": {f.params["material"]}, "people": {"250"}, "counted_on": {"2026-11-20"}}
	}}
	pageCases["POST /campaigns/{id}/harms"] = pageCase{id: walkCampaign, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"kind": {"backlash"}, "severity": {"low"}, "happened_on": {time.Now().UTC().Format(time.DateOnly)},
			"description": {"Posters torn down at one bus stop."}}
	}}
	pageCases["GET /campaigns/survey"] = pageCase{}
	pageCases["POST /campaigns/survey"] = pageCase{form: func(t *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"campaign": {walkCampaign(t, f)}, "answered_on": {time.Now().UTC().Format(time.DateOnly)}, "saw_campaign": {"yes"},
			"recognised": {"unsure"}, "knows_where": {"no"}, "would_act": {"maybe"}}
	}}
	pageCases["POST /campaigns/{id}/harms/{harm}/review"] = pageCase{id: walkCampaign, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"action_taken": {"Posters replaced."}}
	}}
}

// walkCampaign is a draft campaign, ready to launch, with a material (its
// id in {material}) and an unreviewed harm log entry ({harm}).
func walkCampaign(t *testing.T, f *fixture) string {
	t.Helper()
	ctx, coord := context.Background(), f.staff[access.Coordinator].Actor
	svc := f.env.App.Campaigns
	c, err := svc.Create(ctx, coord, campaigns.Input{Name: f.unique("Clean work"), Sectors: []string{"cleaning"}, Languages: []string{"en"},
		Channels: []string{"poster"}, StartsOn: "2026-11-01", EndsOn: "2027-01-31", CTAText: "Tell us.", CTAReport: true})
	if err != nil {
		t.Fatalf("create campaign: %v", err)
	}
	m, err := svc.AddMaterial(ctx, coord, c.ID, campaigns.MaterialInput{Title: "Poster", Channel: "poster", Language: "en"})
	if err != nil {
		t.Fatalf("add material: %v", err)
	}
	if err := svc.AddTarget(ctx, coord, c.ID, campaigns.TargetInput{Measure: "contacts", Target: "40", DueOn: "2027-01-31"}); err != nil {
		t.Fatalf("add target: %v", err)
	}
	if err := svc.RecordHarm(ctx, coord, c.ID, campaigns.HarmInput{Kind: "misunderstood", Severity: "medium",
		HappenedOn: time.Now().UTC().Format(time.DateOnly), Description: "Read as an immigration notice."}); err != nil {
		t.Fatalf("record harm: %v", err)
	}
	harms, err := svc.Harms(ctx, coord, c.ID)
	if err != nil || len(harms.Entries) != 1 {
		t.Fatalf("harms: %v", err)
	}
	f.params["material"], f.params["harm"] = m.ID, harms.Entries[0].ID
	return c.ID
}

// walkRunningCampaign is walkCampaign launched.
func walkRunningCampaign(t *testing.T, f *fixture) string {
	t.Helper()
	id := walkCampaign(t, f)
	if err := f.env.App.Campaigns.Launch(context.Background(), f.staff[access.Coordinator].Actor, id); err != nil {
		t.Fatalf("launch: %v", err)
	}
	return id
}
