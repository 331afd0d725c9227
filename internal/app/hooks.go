package app

import (
	"context"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
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
		Person: cases.UnknownPerson(r.Population == screening.Child, r.Purposes),
	})
	return err
}
