package demo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
)

// seedStatistics opens a year of pseudonymous cases, each on its own day
// over the last twelve months, so that every chart of the statistics
// dashboard shows something: several forms, genders, age bands and
// citizenship groups, cases moved on through the stages, and a few
// children, whose small count the analyst sees suppressed, spread over the
// city's districts. Nobody is named.
func seedStatistics(ctx context.Context, d Deps, actors map[string]access.Actor) error {
	if d.CasesAsOf == nil {
		return nil
	}
	forms := [][]string{{"labour"}, {"sexual"}, {"labour"}, {"domestic_servitude"}, {"sexual"}, {"begging"}, {"labour", "sexual"}, {"criminality"}}
	genders := []string{"feminine", "masculine", "feminine", "masculine", "unknown"}
	bands := []string{"18-24", "25-34", "35-49", "25-34", "18-24", "50+", "unknown"}
	citizenships := [][]string{{"RO"}, {"BG"}, {"NG"}, {"DE"}, {"VN"}, {"UA"}, {}, {"PL"}}
	// No seeded case reaches the reflection period: the demo's named woman
	// is the one case there, which the browser tests look for.
	stages := [][]cases.Stage{nil, {cases.Screening}, {cases.Screening, cases.ReasonableGrounds}, {cases.CrisisIntervention}}
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
		// Six of seven live in one of three of the city's six districts
		// (codes 1..3), enough in each for the analyst to see its count; the
		// seventh's area is not recorded.
		if i%7 > 0 {
			if err := svc.SetArea(ctx, w, c.ID, strconv.Itoa(1+i%3)); err != nil {
				return fmt.Errorf("seed area of statistics case %d: %w", i, err)
			}
		}
		for _, st := range stages[i%len(stages)] {
			if _, err := svc.MoveStage(ctx, w, c.ID, st, ""); err != nil {
				return fmt.Errorf("seed stage %s of statistics case %d: %w", st, i, err)
			}
		}
	}
	return seedReferrals(ctx, d, actors)
}

// labourSigns are screening answers with reasonable grounds for labour
// exploitation of an adult.
var labourSigns = map[string]screening.Answer{
	"core.does_work": "yes", "core.arranged_by_others": "yes", "rec.job_different": "yes", "rec.terms_worse": "yes",
	"work.excessive_hours": "yes", "core.money_taken": "yes", "core.documents_held": "yes", "core.debt": "yes",
}

// seedReferrals screens fourteen workers at an inspection and refers them
// to the NGO the protocol names, which accepts twelve (opening their cases)
// and records the reasonable-grounds decisions, and declines two: the
// referral, acceptance and time-to-decision figures of the dashboard. The
// NGO forwards some with reasonable grounds to the police, the competent
// authority for adults, which confirms their victim status, so that the rapporteur tables count
// identified victims beside presumed ones.
func seedReferrals(ctx context.Context, d Deps, actors map[string]access.Actor) error {
	if d.Screenings == nil {
		return nil
	}
	inspector, worker, police := actors["inspector"], actors["caseworker"], actors["police"]
	today := time.Now().UTC().Format(identification.DateLayout)
	for i := range 14 {
		age := 22 + i*2
		sc, err := d.Screenings.Create(ctx, inspector, screening.Start{Setting: "workplace_inspection", Age: screening.Age{Years: &age}})
		if err != nil {
			return fmt.Errorf("seed screening %d: %w", i, err)
		}
		if _, err := d.Screenings.SaveAnswers(ctx, inspector, sc.ID, labourSigns); err != nil {
			return fmt.Errorf("seed screening answers %d: %w", i, err)
		}
		if _, err := d.Screenings.Complete(ctx, inspector, sc.ID); err != nil {
			return fmt.Errorf("complete screening %d: %w", i, err)
		}
		draft, err := d.Identification.Prepare(ctx, inspector, sc.ID)
		if err != nil {
			return fmt.Errorf("prepare referral %d: %w", i, err)
		}
		r, err := d.Identification.Refer(ctx, inspector, identification.NewReferral{ScreeningID: sc.ID, Purposes: []string{"labour"},
			To: draft.To, PersonAgreed: true})
		if err != nil {
			return fmt.Errorf("seed referral %d: %w", i, err)
		}
		if i%5 == 4 {
			if _, err := d.Identification.Decline(ctx, worker, r.ID, "no_capacity"); err != nil {
				return fmt.Errorf("decline referral %d: %w", i, err)
			}
			continue
		}
		if _, err := d.Identification.Accept(ctx, worker, r.ID); err != nil {
			return fmt.Errorf("accept referral %d: %w", i, err)
		}
		outcome := identification.OutcomePositive
		if i%4 == 3 {
			outcome = identification.OutcomeNegative
		}
		if _, err := d.Identification.Decide(ctx, worker, r.ID, identification.NewDecision{Stage: identification.StageReasonableGrounds,
			Outcome: outcome, Kind: identification.KindInitial, Grounds: "Demo: consistent account at the first interview.", DecidedOn: today}); err != nil {
			return fmt.Errorf("decide referral %d: %w", i, err)
		}
		if outcome == identification.OutcomePositive && i%3 == 0 {
			if _, err := d.Identification.ForwardTo(ctx, worker, r.ID, police.OrgID); err != nil {
				return fmt.Errorf("forward referral %d to the police: %w", i, err)
			}
			if _, err := d.Identification.Decide(ctx, police, r.ID, identification.NewDecision{Stage: identification.StageVictimStatus,
				Outcome: identification.OutcomeConfirmed, Kind: identification.KindInitial,
				Grounds: "Demo: the account and the inspection's findings agree.", DecidedOn: today}); err != nil {
				return fmt.Errorf("confirm victim status %d: %w", i, err)
			}
		}
	}
	return nil
}
