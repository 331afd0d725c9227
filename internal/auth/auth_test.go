package auth

import (
	"context"
	"testing"
	"time"

	"waymark.city/waymark/internal/storage"
)

// t0 is a fixed instant for tests that need a clock.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// openDB returns a migrated SQLite database in a temporary directory.
func openDB(tb testing.TB) *storage.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := storage.OpenDataDir(ctx, tb.TempDir())
	if err != nil {
		tb.Fatalf("open database: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return db
}

// addUsers inserts an organisation and users with the given ids, because
// sessions and recovery codes reference users.
func addUsers(tb testing.TB, db *storage.DB, ids ...string) {
	tb.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, kind, created_at) VALUES ('org1', 'Org', 'ngo', $1)`, t0); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, org_id, username, role, password_hash, password_changed_at, created_at, updated_at)
				VALUES ($1, 'org1', $2, 'case_worker', 'x', $3, $3, $3)`, id, "user-"+id, t0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("add users: %v", err)
	}
}

// write runs fn in a write transaction and fails the test on error.
func write(tb testing.TB, db *storage.DB, fn func(ctx context.Context, tx *storage.Tx) error) {
	tb.Helper()
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *storage.Tx) error { return fn(ctx, tx) }); err != nil {
		tb.Fatalf("write: %v", err)
	}
}
