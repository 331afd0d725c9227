package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/returns"
)

// seedOperations gives the charts of the statistics' services page
// (/statistics/services) records beyond the other seeds': shelter
// placements at the NGO's shelter over the last year, the voluntary return
// of three of the women placed with the follow-ups after it, and reports
// the hotline answered today. Training, campaigns and the mapping come
// from their own seeds.
func seedOperations(ctx context.Context, d Deps, actors map[string]access.Actor) error {
	placed, err := seedPlacements(ctx, d, actors)
	if err != nil {
		return err
	}
	if err := seedFollowUps(ctx, d, actors["socialworker"], placed); err != nil {
		return err
	}
	return seedTriage(ctx, d, actors)
}

// seedPlacements places women the social services work with at the Safe
// Harbour shelter, each three days after her case opened, for four to
// seven weeks (the last ones still there), on the case service's clock of
// those days, so that each month has persons in the shelter. It returns
// the women whose stay ended, with the day it ended, oldest first.
func seedPlacements(ctx context.Context, d Deps, actors map[string]access.Actor) ([]stay, error) {
	if d.CasesAsOf == nil || d.Assistance == nil {
		return nil, nil
	}
	referrer, shelterWorker := actors["socialworker"], actors["caseworker"]
	shelters, err := d.Assistance.Providers(ctx, actors["coordinator"], assistance.ProviderFilter{Type: "shelter"})
	if err != nil || len(shelters) == 0 {
		return nil, err
	}
	shelter := shelters[0]
	var women []cases.Case
	for cursor := "start"; cursor != ""; {
		if cursor == "start" {
			cursor = ""
		}
		page, err := d.Cases.List(ctx, referrer, cases.Filter{Stage: "all", Cursor: cursor})
		if err != nil {
			return nil, fmt.Errorf("seed placements: %w", err)
		}
		for _, c := range page.Cases {
			if c.Gender == "feminine" && !c.Child && c.Origin == cases.Direct {
				women = append(women, c)
			}
		}
		cursor = page.Next
	}
	slices.SortFunc(women, func(a, b cases.Case) int { return a.CreatedAt.Compare(b.CreatedAt) })
	var ended []stay
	now := time.Now().UTC()
	for i, c := range women {
		from := c.CreatedAt.AddDate(0, 0, 3)
		if !from.Before(now) {
			continue
		}
		svc := d.CasesAsOf(func() time.Time { return from })
		as := assistance.New(svc)
		if _, err := svc.RecordConsent(ctx, referrer, c.ID, cases.ConsentInput{Purposes: []string{cases.PurposeReferral},
			Orgs: []string{shelter.OrgID}, Providers: []string{shelter.ID}, Categories: []string{string(cases.Assistance)},
			Language: "ro", Interpreter: true, Method: "written", GivenBy: "person", GivenOn: from.Format(time.DateOnly)}); err != nil {
			return nil, fmt.Errorf("seed placement consent %s: %w", c.Code, err)
		}
		r, err := as.Refer(ctx, referrer, c.ID, assistance.ReferralInput{ProviderID: shelter.ID, Services: []string{"shelter"}, Placement: true})
		if err != nil {
			return nil, fmt.Errorf("seed placement %s: %w", c.Code, err)
		}
		if _, err := as.AnswerReferral(ctx, shelterWorker, c.ID, r.ID, assistance.Answer{Accept: true}); err != nil {
			return nil, fmt.Errorf("seed placement answer %s: %w", c.Code, err)
		}
		until := from.AddDate(0, 0, 28+7*(i%4))
		if !until.Before(now) {
			continue
		}
		if _, err := assistance.New(d.CasesAsOf(func() time.Time { return until })).EndReferral(ctx, referrer, c.ID, r.ID, "completed"); err != nil {
			return nil, fmt.Errorf("seed placement end %s: %w", c.Code, err)
		}
		ended = append(ended, stay{c, until})
	}
	return ended, nil
}

// stay is a woman's stay in the shelter that ended on until.
type stay struct {
	cases.Case
	until time.Time
}

