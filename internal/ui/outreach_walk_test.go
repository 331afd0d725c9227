package ui_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/outreach"
)

// The outreach routes (ui/outreach) in the route walk. A session is
// recorded at a kind of place (the walk's city has no areas) by the
// caller's own organisation.
func init() {
	pageCases["GET /outreach"] = pageCase{}
	pageCases["GET /outreach/new"] = pageCase{}
	pageCases["GET /outreach.csv"] = pageCase{}
	pageCases["GET /outreach.xlsx"] = pageCase{}
	pageCases["POST /outreach/new"] = pageCase{form: func(_ *testing.T, f *fixture, u *apptest.User) url.Values {
		org := f.orgA
		if u != nil {
			org = u.OrgID
		}
		return url.Values{"held_on": {time.Now().Format(time.DateOnly)}, "location_type": {"transport_hub"}, "team_org_0": {org},
			"team_staff_0": {"2"}, "contacts_women": {"3"}, "materials": {"10"}, "referrals": {"1"}}
	}}
	pageCases["GET /outreach/{id}"] = pageCase{id: walkOutreachSession}
}

// walkOutreachSession records a session of organisation A.
func walkOutreachSession(t *testing.T, f *fixture) string {
	t.Helper()
	s, err := f.env.App.Outreach.Create(context.Background(), f.staff[access.Coordinator].Actor, outreach.Input{
		HeldOn: time.Now().Format(time.DateOnly), LocationType: "street_scene", Team: []outreach.TeamRow{{OrgID: f.orgA, Staff: "2"}},
		Contacts: map[string]string{"sex_work": "4"}})
	if err != nil {
		t.Fatalf("record outreach session: %v", err)
	}
	return s.ID
}
