package audit

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/storage"
)

// CountWindow is the time window Count aggregates over.
const CountWindow = 10 * time.Minute

// Count audits an event that may repeat in a burst, such as a throttled
// sign-in: the first one per actor, action, outcome, subject and detail in
// a CountWindow is appended at once, the others only counted inside tx;
// FlushCounts later appends one entry with the count. A guessing attack
// thus writes two entries per account and window instead of one per
// attempt. now fixes the window (and e.At when zero).
func (l *Log) Count(ctx context.Context, tx *storage.Tx, e Entry, now time.Time) error {
	if e.At.IsZero() {
		e.At = now
	}
	if err := check(e); err != nil {
		return fmt.Errorf("count audit entry %s: %w", e.Action, err)
	}
	window := now.UTC().Truncate(CountWindow)
	var attempts int64
	err := tx.QueryRowContext(ctx, `INSERT INTO audit_counts
		(actor_user_id, actor_org_id, action, outcome, subject_type, subject_id, subject_org_id, detail, window_start, attempts)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)
		ON CONFLICT (action, outcome, actor_user_id, subject_type, subject_id, detail, window_start)
		DO UPDATE SET attempts = audit_counts.attempts + 1
		RETURNING attempts`,
		e.ActorUserID, e.ActorOrgID, e.Action, e.Outcome, e.SubjectType, e.SubjectID, e.SubjectOrgID, e.Detail, window).Scan(&attempts)
	if err != nil {
		return fmt.Errorf("count audit entry %s: %w", e.Action, err)
	}
	if attempts > 1 {
		return nil
	}
	_, err = l.Append(ctx, tx, e)
	return err
}

// FlushCounts appends, for each window of Count that ended by now and saw
// more than one event, an entry whose detail adds "attempts=N from=T
// minutes=M" to the counted detail, and forgets the counts. Run it
// periodically (a job).
func (l *Log) FlushCounts(ctx context.Context, db *storage.DB, now time.Time) error {
	cutoff := now.UTC().Add(-CountWindow)
	return db.Write(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT actor_user_id, actor_org_id, action, outcome, subject_type, subject_id, subject_org_id, detail, window_start, attempts
			FROM audit_counts WHERE window_start <= $1 ORDER BY window_start, action, subject_id`+tx.ForUpdate(), cutoff)
		if err != nil {
			return fmt.Errorf("read audit counts: %w", err)
		}
		type counted struct {
			e        Entry
			window   time.Time
			attempts int64
		}
		var due []counted
		for rows.Next() {
			var c counted
			if err := rows.Scan(&c.e.ActorUserID, &c.e.ActorOrgID, &c.e.Action, &c.e.Outcome, &c.e.SubjectType, &c.e.SubjectID,
				&c.e.SubjectOrgID, &c.e.Detail, &c.window, &c.attempts); err != nil {
				rows.Close()
				return fmt.Errorf("read audit counts: %w", err)
			}
			due = append(due, c)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("read audit counts: %w", err)
		}
		for _, c := range due {
			if c.attempts < 2 {
				continue // its entry was appended by Count
			}
			e := c.e
			e.At = now
			e.Detail = fmt.Sprintf("%s attempts=%d from=%s minutes=%d", e.Detail, c.attempts,
				c.window.UTC().Format(time.RFC3339), int(CountWindow/time.Minute))
			if _, err := l.Append(ctx, tx, e); err != nil {
				return err
			}
		}
		// Count only ever adds to the current window, so nothing was
		// added to these since they were read.
		if _, err := tx.ExecContext(ctx, `DELETE FROM audit_counts WHERE window_start <= $1`, cutoff); err != nil {
			return fmt.Errorf("forget audit counts: %w", err)
		}
		return nil
	})
}
