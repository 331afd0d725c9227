package demo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/statistics"
)

// populations are Riverton's inhabitants, the whole city ("") and each
// district, as its statistical office would publish them; made up, summing
// to the city's figure.
var populations = []struct {
	area string
	n    int
}{{"", 412000}, {"1", 38000}, {"2", 61000}, {"3", 74000}, {"4", 92000}, {"5", 57000}, {"6", 90000}}

// seedPopulation enters the population of last year and this year, so the
// SDG 16.2.2 table shows rates per 100,000 inhabitants.
func seedPopulation(ctx context.Context, d Deps, coordinator access.Actor) error {
	if d.Statistics == nil {
		return nil
	}
	year := time.Now().UTC().Year()
	for _, y := range []int{year - 1, year} {
		for _, p := range populations {
			if _, err := d.Statistics.SetPopulation(ctx, coordinator, statistics.PopulationInput{Area: p.area, Year: strconv.Itoa(y),
				Population: strconv.Itoa(p.n), Source: "Riverton statistical office (demo)"}); err != nil {
				return fmt.Errorf("seed population %s/%d: %w", p.area, y, err)
			}
		}
	}
	return nil
}
