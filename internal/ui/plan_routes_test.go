package ui_test

import (
	"context"
	"net/url"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/plan"
)

// planMeasure is a measure of the action plan owned by organisation A,
// taken on a finding of its own: the {id} of the plan's measure routes.
func planMeasure(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	coordinator := f.staff[access.Coordinator].Actor
	fd, err := f.env.App.Plan.CreateFinding(ctx, coordinator, plan.FindingInput{Title: f.unique("Finding"), Description: "Seen at the car washes.",
		Topic: plan.TopicLabour, SourceKind: plan.FromEntered, Priority: plan.Medium})
	if err != nil {
		t.Fatalf("plan finding: %v", err)
	}
	m, err := f.env.App.Plan.CreateMeasure(ctx, coordinator, plan.MeasureInput{Objective: "Visit the car washes", OwnerOrg: f.orgA,
		StartOn: "2027-01-01", DueOn: "2027-06-30", Findings: []string{fd.ID},
		Indicators: []plan.IndicatorInput{{Name: "Sites visited", Baseline: "0", Target: "5"}}})
	if err != nil {
		t.Fatalf("plan measure: %v", err)
	}
	f.params["finding"] = fd.ID
	return m.ID
}

// planFinding is a finding behind a measure of organisation A.
func planFinding(t *testing.T, f *fixture) string {
	t.Helper()
	planMeasure(t, f)
	return f.params["finding"]
}

func planFindingForm(*testing.T, *fixture, *apptest.User) url.Values {
	return url.Values{"title": {"Car washes"}, "description": {"Workers sleep on site."}, "topic": {"labour_exploitation"},
		"source_kind": {"entered"}, "priority": {"medium"}}
}

func planMeasureForm(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
	return url.Values{"objective": {"Visit the car washes"}, "owner_org": {f.orgA}, "start_on": {"2027-01-01"}, "due_on": {"2027-06-30"},
		"status": {"planned"}}
}

func planProgressForm(*testing.T, *fixture, *apptest.User) url.Values {
	return url.Values{"progress_status": {"in_progress"}, "progress_note": {"Two car washes visited."}}
}

func planRecheckForm(*testing.T, *fixture, *apptest.User) url.Values {
	return url.Values{"result": {"unchanged"}, "checked_on": {"2026-01-15"}, "source_kind": {"entered"}}
}
