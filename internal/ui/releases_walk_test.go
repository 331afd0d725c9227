package ui_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/statistics"
)

// The release routes (ui/statistics, release_*.go) in the route walk.
func init() {
	none := func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }
	pageCases["GET /statistics/releases"] = pageCase{}
	pageCases["GET /statistics/releases/new"] = pageCase{}
	pageCases["POST /statistics/releases/new"] = pageCase{form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		y := statistics.Year(time.Now().Year())
		return url.Values{"preset": {statistics.PresetCrimTHB}, "from": {y.From.Format(time.DateOnly)}, "to": {y.To.Format(time.DateOnly)},
			"recipient": {f.unique("Rapporteur")}, "threshold": {"10"}, "rounding": {"0"}}
	}}
	pageCases["GET /statistics/releases/{id}"] = pageCase{id: walkPreparedRelease}
	pageCases["GET /statistics/releases/{id}/approve"] = pageCase{id: walkPreparedRelease}
	pageCases["POST /statistics/releases/{id}/approve"] = pageCase{id: walkPreparedRelease, form: none}
	pageCases["GET /statistics/releases/{id}/reject"] = pageCase{id: walkPreparedRelease}
	pageCases["POST /statistics/releases/{id}/reject"] = pageCase{id: walkPreparedRelease, form: none}
	for _, format := range []string{"csv", "xlsx", "sdmx", "report", "pdf"} {
		pageCases["GET /statistics/releases/{id}/"+format] = pageCase{id: walkApprovedRelease}
	}
}

// walkPreparedRelease is a release of this year's crim_thb tables the
// analyst prepared, to a recipient of its own, waiting for approval.
func walkPreparedRelease(t *testing.T, f *fixture) string {
	t.Helper()
	id, err := f.env.App.Statistics.Prepare(context.Background(), f.staff[access.Analyst].Actor, statistics.ReleaseInput{
		Preset: statistics.PresetCrimTHB, Period: statistics.Year(time.Now().Year()), Recipient: f.unique("Rapporteur")})
	if err != nil {
		t.Fatalf("prepare release: %v", err)
	}
	return id
}

// walkApprovedRelease is such a release, approved by the coordinator.
func walkApprovedRelease(t *testing.T, f *fixture) string {
	t.Helper()
	id := walkPreparedRelease(t, f)
	if err := f.env.App.Statistics.Approve(context.Background(), f.staff[access.Coordinator].Actor, id); err != nil {
		t.Fatalf("approve release: %v", err)
	}
	return id
}
