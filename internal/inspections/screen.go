package inspections

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// Setting is the screening setting of the screenings an inspection starts:
// the catalogue's workplace inspection, whose field guide says what to
// look for when inspectors meet workers. A setting of its own would change
// the catalogue, which the inspection does not need.
const Setting = "workplace_inspection"

// Linked is a screening started from an inspection. Open says whether the
// actor may open it (a screening of their own organisation, and a role
// that screens); the others are counted only.
type Linked struct {
	ScreeningID string
	StartedAt   time.Time
	Status      string
	Open        bool
}

// StartScreening opens a screening of one worker met at the inspection and
// links it to the inspection; each call starts one screening. The
// screening and the link are stored in one transaction, so a failure
// leaves no screening the inspection does not count.
func (s *Service) StartScreening(ctx context.Context, actor access.Actor, id string) (screening.Screening, error) {
	scope, err := s.gate.Authorize(ctx, actor, access.TakePartInInspections, "inspection", id)
	if err != nil {
		return screening.Screening{}, err
	}
	if err := s.db.Read(ctx, func(tx *storage.Tx) error { return visible(ctx, tx, scope, id) }); err != nil {
		return screening.Screening{}, s.refuseMissing(ctx, actor, id, err)
	}
	return s.screenings.CreateWith(ctx, actor, screening.Start{Setting: Setting}, func(tx *storage.Tx, sc screening.Screening) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inspection_screenings (inspection_id, screening_id, started_by, started_at) VALUES ($1, $2, $3, $4)`,
			id, sc.ID, actor.UserID, s.now()); err != nil {
			return fmt.Errorf("link screening to inspection %s: %w", id, err)
		}
		return s.gate.Record(ctx, tx, actor, "inspections.screening.start", "inspection", id, "", "screening="+sc.ID)
	})
}

// linked lists the inspection's screenings, oldest first, each marked
// whether actor may open it. Deciding that is not a refusal: a screening
// the actor may not open is shown as a count, nothing is audited.
func linked(ctx context.Context, tx *storage.Tx, actor access.Actor, id string) ([]Linked, error) {
	scope, err := access.Authorize(actor, access.EvaluateScreening)
	mayScreen := err == nil
	rows, err := tx.QueryContext(ctx, `SELECT x.screening_id, x.started_at, s.status, s.org_id FROM inspection_screenings x
		JOIN screenings s ON s.id = x.screening_id WHERE x.inspection_id = $1 ORDER BY x.started_at, x.screening_id`, id)
	if err != nil {
		return nil, fmt.Errorf("list inspection screenings: %w", err)
	}
	defer rows.Close()
	var out []Linked
	for rows.Next() {
		var l Linked
		var org string
		if err := rows.Scan(&l.ScreeningID, &l.StartedAt, &l.Status, &org); err != nil {
			return nil, fmt.Errorf("scan inspection screening: %w", err)
		}
		l.Open = mayScreen && scope.Includes(org)
		out = append(out, l)
	}
	return out, rows.Err()
}