// seedFollowUps has the first three women whose stay in the shelter ended
// ask to return home a few days later (moving their cases on through the
// reflection period and the long-term stage to the return), travel a week
// after their written consent, and be followed up one and three months
// after that: each first follow-up done on its day, a second one done
// six days late, and the rest, depending on today, overdue or not yet due.
func seedFollowUps(ctx context.Context, d Deps, worker access.Actor, stays []stay) error {
	now := time.Now().UTC()
	for i, st := range stays[:min(3, len(stays))] {
		day := st.until.AddDate(0, 0, 3)
		svc := d.CasesAsOf(func() time.Time { return day })
		path := []cases.Stage{cases.Screening, cases.ReasonableGrounds, cases.Reflection, cases.LongTerm, cases.Return}
		if st.Stage == cases.CrisisIntervention {
			path = path[2:]
		} else if at := slices.Index(path, st.Stage); at >= 0 {
			path = path[at+1:]
		}
		for _, to := range path {
			reason := ""
			if to == cases.Return {
				reason = cases.PersonAskedReturn
			}
			if _, err := svc.MoveStage(ctx, worker, st.ID, to, reason); err != nil {
				return fmt.Errorf("seed return stage %s of %s: %w", to, st.Code, err)
			}
		}
		on := day.Format(time.DateOnly)
		rs := returns.New(svc)
		if _, err := rs.Save(ctx, worker, st.ID, returns.Plan{Country: "RO", Place: "Demo: her home town", Receiver: "Demo reintegration NGO",
			ReceiverContact: "Demo: the NGO's duty phone", RiskLevel: "medium", RiskAssessedOn: on, ConsentWritten: true, ConsentOn: on,
			ConsentLanguage: "ro", ConsentInterpreter: true, ConsentOnFile: true, ConsentGivenBy: "person",
			TravelOn: day.AddDate(0, 0, 7).Format(time.DateOnly)}); err != nil {
			return fmt.Errorf("seed return of %s: %w", st.Code, err)
		}
		for n, due := range []time.Time{day.AddDate(0, 1, 7), day.AddDate(0, 3, 7)} {
			f, err := rs.PlanFollowUp(ctx, worker, st.ID, due.Format(time.DateOnly))
			if err != nil {
				return fmt.Errorf("seed follow-up of %s: %w", st.Code, err)
			}
			done := due
			if n == 1 {
				if i > 0 {
					continue
				}
				done = due.AddDate(0, 0, 6)
			}
			if done.After(now) {
				continue
			}
			if err := returns.New(d.CasesAsOf(func() time.Time { return done })).RecordFollowUp(ctx, worker, st.ID, f.ID,
				returns.FollowUpResult{DoneOn: done.Format(time.DateOnly), Outcome: "settled"}); err != nil {
				return fmt.Errorf("seed follow-up result of %s: %w", st.Code, err)
			}
		}
	}
	return nil
}

// seedTriage sends three reports to the hotline today, which answers each
// at once, within its deadline, by passing it on as handled elsewhere: the
// triage chart counts them and the queue (which the browser tests count)
// stays as the other seeds left it. The intake service has no other
// clock, so these fall in this month.
func seedTriage(ctx context.Context, d Deps, actors map[string]access.Actor) error {
	if d.Intake == nil {
		return nil
	}
	hotline := actors["hotline"]
	scope, err := access.Authorize(hotline, access.TriageReports)
	if err != nil {
		return fmt.Errorf("seed triage: %w", err)
	}
	for i, r := range []struct{ urgency, details string }{
		{intake.UrgencySoon, "Seasonal pickers on the farm by the river road are driven to the fields before dawn and back after dark."},
		{intake.UrgencyNoRush, "A nail studio on the high street seems to have the same women working there day and night."},
		{intake.UrgencySoon, "Men at the building site on Mill Street say their boss keeps their passports."},
	} {
		rc, err := d.Intake.Submit(ctx, intake.Submission{Details: r.details, PlaceType: intake.Unknown, Urgency: r.urgency, Language: "en"},
			solvedWork(d.Intake))
		if err != nil {
			return fmt.Errorf("seed triage report %d: %w", i, err)
		}
		if err := d.Intake.Dismiss(ctx, hotline, scope, rc.ReportID, "handled_elsewhere", ""); err != nil {
			return fmt.Errorf("seed triage answer %d: %w", i, err)
		}
	}
	return nil
}
