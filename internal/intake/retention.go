package intake

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// DefaultRetention is how long a dismissed report is kept before it is
// deleted: long enough to undo a wrong dismissal or to link a later report
// to it, short enough that data nobody acts on does not pile up.
const DefaultRetention = 90 * 24 * time.Hour

// purgeBatch is how many reports one transaction deletes, so a large
// backlog does not hold the database's single writer for long.
const purgeBatch = 50

// PurgeDismissed deletes every report dismissed more than retention ago,
// for good, and returns how many it deleted. For each report, in one
// transaction: its data key is forgotten (vault.Forget), which makes every
// sealed field of the report, its thread and its attachments unreadable
// even in old backups; then its rows are deleted — thread, attachments,
// notifications, the report — and an audit entry names its id. On SQLite
// the deletion runs with secure_delete on (Forget sets it on the
// connection first), so freed pages are zeroed, and the write-ahead log is
// truncated afterwards, so no old copy of a page stays in it. Run it
// periodically (the jobs runner).
func (s *Service) PurgeDismissed(ctx context.Context, retention time.Duration) (int, error) {
	if retention <= 0 {
		retention = DefaultRetention
	}
	cutoff := s.now().Add(-retention)
	total := 0
	for {
		n, err := s.purgeBatch(ctx, cutoff)
		total += n
		if err != nil {
			return total, err
		}
		if n < purgeBatch {
			break
		}
	}
	if total > 0 && s.db.Engine == storage.SQLite {
		// Old page images of the deleted rows stay in the WAL file until a
		// checkpoint copies them over and the file is reset. Readers may
		// keep a checkpoint from finishing; the next purge tries again.
		if err := s.db.Exec(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return total, fmt.Errorf("checkpoint after purge: %w", err)
		}
	}
	if total > 0 {
		s.log.Info("dismissed reports deleted after retention", "reports", total)
	}
	return total, nil
}

func (s *Service) purgeBatch(ctx context.Context, cutoff time.Time) (int, error) {
	n := 0
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		n = 0
		rows, err := tx.QueryContext(ctx, `SELECT id, org_id FROM reports
			WHERE status = $1 AND dismissed_at IS NOT NULL AND dismissed_at < $2
			ORDER BY dismissed_at, id LIMIT $3`+tx.ForUpdate(), StatusDismissed, cutoff.UTC(), purgeBatch)
		if err != nil {
			return fmt.Errorf("find reports to delete: %w", err)
		}
		type victim struct {
			id  string
			org sql.NullString
		}
		var due []victim
		for rows.Next() {
			var v victim
			if err := rows.Scan(&v.id, &v.org); err != nil {
				rows.Close()
				return fmt.Errorf("find reports to delete: %w", err)
			}
			due = append(due, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find reports to delete: %w", err)
		}
		for _, v := range due {
			if err := s.purge(ctx, tx, v.id, v.org.String); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// purge deletes one report inside tx. Forget comes first: on SQLite it
// switches secure_delete on for this connection, so the row deletions
// after it zero their pages too.
func (s *Service) purge(ctx context.Context, tx *storage.Tx, id, org string) error {
	if err := s.vault.Forget(ctx, tx, record(id)); err != nil {
		return fmt.Errorf("delete report %s: %w", id, err)
	}
	for _, q := range []string{
		`DELETE FROM report_messages WHERE report_id = $1`,
		`DELETE FROM report_attachments WHERE report_id = $1`,
		`DELETE FROM notify_outbox WHERE report_id = $1`,
		`DELETE FROM reports WHERE id = $1`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("delete report %s: %w", id, err)
		}
	}
	_, err := s.audit.Append(ctx, tx, audit.Entry{Action: "reports.purge", Outcome: audit.Done,
		SubjectType: "report", SubjectID: id, SubjectOrgID: org, Detail: "retention"})
	return err
}
