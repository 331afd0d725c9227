package demo

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/businesses"
	"waymark.city/waymark/internal/inspections"
	"waymark.city/waymark/internal/intelligence"
	"waymark.city/waymark/internal/interpreters"
	"waymark.city/waymark/internal/outreach"
)

// Prevention is the prevention work the demo seeds beside procurement and
// campaigns (issue 13 items 5-7); a nil service seeds nothing of its kind.
type Prevention struct {
	Outreach     *outreach.Service
	Businesses   *businesses.Service
	Inspections  *inspections.Service
	Intelligence *intelligence.Service
}

// seedPrevention records two outreach sessions in two districts (one with
// the register's cultural mediator), a sector association that signed a
// code of ethics, a joint inspection of the construction sites the
// mapping found in the Harbour, and a piece of intelligence about a
// recruiter. Everything is fictional; nothing names a person.
func seedPrevention(ctx context.Context, d Deps, actors map[string]access.Actor, orgIDs []string) error {
	p := d.Prevention
	coordinator, caseworker, police := actors["coordinator"], actors["caseworker"], actors["police"]
	day := func(months, days int) string { return time.Now().AddDate(0, months, days).Format(time.DateOnly) }
	if p.Outreach != nil {
		var mediators []string
		if d.Interpreters != nil {
			list, err := d.Interpreters.List(ctx, coordinator, interpreters.Filter{})
			if err != nil {
				return fmt.Errorf("seed outreach: list mediators: %w", err)
			}
			for _, m := range list {
				if m.Kind == "mediator" || m.Kind == "both" {
					mediators = append(mediators, m.ID)
				}
			}
		}
		sessions := []struct {
			actor access.Actor
			in    outreach.Input
		}{
			{caseworker, outreach.Input{HeldOn: day(-1, 0), AreaCode: "5", LocationType: "transport_hub", Mediators: mediators,
				Team:     []outreach.TeamRow{{OrgID: orgIDs[2], Staff: "2"}, {Index: 1, OrgID: orgIDs[1], Staff: "1"}},
				Contacts: map[string]string{"men": "14", "women": "5", "workers": "9"}, Materials: "40", MaterialCode: "RIV-CARD-1", Referrals: "2"}},
			{coordinator, outreach.Input{HeldOn: day(0, -6), AreaCode: "1", LocationType: "street_scene",
				Team:     []outreach.TeamRow{{OrgID: orgIDs[2], Staff: "2"}, {Index: 1, OrgID: orgIDs[0], Staff: "1"}},
				Contacts: map[string]string{"sex_work": "11", "young_people": "3"}, Materials: "25", Referrals: "1"}},
		}
		for i, s := range sessions {
			if _, err := p.Outreach.Create(ctx, s.actor, s.in); err != nil {
				return fmt.Errorf("seed outreach session %d: %w", i, err)
			}
		}
	}
	if p.Businesses != nil {
		assoc, err := p.Businesses.Create(ctx, coordinator, businesses.Input{Name: "Riverton Cleaning Contractors' Association",
			Kind: businesses.Association, Sector: "cleaning", ContactOrgID: orgIDs[0]})
		if err != nil {
			return fmt.Errorf("seed business association: %w", err)
		}
		if _, err := p.Businesses.AddCommitment(ctx, coordinator, assoc.ID, businesses.CommitmentInput{Kind: "code_of_ethics",
			MadeOn: day(-2, 0), FollowUpOn: day(4, 0), Note: "All 23 member firms signed; posters of the helpline follow."}); err != nil {
			return fmt.Errorf("seed code of ethics: %w", err)
		}
	}
	if p.Inspections != nil {
		if _, err := p.Inspections.Plan(ctx, police, inspections.Input{PlannedOn: day(0, 12), LocationType: "construction_site", AreaCode: "2",
			Sector: "construction", Agencies: []string{orgIDs[4], orgIDs[3]},
			Sites: []inspections.Site{{Address: "Pier Road 12, Harbour Quay building site", Type: "construction_site"}}}); err != nil {
			return fmt.Errorf("seed joint inspection: %w", err)
		}
	}
	if p.Intelligence != nil {
		if _, err := p.Intelligence.Submit(ctx, caseworker, intelligence.Input{About: "recruiter", Sector: "construction", AreaCode: "5",
			Text: "A man calling himself 'Dragan' offers building work at the Station Quarter bus stop on Monday mornings; " +
				"he keeps passports 'for the contract' and takes a fee per worker. A white minibus, plates seen as RV-… collects them.",
			NotAboutVictims: true}); err != nil {
			return fmt.Errorf("seed intelligence: %w", err)
		}
	}
	return nil
}
