package sitechecks

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// Setting is the screening setting of the screenings a check opens (a
// place of the screening catalogue, whose field guide says what to look
// for at a procurement site).
const Setting = "procurement_site_check"

// StartScreening opens a screening of one worker of the check's site with
// the answers the check's signs stand for filled in (ScreeningAnswers),
// and links it to the check. Each call starts one screening: one per
// worker screened. A check without signs about workers is refused.
func (s *Service) StartScreening(ctx context.Context, actor access.Actor, checkID string) (screening.Screening, error) {
	if err := s.authorize(ctx, actor, access.ManageProcurement, "site_check", checkID); err != nil {
		return screening.Screening{}, err
	}
	c, err := s.Check(ctx, actor, checkID)
	if err != nil {
		return screening.Screening{}, err
	}
	answers := c.screen
	if len(answers) == 0 {
		return screening.Screening{}, apperr.New(apperr.Conflict, "sitechecks.error.no_signs")
	}
	// The screening, its answers and the check's link to it are stored in
	// one transaction: a failure leaves no screening the check does not
	// know of.
	return s.screenings.CreateWith(ctx, actor, screening.Start{Setting: Setting, Answers: answers,
		From: &screening.Source{Kind: "site_check", ID: checkID, On: c.CheckedOn}}, func(tx *storage.Tx, sc screening.Screening) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO site_check_screenings (check_id, screening_id, started_by, started_at) VALUES ($1, $2, $3, $4)`,
			checkID, sc.ID, actor.UserID, s.now()); err != nil {
			return fmt.Errorf("link screening to site check %s: %w", checkID, err)
		}
		return s.record(ctx, tx, actor, "site_check.screening.start", "site_check", checkID, fmt.Sprintf("screening=%s answers=%d", sc.ID, len(answers)))
	})
}
