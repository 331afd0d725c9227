package app

import (
	"context"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/legalstatus"
)

// SeedDemoLegal records the demo legal status of a case (demo.LegalRecords):
// a temporary permit that allows work and study, a fine for the false
// passport she travelled on with a pending submission for non-punishment,
// criminal proceedings, and protective measures answering her current risk
// assessment. It lives here because only the assembly imports legalstatus.
func (a *App) SeedDemoLegal(ctx context.Context, actor access.Actor, caseID string) error {
	svc := a.LegalStatus
	day := func(offset int) string { return time.Now().UTC().AddDate(0, 0, offset).Format(time.DateOnly) }
	if _, err := svc.AddPermit(ctx, actor, caseID, legalstatus.PermitInput{Type: "temporary_victim_permit", Status: "granted",
		Start: day(0), Expiry: day(180), Authority: "Riverton residence office", AllowsWork: "yes", AllowsStudy: "yes"}); err != nil {
		return err
	}
	pen, err := svc.SavePenalty(ctx, actor, caseID, legalstatus.PenaltyInput{Kind: "administrative_fine", Linked: "yes", OccurredOn: day(-40),
		Authority: "Riverton border police", Note: "Demo: travelled on a passport the recruiter provided."})
	if err != nil {
		return err
	}
	if _, err := svc.SaveSubmission(ctx, actor, caseID, legalstatus.SubmissionInput{Penalty: pen.Number, SubmittedOn: day(-7),
		SubmittedBy: "assisting_organisation", SubmittedTo: "Riverton district prosecutor", Outcome: "pending", HearingOn: day(20)}); err != nil {
		return err
	}
	pr, err := svc.SaveProceeding(ctx, actor, caseID, legalstatus.ProceedingInput{Role: "injured_party", Stage: "investigation",
		Cooperation: "undecided", NextHearing: day(45)})
	if err != nil {
		return err
	}
	ov, err := svc.Get(ctx, actor, caseID)
	if err != nil {
		return err
	}
	current := ""
	if len(ov.Assessments) > 0 {
		current = ov.Assessments[0].ID
	}
	for _, m := range []legalstatus.MeasureInput{
		{Kind: "video_testimony", RequestedOn: day(-3), RequestedBy: "lawyer", Status: "pending", ProceedingID: pr.ID, HearingOn: day(45),
			RiskAssessmentID: current},
		{Kind: "relatives_protection", RequestedOn: day(-10), RequestedBy: "assisting_organisation", Status: "granted", DecidedOn: day(-2),
			ProceedingID: pr.ID, RiskAssessmentID: current},
	} {
		if _, err := svc.SaveMeasure(ctx, actor, caseID, m); err != nil {
			return err
		}
	}
	return nil
}
