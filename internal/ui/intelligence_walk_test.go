package ui_test

import (
	"context"
	"net/url"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/intelligence"
)

// The intelligence channel's routes (ui/intelligence) in the route walk.
func init() {
	pageCases["GET /intelligence"] = pageCase{}
	pageCases["GET /intelligence/new"] = pageCase{}
	pageCases["POST /intelligence/new"] = pageCase{form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"about": {"recruiter"}, "sector": {"construction"}, "text": {"A van collects workers at dawn."}, "not_about_victims": {"yes"}}
	}}
	pageCases["GET /intelligence/{id}"] = pageCase{id: walkIntelligence}
	pageCases["POST /intelligence/{id}/status"] = pageCase{id: walkIntelligence, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"status": {"received"}}
	}}
}

// walkIntelligence submits an entry as organisation A's case worker.
func walkIntelligence(t *testing.T, f *fixture) string {
	t.Helper()
	e, err := f.env.App.Intelligence.Submit(context.Background(), f.staff[access.CaseWorker].Actor, intelligence.Input{
		About: "place", Text: "Rooms above the car wash are let by the night.", NotAboutVictims: true})
	if err != nil {
		t.Fatalf("submit intelligence: %v", err)
	}
	return e.ID
}
