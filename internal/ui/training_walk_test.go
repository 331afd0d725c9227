package ui_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/training"
)

// The training routes (ui/training) in the route walk.
func init() {
	pageCases["GET /training"] = pageCase{}
	pageCases["GET /training/needs/new"] = pageCase{}
	pageCases["POST /training/needs/new"] = pageCase{form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"org": {f.orgA}, "topic": {f.unique("Indicators")}, "priority": {"high"}}
	}}
	pageCases["POST /training/needs/{id}"] = pageCase{id: walkNeed, form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }}
	pageCases["GET /training/sessions/new"] = pageCase{}
	pageCases["POST /training/sessions/new"] = pageCase{form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"starts_at": {time.Now().AddDate(0, 0, 10).Format(training.LocalMinute)}, "topic": {f.unique("Signs")},
			"groups": {"police", "hotels"}, "trainer": {"Helpline team"}, "languages": {"en, de"}, "materials": {"Card | https://example.org/card"}}
	}}
	pageCases["GET /training/sessions/{id}"] = pageCase{id: walkSession}
	pageCases["POST /training/sessions/{id}/attendance"] = pageCase{id: walkSession, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"org_0": {f.orgA}, "role_0": {"outreach"}, "attended_0": {"4"}, "group_1": {"taxi"}, "attended_1": {"2"},
			"contact_org": {f.orgA}, "contact_name": {f.unique("Lena Horvat")}}
	}}
}

// walkNeed records an open need of organisation A.
func walkNeed(t *testing.T, f *fixture) string {
	t.Helper()
	n, err := f.env.App.Training.CreateNeed(context.Background(), f.staff[access.Coordinator].Actor, training.NeedInput{
		OrgID: f.orgA, Topic: f.unique("Indicators"), Priority: "medium"})
	if err != nil {
		t.Fatalf("create need: %v", err)
	}
	return n.ID
}

// walkSession records a session held a week ago.
func walkSession(t *testing.T, f *fixture) string {
	t.Helper()
	s, err := f.env.App.Training.CreateSession(context.Background(), f.staff[access.Coordinator].Actor, training.SessionInput{
		StartsAt: time.Now().AddDate(0, 0, -7).Format(training.LocalMinute), Topic: f.unique("Signs"), Groups: []string{"police"},
		Trainer: "Helpline team", Languages: []string{"en"}})
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	return s.ID
}
