package demo

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/workgroup"
)

// seedWorkgroup forms Riverton's working group of five partners and its
// chair, holds a meeting three weeks ago with minutes, decisions and two
// action items, schedules the next one, and puts two practices from the
// Danube round table (Vienna, Ljubljana) in the library.
func seedWorkgroup(ctx context.Context, d Deps, coordinator access.Actor, orgIDs []string) error {
	const city, social, ngo, police, labour = 0, 1, 2, 3, 4
	wg := d.Workgroup
	if wg == nil {
		return nil
	}
	joined := time.Now().AddDate(-1, -2, 0).Format(time.DateOnly)
	var present []string
	for _, i := range []int{city, social, ngo, police, labour} {
		m, err := wg.AddMember(ctx, coordinator, workgroup.MemberInput{OrgID: orgIDs[i], JoinedOn: joined})
		if err != nil {
			return fmt.Errorf("seed working group member %d: %w", i, err)
		}
		present = append(present, m.ID)
	}
	chair, err := wg.AddMember(ctx, coordinator, workgroup.MemberInput{OrgID: orgIDs[city], Name: "Cora Coordinator", Function: "Chair", JoinedOn: joined})
	if err != nil {
		return fmt.Errorf("seed working group chair: %w", err)
	}
	present = append(present, chair.ID)

	held := time.Now().AddDate(0, 0, -21)
	held = time.Date(held.Year(), held.Month(), held.Day(), 14, 0, 0, 0, time.Local)
	m, err := wg.CreateMeeting(ctx, coordinator, workgroup.MeetingInput{StartsAt: held.Format(workgroup.LocalMinute), Place: "Riverton City Hall, room 2",
		Agenda: []string{"Results of the first mapping round", "Training of hotel and taxi staff", "Labour inspections in agriculture"}})
	if err != nil {
		return fmt.Errorf("seed working group meeting: %w", err)
	}
	_, err = wg.RecordMeeting(ctx, coordinator, m.ID, workgroup.Record{Agenda: m.Agenda, Present: present,
		Minutes: "The NGO presented the mapping round: most signs were reported around the bus station and two car washes. " +
			"The police contact point asked that hotel staff know whom to call at night. The labour inspectorate plans joint visits to farms in the season.",
		Decisions: "The group adopts the mapping results as the basis of the action plan.\nHotel and taxi staff are the next audience for training.",
		New: []workgroup.ActionInput{
			{What: "Train front-desk staff of the city's hotels on the signs and whom to call", OwnerOrgID: orgIDs[ngo],
				DueOn: held.AddDate(0, 2, 0).Format(time.DateOnly)},
			{What: "Plan joint inspections of farms with the police for the harvest season", OwnerOrgID: orgIDs[labour],
				DueOn: held.AddDate(0, 1, 0).Format(time.DateOnly)},
		}})
	if err != nil {
		return fmt.Errorf("seed working group record: %w", err)
	}
	next := time.Now().AddDate(0, 0, 21)
	next = time.Date(next.Year(), next.Month(), next.Day(), 14, 0, 0, 0, time.Local)
	if _, err := wg.CreateMeeting(ctx, coordinator, workgroup.MeetingInput{StartsAt: next.Format(workgroup.LocalMinute), Place: "Riverton Police, meeting room",
		Agenda: []string{"Draft action plan", "Follow-up of the action items"}}); err != nil {
		return fmt.Errorf("seed next working group meeting: %w", err)
	}
	for _, p := range []workgroup.PracticeInput{
		{Title: "A standing working group led by a human rights office", City: "Vienna", Country: "AT",
			What:   "The city's human rights office runs a permanent group of public administration, NGOs and researchers, modelled on the Council of Europe's expert group.",
			Result: "Officials became aware that trafficking happens in the city; the city supports victims even where cases are federal.",
			Source: "Danube round table summary, Vienna 2017: good practice Vienna", Transfer: "yes",
			TransferWhy: "Riverton's human rights office already convenes the partners; a standing group gives them a fixed rhythm.",
			Tags:        []string{"coordination", "working group"}},
		{Title: "Police contact persons named in a memorandum with an NGO", City: "Ljubljana", Country: "SI",
			What:   "An NGO running shelters signed a memorandum with the police, which names trained contact persons the NGO calls when it suspects a crime.",
			Result: "Referrals reach a trained officer at once; the NGO keeps its role in assistance.",
			Source: "Danube round table summary, Vienna 2017: good practice Ljubljana", Transfer: "partly",
			TransferWhy: "Our police have one contact point; more trained contact persons are needed before night calls can be covered.",
			Tags:        []string{"police", "agreements"}},
	} {
		if _, err := wg.CreatePractice(ctx, coordinator, p); err != nil {
			return fmt.Errorf("seed good practice: %w", err)
		}
	}
	return nil
}
