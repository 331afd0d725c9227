package intake_test

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/intake/intaketest"
	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// dismiss marks report id dismissed at when, as the triage queue does.
func dismiss(t *testing.T, db *storage.DB, id string, when time.Time) {
	t.Helper()
	err := db.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.ExecContext(context.Background(), `UPDATE reports SET status = 'dismissed', dismissed_at = $1 WHERE id = $2`, when.UTC(), id)
		return err
	})
	if err != nil {
		t.Fatalf("dismiss %s: %v", id, err)
	}
}

func count(t *testing.T, db *storage.DB, query string, args ...any) int {
	t.Helper()
	var n int
	err := db.Read(context.Background(), func(tx *storage.Tx) error {
		return tx.QueryRowContext(context.Background(), query, args...).Scan(&n)
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestPurgeDismissed(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		env := intaketest.New(t, db, intake.Config{})
		hotline := env.Org(t, "Hotline", "hotline")
		operator := env.User(t, "operator", access.HotlineOperator, hotline)
		// The outbox is part of what a report leaves behind.
		s := intake.New(intake.Deps{DB: db, Vault: env.Vault, Audit: env.Audit, Hasher: env.Hasher, Catalogue: env.Catalogue,
			Config: intake.Config{Difficulty: 8, MinDifficulty: 8}, Now: env.Clock.Now,
			Notifier: notify.New(notify.Deps{DB: db, Now: env.Clock.Now})})
		scope := scopeOf(t, operator)

		submit := func(urgency string) string {
			in := report()
			in.Urgency = urgency
			in.Attachments = [][]byte{[]byte("%PDF-1.4\n% a scanned contract\n%%EOF\n")}
			rec, err := s.Submit(ctx, in, intaketest.Work(s))
			if err != nil {
				t.Fatalf("submit: %v", err)
			}
			if err := s.AskReporter(ctx, operator, scope, rec.ReportID, "Which street exactly?"); err != nil {
				t.Fatalf("ask: %v", err)
			}
			return rec.ReportID
		}
		old := submit(intake.UrgencyDanger)  // dismissed 91 days ago: goes
		recent := submit(intake.UrgencySoon) // dismissed 89 days ago: stays
		open := submit(intake.UrgencySoon)   // never dismissed: stays
		var oldHash string
		if err := db.Read(ctx, func(tx *storage.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT receipt_hash FROM reports WHERE id = $1`, old).Scan(&oldHash)
		}); err != nil {
			t.Fatal(err)
		}
		now := env.Clock.Now()
		dismiss(t, db, old, now.Add(-91*24*time.Hour))
		dismiss(t, db, recent, now.Add(-89*24*time.Hour))

		n, err := s.PurgeDismissed(ctx, 0) // 0: the default, 90 days
		if err != nil || n != 1 {
			t.Fatalf("PurgeDismissed = %d, %v; want 1", n, err)
		}
		for _, c := range []struct {
			table, query string
			id           string
			want         int
		}{
			{"reports", `SELECT count(*) FROM reports WHERE id = $1`, old, 0},
			{"report_messages", `SELECT count(*) FROM report_messages WHERE report_id = $1`, old, 0},
			{"report_attachments", `SELECT count(*) FROM report_attachments WHERE report_id = $1`, old, 0},
			{"notify_outbox", `SELECT count(*) FROM notify_outbox WHERE report_id = $1`, old, 0},
			{"data_keys", `SELECT count(*) FROM data_keys WHERE record = $1`, "reports/" + old, 0},
			{"reports (recent)", `SELECT count(*) FROM reports WHERE id = $1`, recent, 1},
			{"report_attachments (recent)", `SELECT count(*) FROM report_attachments WHERE report_id = $1`, recent, 1},
			{"report_messages (open)", `SELECT count(*) FROM report_messages WHERE report_id = $1`, open, 1},
			{"data_keys (open)", `SELECT count(*) FROM data_keys WHERE record = $1`, "reports/" + open, 1},
		} {
			if got := count(t, db, c.query, c.id); got != c.want {
				t.Errorf("%s: %d rows, want %d", c.table, got, c.want)
			}
		}
		// The kept reports are still readable.
		for _, id := range []string{recent, open} {
			if _, err := s.Get(ctx, operator, scope, id); err != nil {
				t.Errorf("Get kept report: %v", err)
			}
		}
		entries, _, err := env.Audit.List(ctx, db, access.SystemScope(), audit.Filter{Action: "reports.purge", Limit: audit.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].SubjectID != old || entries[0].SubjectOrgID != hotline {
			t.Errorf("audit entries = %+v, want one reports.purge of %s", entries, old)
		}
		// A second run finds nothing; a later one takes the recent report.
		if n, err := s.PurgeDismissed(ctx, 0); err != nil || n != 0 {
			t.Errorf("second PurgeDismissed = %d, %v; want 0", n, err)
		}
		env.Clock.Advance(2 * 24 * time.Hour)
		if n, err := s.PurgeDismissed(ctx, 0); err != nil || n != 1 {
			t.Errorf("PurgeDismissed two days later = %d, %v; want 1", n, err)
		}

		if db.Engine == storage.SQLite {
			// Real deletion: no copy of the deleted row in the file or its
			// write-ahead log (secure_delete, then a truncating checkpoint).
			for _, path := range []string{db.Path, db.Path + "-wal"} {
				data, err := os.ReadFile(path)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				if bytes.Contains(data, []byte(oldHash)) {
					t.Errorf("%s still holds the deleted report's receipt hash", path)
				}
			}
		}
	})
}
