package ui_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/businesses"
)

// The businesses routes (ui/businesses) in the route walk.
func init() {
	pageCases["GET /businesses"] = pageCase{}
	pageCases["GET /businesses/new"] = pageCase{}
	pageCases["GET /businesses.csv"] = pageCase{}
	pageCases["GET /businesses.xlsx"] = pageCase{}
	pageCases["POST /businesses/new"] = pageCase{form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"name": {f.unique("Cleaning association")}, "kind": {"association"}, "sector": {"cleaning"}, "contact_org": {f.orgA}}
	}}
	pageCases["GET /businesses/{id}"] = pageCase{id: walkBusiness}
	pageCases["POST /businesses/{id}/commitments"] = pageCase{id: walkBusiness, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"kind": {"code_of_ethics"}, "made_on": {time.Now().Format(time.DateOnly)}, "follow_up_on": {time.Now().AddDate(0, 6, 0).Format(time.DateOnly)}}
	}}
	pageCases["POST /businesses/commitments/{id}/follow-up"] = pageCase{id: walkCommitment, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"next_follow_up_on": {time.Now().AddDate(1, 0, 0).Format(time.DateOnly)}}
	}}
}

// walkBusiness records a business.
func walkBusiness(t *testing.T, f *fixture) string {
	t.Helper()
	b, err := f.env.App.Businesses.Create(context.Background(), f.staff[access.Coordinator].Actor, businesses.Input{
		Name: f.unique("Builders"), Kind: "business", Sector: "construction"})
	if err != nil {
		t.Fatalf("record business: %v", err)
	}
	return b.ID
}

// walkCommitment records a commitment of a new business.
func walkCommitment(t *testing.T, f *fixture) string {
	t.Helper()
	c, err := f.env.App.Businesses.AddCommitment(context.Background(), f.staff[access.Coordinator].Actor, walkBusiness(t, f),
		businesses.CommitmentInput{Kind: "staff_training", MadeOn: time.Now().Format(time.DateOnly)})
	if err != nil {
		t.Fatalf("record commitment: %v", err)
	}
	return c.ID
}
