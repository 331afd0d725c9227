package ui_test

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/statistics"
)

// The rapporteur presets and the population table (ui/statistics) in the
// route walk.
func init() {
	year := strconv.Itoa(time.Now().UTC().Year())
	pageCases["GET /statistics/presets"] = pageCase{}
	pageCases["GET /statistics/presets/{id}"] = pageCase{id: func(*testing.T, *fixture) string { return statistics.PresetCrimTHB }}
	pageCases["GET /statistics/population"] = pageCase{}
	pageCases["POST /statistics/population"] = pageCase{form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"area": {""}, "year": {year}, "population": {"250000"}}
	}}
	// The coordinator removes an entry made just before; for the others
	// the form is refused before anything is read.
	pageCases["POST /statistics/population/remove"] = pageCase{form: func(t *testing.T, f *fixture, u *apptest.User) url.Values {
		if u != nil && u.Role == access.Coordinator {
			if _, err := f.env.App.Statistics.SetPopulation(context.Background(), u.Actor,
				statistics.PopulationInput{Area: "", Year: year, Population: "1000"}); err != nil {
				t.Fatal(err)
			}
		}
		return url.Values{"area": {""}, "year": {year}}
	}}
}
