package ui_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/inspections"
	"waymark.city/waymark/internal/storage"
)

// The joint inspections' routes (ui/inspections) in the route walk; the
// walk's partnership gets a labour inspectorate to take part.
func init() {
	pageCases["GET /inspections"] = pageCase{}
	pageCases["GET /inspections/new"] = pageCase{}
	pageCases["GET /inspections.csv"] = pageCase{}
	pageCases["GET /inspections.xlsx"] = pageCase{}
	pageCases["POST /inspections/new"] = pageCase{form: func(t *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"planned_on": {time.Now().AddDate(0, 0, 14).Format(time.DateOnly)}, "location_type": {"construction_site"},
			"sector": {"construction"}, "agencies": {walkInspectorate(t, f)}, "site_address_0": {f.unique("Quay Street")}, "site_type_0": {"construction_site"}}
	}}
	pageCases["GET /inspections/{id}"] = pageCase{id: walkInspection}
	pageCases["POST /inspections/{id}/outcome"] = pageCase{id: walkInspection, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"held_on": {time.Now().Format(time.DateOnly)}, "workers_met": {"12"}}
	}}
	pageCases["POST /inspections/{id}/screening"] = pageCase{id: walkInspection, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{}
	}}
}

var walkInspectorates = map[*fixture]string{}

// walkInspectorate is the fixture's labour inspectorate, made once.
func walkInspectorate(t *testing.T, f *fixture) string {
	t.Helper()
	if id, ok := walkInspectorates[f]; ok {
		return id
	}
	id := f.env.Org(f.unique("Labour Inspectorate"), accounts.LabourInspectorate)
	walkInspectorates[f] = id
	return id
}

// walkInspection plans an inspection that organisation A takes part in,
// so that its staff's own-organisation reach reads it as the walk expects.
// A is an NGO, which planning does not invite; it is added directly.
func walkInspection(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	in, err := f.env.App.Inspections.Plan(ctx, f.staff[access.Coordinator].Actor, inspections.Input{
		PlannedOn: time.Now().Format(time.DateOnly), LocationType: "farm", Sector: "agriculture", Agencies: []string{walkInspectorate(t, f)}})
	if err != nil {
		t.Fatalf("plan inspection: %v", err)
	}
	if err := f.env.App.DB.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO inspection_agencies (inspection_id, org_id) VALUES ($1, $2)`, in.ID, f.orgA)
		return err
	}); err != nil {
		t.Fatalf("organisation A takes part: %v", err)
	}
	return in.ID
}
