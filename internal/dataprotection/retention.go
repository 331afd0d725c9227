package dataprotection

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// retentionBatch is how many cases one query of the retention job picks;
// each is then anonymised in its own transaction, so a long run never
// holds the writer for long.
const retentionBatch = 50

// ReasonRetention is the anonymisation reason of the retention job.
const ReasonRetention = "retention"

// retainable selects closed cases past retention that nothing holds: no
// erasure request waits for its decision (the person must get an answer
// first) and no legal hold runs. $1 is the cut-off time, $2 today.
const retainable = `c.stage = 'closed' AND c.anonymised_at IS NULL AND c.closed_at < $1
	AND NOT EXISTS (SELECT 1 FROM case_erasure_requests e WHERE e.case_id = c.id AND e.status = 'pending')
	AND NOT EXISTS (SELECT 1 FROM case_legal_holds h WHERE h.case_id = c.id AND h.lifted_at IS NULL AND h.until_on >= $2)`

// Retain anonymises every case closed longer ago than the retention
// period, one transaction per case, and returns how many it anonymised.
// The actor is the system (an empty actor); each anonymisation writes its
// own timeline and audit entry with the reason "retention".
func (s *Service) Retain(ctx context.Context) (int, error) {
	now := s.cases.Now()
	cutoff, today := now.Add(-s.cfg.Retention), now.Format(time.DateOnly)
	done := 0
	for {
		var ids []string
		err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT c.id FROM cases c WHERE `+retainable+` ORDER BY c.closed_at, c.id LIMIT $3`,
				cutoff, today, retentionBatch)
			if err != nil {
				return fmt.Errorf("find cases past retention: %w", err)
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					return fmt.Errorf("scan case past retention: %w", err)
				}
				ids = append(ids, id)
			}
			return rows.Err()
		})
		if err != nil {
			return done, err
		}
		for _, id := range ids {
			ok, err := s.retainOne(ctx, id, cutoff, today)
			if err != nil {
				return done, err
			}
			if ok {
				done++
			}
		}
		if len(ids) < retentionBatch {
			return done, nil
		}
		if err := ctx.Err(); err != nil {
			return done, err
		}
	}
}

// retainOne anonymises one case if, with its row locked, it still
// qualifies (a user may have re-opened it or set a hold meanwhile).
func (s *Service) retainOne(ctx context.Context, id string, cutoff time.Time, today string) (bool, error) {
	anonymised := false
	err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		q := `SELECT c.id, c.org_id FROM cases c WHERE c.id = $3 AND ` + retainable + tx.ForUpdate()
		var c cases.Case
		err := tx.QueryRowContext(ctx, q, cutoff, today, id).Scan(&c.ID, &c.OrgID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("lock case %s for retention: %w", id, err)
		}
		if err := s.cases.Anonymise(ctx, tx, access.Actor{}, c, ReasonRetention); err != nil {
			return err
		}
		anonymised = true
		return nil
	})
	return anonymised, err
}
