package app_test

import (
	"context"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestJobsRunClean runs every periodic job once, on both engines, over a
// database with a case in it: each must finish without an error (a job
// that fails only shows in the log and in jobs.last_error).
func TestJobsRunClean(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			w := env.User("worker", access.CaseWorker, env.Org("Safe Harbour", accounts.NGO))
			if _, err := env.App.Cases.Open(ctx, w.Actor, cases.NewCase{Person: cases.UnknownPerson(false, nil)}); err != nil {
				t.Fatal(err)
			}
			r := env.App.Jobs()
			if err := r.Schedule(ctx); err != nil {
				t.Fatal(err)
			}
			ran, err := r.RunDue(ctx)
			if err != nil || ran == 0 {
				t.Fatalf("RunDue: %d jobs, %v", ran, err)
			}
			err = env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				rows, err := tx.QueryContext(ctx, `SELECT id, last_error FROM jobs`)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var kind, msg string
					if err := rows.Scan(&kind, &msg); err != nil {
						return err
					}
					if msg != "" {
						t.Errorf("job %s failed: %s", kind, msg)
					}
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
