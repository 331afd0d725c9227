package api_test

import (
	"context"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
)

// targetReferral is a referral from organisation A to itself, made from a
// completed screening with reasonable grounds for labour exploitation: the
// {id} of the referral routes in the walk.
func targetReferral(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	store := screening.NewStore(f.env.App.DB, f.env.App.Audit, f.env.App.Screening)
	who := f.staff[access.Screener].Actor
	thirty := 30
	sc, err := store.Create(ctx, who, screening.Start{Setting: "workplace_inspection", Age: screening.Age{Years: &thirty}})
	if err != nil {
		t.Fatalf("create screening: %v", err)
	}
	if _, err := store.SaveAnswers(ctx, who, sc.ID, map[string]screening.Answer{
		"core.does_work": screening.Yes, "core.arranged_by_others": screening.Yes, "rec.job_different": screening.Yes, "rec.terms_worse": screening.Yes,
		"work.excessive_hours": screening.Yes, "core.money_taken": screening.Yes,
		"core.documents_held": screening.Yes, "core.debt": screening.Yes,
	}); err != nil {
		t.Fatalf("save answers: %v", err)
	}
	if _, err := store.Complete(ctx, who, sc.ID); err != nil {
		t.Fatalf("complete: %v", err)
	}
	r, err := f.env.App.Identification.Refer(ctx, who, identification.NewReferral{
		ScreeningID: sc.ID, Purposes: []string{"labour"}, To: f.orgA, PersonAgreed: true})
	if err != nil {
		t.Fatalf("refer: %v", err)
	}
	return r.ID
}
