package app

import (
	"context"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/dataprotection"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// openCaseFromReferral opens the person's case when the receiving
// organisation accepts a referral. The referral names nobody, so the case
// starts pseudonymous at the screening stage; the worker adds the identity
// and consent when they meet the person. Roles that do not manage cases
// (a police contact point accepting a referral) open none.
func (a *App) openCaseFromReferral(ctx context.Context, tx *storage.Tx, actor access.Actor, r identification.Referral) error {
	if access.ReachOf(actor.Role, access.OpenCase) == access.None {
		return nil
	}
	_, err := a.Cases.OpenIn(ctx, tx, actor, cases.NewCase{
		Origin: cases.FromReferral, OriginID: r.ID, Stage: cases.Screening,
		// A referral made under catalogue version 1 still names its forms.
		Person: cases.UnknownPerson(r.Population == screening.Child, identification.CurrentForms(r.Purposes)),
	})
	return err
}

// exportSections are the parts of a person's data export that capabilities
// built on cases keep, each read in the export's transaction.
func (a *App) exportSections() []dataprotection.Section {
	return []dataprotection.Section{
		{Name: "risk", Export: func(ctx context.Context, tx *storage.Tx, c cases.Access) (any, error) {
			return a.Risk.Export(ctx, tx, c)
		}},
		{Name: "assistance", Export: func(ctx context.Context, tx *storage.Tx, c cases.Access) (any, error) {
			return a.Assistance.Export(ctx, tx, c)
		}},
		{Name: "legal_status", Export: func(ctx context.Context, tx *storage.Tx, c cases.Access) (any, error) {
			return a.LegalStatus.Export(ctx, tx, c)
		}},
		{Name: "child_protection", Export: func(ctx context.Context, tx *storage.Tx, c cases.Access) (any, error) {
			return a.Children.Export(ctx, tx, c)
		}},
		{Name: "crisis_unit", Export: func(ctx context.Context, tx *storage.Tx, c cases.Access) (any, error) {
			return a.CrisisUnit.Export(ctx, tx, c)
		}},
	}
}

// traffickingStatus is the HTCDS trafficking status of a case that came
// from a referral: what the decisions on that referral say.
func traffickingStatus(ctx context.Context, tx *storage.Tx, c cases.Case) (string, string, error) {
	if c.Origin != cases.FromReferral || c.OriginID == "" {
		return "", "", nil
	}
	st, err := identification.StatusIn(ctx, tx, c.OriginID)
	return st.TraffickingStatus, st.DecisionMakingOrg, err
}
