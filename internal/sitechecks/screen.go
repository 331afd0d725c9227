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
	answers := ScreeningAnswers(c.Answers)
	if len(answers) == 0 {
		return screening.Screening{}, apperr.New(apperr.Conflict, "sitechecks.error.no_signs")
	}
	sc, err := s.screenings.Create(ctx, actor, screening.Start{Setting: Setting})
	if err != nil {
		return screening.Screening{}, err
	}
	if sc, err = s.screenings.SaveAnswers(ctx, actor, sc.ID, answers); err != nil {
		return screening.Screening{}, fmt.Errorf("pre-fill screening %s from site check %s: %w", sc.ID, checkID, err)
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO site_check_screenings (check_id, screening_id, started_by, started_at) VALUES ($1, $2, $3, $4)`,
			checkID, sc.ID, actor.UserID, s.now()); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "site_check.screening.start", "site_check", checkID, fmt.Sprintf("screening=%s answers=%d", sc.ID, len(answers)))
	})
	return sc, err
}
