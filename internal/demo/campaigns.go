package demo

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/intake"
)

// seedCampaigns runs Riverton's campaign against labour exploitation in
// cleaning and construction, aimed at the sectors and places the mapping
// names, in English and Romanian: a poster and a leaflet with their codes,
// targets declared before launch (contacts, and the share of people
// surveyed who know where to report), survey responses from before and
// after the launch, the reach counted so far, a report sent through the
// public form with the poster's code, and a harm log entry waiting for the
// coordinator's review.
func seedCampaigns(ctx context.Context, d Deps, actors map[string]access.Actor) error {
	svc := d.Campaigns
	if svc == nil || d.Intake == nil {
		return nil
	}
	coord := actors["coordinator"]
	day := func(months, days int) string { return time.Now().AddDate(0, months, days).Format(time.DateOnly) }
	c, err := svc.Create(ctx, coord, campaigns.Input{Name: "Clean work, fair pay",
		Populations: []string{"minority_language", "unemployed"}, Sectors: []string{"cleaning", "construction"},
		LocationTypes: []string{"construction_site", "employment_agency", "migrant_centre"}, Languages: []string{"en", "ro"},
		Channels: []string{"poster", "leaflet", "outreach"}, StartsOn: day(-1, 0), EndsOn: day(2, 0),
		CTAText: "Not paid, papers taken, no day off? Tell us, anonymously and in your language.", CTAReport: true,
		CTAPhone: "+00 800 555 0800"})
	if err != nil {
		return fmt.Errorf("seed campaign: %w", err)
	}
	if err := svc.AddTarget(ctx, coord, c.ID, campaigns.TargetInput{Measure: "contacts", Target: "40", DueOn: day(2, 0)}); err != nil {
		return fmt.Errorf("seed campaign target: %w", err)
	}
	if err := svc.AddTarget(ctx, coord, c.ID, campaigns.TargetInput{Measure: "survey_knows_where", Target: "40", DueOn: day(2, 0)}); err != nil {
		return fmt.Errorf("seed campaign target: %w", err)
	}
	// The baseline asked at the migrant centre before the launch: one in
	// six knew where to report.
	if err := seedSurvey(ctx, svc, coord, c.ID, day(-1, -5), []string{"yes", "no", "no", "no", "no", "no"}); err != nil {
		return err
	}
	poster, err := svc.AddMaterial(ctx, coord, c.ID, campaigns.MaterialInput{Title: "Poster A3, building sites and job agencies", Channel: "poster", Language: "en"})
	if err != nil {
		return fmt.Errorf("seed campaign material: %w", err)
	}
	leaflet, err := svc.AddMaterial(ctx, coord, c.ID, campaigns.MaterialInput{Title: "Leaflet for outreach at the migrant centre", Channel: "leaflet", Language: "ro"})
	if err != nil {
		return fmt.Errorf("seed campaign material: %w", err)
	}
	if err := svc.Launch(ctx, coord, c.ID); err != nil {
		return fmt.Errorf("launch campaign: %w", err)
	}
	// Asked again after the launch: three in five knew.
	if err := seedSurvey(ctx, svc, coord, c.ID, day(0, 0), []string{"yes", "yes", "yes", "no", "no"}); err != nil {
		return err
	}
	for _, r := range []campaigns.ReachInput{
		{MaterialID: poster.ID, People: "800", CountedOn: day(0, -7)},
		{MaterialID: leaflet.ID, People: "350", CountedOn: day(0, -7)},
	} {
		if err := svc.RecordReach(ctx, coord, c.ID, r); err != nil {
			return fmt.Errorf("seed campaign reach: %w", err)
		}
	}
	if _, err := d.Intake.Submit(ctx, intake.Submission{Details: "The night cleaners at the office tower say they have not been paid for two months " +
		"and the agency keeps their passports.", PlaceType: intake.Unknown, Urgency: intake.UrgencySoon, Language: "en", Code: poster.Code},
		solvedWork(d.Intake)); err != nil {
		return fmt.Errorf("seed campaign report: %w", err)
	}
	if err := svc.RecordHarm(ctx, coord, c.ID, campaigns.HarmInput{Kind: "misunderstood", Severity: "medium", HappenedOn: day(0, -10),
		Description: "At one job agency readers took the poster for a notice of the immigration office; its headline needs other words."}); err != nil {
		return fmt.Errorf("seed campaign harm: %w", err)
	}
	return nil
}

// seedSurvey enters a survey response on day for each answer to "do you
// know where to report"; who saw and recognised the campaign follows it.
func seedSurvey(ctx context.Context, svc *campaigns.Service, coord access.Actor, campaignID, day string, knows []string) error {
	for i, k := range knows {
		saw := "no"
		if i%2 == 0 {
			saw = "yes"
		}
		if _, err := svc.RecordSurvey(ctx, coord, campaignID, day, url.Values{"saw_campaign": {saw}, "recognised": {saw},
			"knows_where": {k}, "would_act": {"maybe"}}, "en"); err != nil {
			return fmt.Errorf("seed campaign survey: %w", err)
		}
	}
	return nil
}

// solvedWork solves a proof of work as the public form's script does, so
// the demo report arrives as a new report rather than a held one.
func solvedWork(s *intake.Service) intake.Work {
	challenge, difficulty := s.Challenge()
	for i := 0; ; i++ {
		if nonce := strconv.Itoa(i); intake.LeadingZeroBits(challenge, nonce) >= difficulty {
			return intake.Work{Challenge: challenge, Nonce: nonce}
		}
	}
}
