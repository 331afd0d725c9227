package demo

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/training"
)

// seedTraining records Riverton's training needs, two sessions held (police
// and social services; labour inspectors) with their attendance and the
// contact points they trained, and a coming session for hotel and taxi
// staff, so the coverage table shows both what was done and the gaps.
func seedTraining(ctx context.Context, d Deps, coordinator access.Actor, orgIDs []string) error {
	const social, ngo, police, labour = 1, 2, 3, 4
	tr := d.Training
	if tr == nil {
		return nil
	}
	for _, n := range []training.NeedInput{
		{OrgID: orgIDs[labour], Role: "field inspectors", Topic: "Signs of labour exploitation in agriculture and construction", Priority: "high"},
		{Group: "hotels", Role: "front desk, night shift", Topic: "Signs of sexual exploitation in hotels and whom to call", Priority: "high"},
		{Group: "taxi", Topic: "What drivers may notice and how to report it safely", Priority: "medium"},
		{Group: "procurement", Topic: "Forced labour risks in the city's cleaning and construction contracts", Priority: "medium"},
	} {
		if _, err := tr.CreateNeed(ctx, coordinator, n); err != nil {
			return fmt.Errorf("seed training need: %w", err)
		}
	}
	at := func(months, days int) string {
		t := time.Now().AddDate(0, months, days)
		return time.Date(t.Year(), t.Month(), t.Day(), 9, 30, 0, 0, time.Local).Format(training.LocalMinute)
	}
	first, err := tr.CreateSession(ctx, coordinator, training.SessionInput{StartsAt: at(-4, 0), Topic: "Recognising trafficking: the indicators and whom to call",
		Groups: []string{"police", "social_services"}, Roles: "patrol officers, case managers", Trainer: "Safe Harbour training team",
		Languages: []string{"en"}, Materials: []training.Material{{Title: "Indicator card of the field guide"}, {Title: "Riverton referral protocol"}}})
	if err != nil {
		return fmt.Errorf("seed training session: %w", err)
	}
	if _, err := tr.RecordAttendance(ctx, coordinator, first.ID, []training.AttendanceInput{
		{OrgID: orgIDs[police], Role: "patrol officers", Attended: "14"},
		{Index: 1, OrgID: orgIDs[social], Role: "case managers", Attended: "9"},
		{Index: 2, OrgID: orgIDs[ngo], Role: "outreach workers", Attended: "4"},
	}, &training.ContactInput{OrgID: orgIDs[police], Name: "Petra Novak", Function: "Trafficking contact point, night shifts"}); err != nil {
		return fmt.Errorf("seed training attendance: %w", err)
	}
	second, err := tr.CreateSession(ctx, coordinator, training.SessionInput{StartsAt: at(-1, 0), Topic: "Labour exploitation: what inspectors see on site",
		Groups: []string{"inspectors", "employment_services"}, Roles: "field inspectors", Trainer: "Regional Labour Inspectorate with Safe Harbour",
		Languages: []string{"en", "ro"}})
	if err != nil {
		return fmt.Errorf("seed training session: %w", err)
	}
	if _, err := tr.RecordAttendance(ctx, coordinator, second.ID, []training.AttendanceInput{
		{OrgID: orgIDs[labour], Role: "field inspectors", Attended: "6"},
	}, &training.ContactInput{OrgID: orgIDs[labour], Name: "Ines Inspector", Function: "Inspectorate contact point"}); err != nil {
		return fmt.Errorf("seed training attendance: %w", err)
	}
	if _, err := tr.CreateSession(ctx, coordinator, training.SessionInput{StartsAt: at(0, 14), Topic: "At the front desk and behind the wheel",
		Groups: []string{"hotels", "taxi"}, Roles: "night receptionists, taxi drivers", Trainer: "Helpline 0800 and Safe Harbour",
		Languages: []string{"en", "de"}}); err != nil {
		return fmt.Errorf("seed training session: %w", err)
	}
	return nil
}
