package demo

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/returns"
)

// demoCountryNotes are made-up notes on two countries of origin of the demo
// cases; they describe no real assessment.
var demoCountryNotes = map[string]returns.CountryNoteInput{
	"RO": {Risks: "Demo note: recruiters are known to approach returnees again in their home towns within months.",
		Services: "Demo note: a partner NGO runs a reintegration shelter and a job programme for returnees.",
		Sources:  "Demo data, made up for trying Waymark."},
	"MD": {Risks: "Demo note: debts claimed by the network may follow the person home.",
		Discrimination: "Demo note: returnees of sexual exploitation meet stigma in small communities.",
		Sources:        "Demo data, made up for trying Waymark."},
}

// seedReturns writes the notes on the countries of origin, as the
// coordinator, and records that the woman in her reflection period was
// informed of it. The returns service holds nothing of its own beyond the
// case service, so it is made here rather than passed in.
func seedReturns(ctx context.Context, d Deps, actors map[string]access.Actor) error {
	svc := returns.New(d.Cases)
	for code, note := range demoCountryNotes {
		if _, err := svc.SaveCountryNote(ctx, actors["coordinator"], code, note); err != nil {
			return fmt.Errorf("seed country note %s: %w", code, err)
		}
	}
	w := actors["caseworker"]
	page, err := d.Cases.List(ctx, w, cases.Filter{Stage: string(cases.Reflection)})
	if err != nil {
		return fmt.Errorf("seed informed: %w", err)
	}
	for _, c := range page.Cases {
		if _, err := d.Cases.RecordInformed(ctx, w, c.ID, cases.InformedInput{Topic: "reflection_period",
			On: time.Now().UTC().Format(time.DateOnly), Language: "ro", Interpreter: true, By: "Kim Caseworker, with the interpreter"}); err != nil {
			return fmt.Errorf("seed informed %s: %w", c.Code, err)
		}
	}
	return nil
}
