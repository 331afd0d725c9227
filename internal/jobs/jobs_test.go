package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"waymark.city/waymark/internal/jobs"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// Two processes sharing one database run each due job once, and a failing
// job is retried soon rather than after its full period.
func TestRunnersShareTheSchedule(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		var ran, failed atomic.Int32
		periodic := []jobs.Periodic{
			{Kind: "count", Every: time.Hour, Run: func(context.Context, *storage.DB) error { ran.Add(1); return nil }},
			{Kind: "fail", Every: time.Hour, Run: func(context.Context, *storage.DB) error { failed.Add(1); return io.ErrUnexpectedEOF }},
		}
		a, b := jobs.New(db, log, periodic...), jobs.New(db, log, periodic...)
		for _, r := range []*jobs.Runner{a, b} {
			if err := r.Schedule(ctx); err != nil {
				t.Fatal(err)
			}
		}
		na, err := a.RunDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		nb, err := b.RunDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if na+nb != 2 || ran.Load() != 1 || failed.Load() != 1 {
			t.Fatalf("ran %d+%d jobs, count=%d fail=%d; want each once", na, nb, ran.Load(), failed.Load())
		}
		var runAt time.Time
		var lastErr string
		if err := db.Read(ctx, func(tx *storage.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT run_at, last_error FROM jobs WHERE id = 'fail'`).Scan(&runAt, &lastErr)
		}); err != nil {
			t.Fatal(err)
		}
		if until := time.Until(runAt); until > 2*time.Minute || lastErr == "" {
			t.Errorf("failed job next run in %s with error %q; want a retry within a minute and the error kept", until, lastErr)
		}
	})
}
