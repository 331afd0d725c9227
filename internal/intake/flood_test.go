package intake_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/intake/intaketest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestFloodStaysWithinLimits sends a flood far beyond the rate limits, as
// the page layer would (AdmitSubmission, then Submit), from many clients,
// with the largest text and attachments allowed, and checks that what is
// stored stays within the limits: the held queue's cap, the hourly total,
// the attachment quota, and so the size of the database. It is not timed.
func TestFloodStaysWithinLimits(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		cfg := intake.Config{
			SubmitsPerHour:    3,
			SubmitsPerHourAll: 60,
			MaxHeld:           40,
			MaxAttachmentSize: 64 << 10,
			AttachmentQuota:   512 << 10,
		}
		env := intaketest.New(t, db, cfg)
		env.Org(t, "Hotline", "hotline")
		s := env.Service
		big := report()
		big.Details = strings.Repeat("Ж", intake.MaxDetails) // 2 bytes each in UTF-8
		big.Area = strings.Repeat("a", intake.MaxArea)
		big.Contact = strings.Repeat("c", intake.MaxContact)
		pdf := append([]byte("%PDF-1.4\n"), make([]byte, 60<<10)...)
		withFile := big
		withFile.Attachments = [][]byte{pdf}
		sizeBefore := dbSize(t, db)

		// flood sends n submissions from clients addresses; a proof of work
		// is solved for withWork of them (paying attackers).
		flood := func(n, clients int, withWork bool) (stored, refused int) {
			for i := range n {
				client := s.ClientKey(fmt.Sprintf("198.51.100.%d", i%clients), env.Clock.Now())
				w := intake.Work{}
				if withWork {
					w = intaketest.Work(s)
				}
				in := big
				if i%10 == 0 {
					in = withFile
				}
				if err := s.AdmitSubmission(ctx, client, in, w); err != nil {
					if apperr.As(err).Code != apperr.TooMany {
						t.Fatalf("admit: %v", err)
					}
					refused++
					continue
				}
				_, err := s.Submit(ctx, in, w)
				switch e := apperr.As(err); {
				case err == nil:
					stored++
				case e.Code == apperr.TooMany || len(e.Fields) > 0: // held queue full, attachment quota
					refused++
				default:
					t.Fatalf("submit: %v", err)
				}
			}
			return stored, refused
		}

		// Hour 1: 1,000 without proof of work from 200 addresses.
		stored, refused := flood(1000, 200, false)
		if stored > cfg.SubmitsPerHourAll || stored+refused != 1000 {
			t.Errorf("hour 1: stored %d, refused %d; at most %d may be stored", stored, refused, cfg.SubmitsPerHourAll)
		}
		// Hours 2–4: the held queue fills to its cap and stays there.
		for range 3 {
			env.Clock.Advance(time.Hour)
			flood(1000, 200, false)
		}
		if held := count(t, db, `SELECT count(*) FROM reports WHERE status = 'held'`); held > cfg.MaxHeld {
			t.Errorf("%d held reports, cap %d", held, cfg.MaxHeld)
		}
		// Hour 5: attackers who pay the proof of work get in, but only up to
		// the hourly total.
		env.Clock.Advance(time.Hour)
		stored, _ = flood(200, 200, true)
		if stored > cfg.SubmitsPerHourAll {
			t.Errorf("hour 5: %d stored with proofs of work, hourly total %d", stored, cfg.SubmitsPerHourAll)
		}
		total := count(t, db, `SELECT count(*) FROM reports`)
		if total > cfg.MaxHeld+cfg.SubmitsPerHourAll {
			t.Errorf("%d reports after the flood, want at most %d", total, cfg.MaxHeld+cfg.SubmitsPerHourAll)
		}
		used, quota, err := s.AttachmentUsage(ctx)
		if err != nil || used > quota {
			t.Errorf("attachments use %d of %d bytes, %v", used, quota, err)
		}
		// One rate-limit row per address and hour, the hourly total and the
		// per-minute total (one minute per simulated hour here).
		if rl := count(t, db, `SELECT count(*) FROM rate_limits`); rl > 5*(200+2) {
			t.Errorf("%d rate-limit rows", rl)
		}
		// The database grows by what the limits let in, not by the flood:
		// each stored report at most ~40 KiB sealed text and receipt, plus
		// the attachments within their quota, plus the audit entries, plus
		// SQLite's write-ahead log (checkpointed at about 4 MiB).
		growth := dbSize(t, db) - sizeBefore
		limit := int64(total)*(40<<10) + quota + 8<<20
		t.Logf("%s: %d reports stored of 4,200 sent, database grew %d KiB (bound %d KiB)", db.Engine, total, growth>>10, limit>>10)
		if growth > limit {
			t.Errorf("database grew %d bytes, bound %d", growth, limit)
		}
	})
}

// dbSize is the space the database takes.
func dbSize(t *testing.T, db *storage.DB) int64 {
	t.Helper()
	if db.Engine == storage.SQLite {
		var total int64
		for _, p := range []string{db.Path, db.Path + "-wal"} {
			if fi, err := os.Stat(p); err == nil {
				total += fi.Size()
			}
		}
		return total
	}
	var n int64
	if err := db.Read(context.Background(), func(tx *storage.Tx) error {
		return tx.QueryRowContext(context.Background(), `SELECT pg_database_size(current_database())`).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
