package demo

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
)

// seedStatistics opens a year of pseudonymous cases, each on its own day
// over the last twelve months, so that every chart of the statistics
// dashboard shows something: several forms, genders, age bands and
// citizenship groups, cases moved on through the stages, and a few
// children, whose small count the analyst sees suppressed. Nobody is named.
func seedStatistics(ctx context.Context, d Deps, actors map[string]access.Actor) error {
	if d.CasesAsOf == nil {
		return nil
	}
	forms := [][]string{{"labour"}, {"sexual"}, {"labour"}, {"domestic_servitude"}, {"sexual"}, {"begging"}, {"labour", "sexual"}, {"criminality"}}
	genders := []string{"feminine", "masculine", "feminine", "masculine", "unknown"}
	bands := []string{"18-24", "25-34", "35-49", "25-34", "18-24", "50+", "unknown"}
	citizenships := [][]string{{"RO"}, {"BG"}, {"NG"}, {"DE"}, {"VN"}, {"UA"}, {}, {"PL"}}
	stages := [][]cases.Stage{nil, {cases.Screening}, {cases.Screening, cases.ReasonableGrounds},
		{cases.Screening, cases.ReasonableGrounds, cases.Reflection}, {cases.CrisisIntervention}}
	workers := []string{"caseworker", "socialworker"}
	const persons = 72
	today := time.Now().UTC()
	for i := range persons {
		day := today.AddDate(0, 0, -360+i*5)
		at := func() time.Time { return day }
		svc := d.CasesAsOf(at)
		in := cases.UnknownPerson(i%12 == 5, forms[i%len(forms)])
		in.Gender, in.Citizenships = genders[i%len(genders)], citizenships[i%len(citizenships)]
		if i%12 == 5 {
			in.AgeBand = "12-17"
		} else {
			in.AgeBand = bands[i%len(bands)]
		}
		w := actors[workers[i%len(workers)]]
		c, err := svc.Open(ctx, w, cases.NewCase{Person: in})
		if err != nil {
			return fmt.Errorf("seed statistics case %d: %w", i, err)
		}
		for _, st := range stages[i%len(stages)] {
			if _, err := svc.MoveStage(ctx, w, c.ID, st, ""); err != nil {
				return fmt.Errorf("seed stage %s of statistics case %d: %w", st, i, err)
			}
		}
	}
	return nil
}
