package storage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

func TestMigrateIsIdempotent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		before := schemaOf(t, db)
		for range 2 {
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("migrate again: %v", err)
			}
		}
		names, err := storage.MigrationNames(db.Engine)
		if err != nil {
			t.Fatal(err)
		}
		var applied []string
		err = db.Read(ctx, func(tx *storage.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var n string
				if err := rows.Scan(&n); err != nil {
					return err
				}
				applied = append(applied, n)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(applied, ",") != strings.Join(names, ",") {
			t.Errorf("schema_migrations = %v, want %v", applied, names)
		}
		if diff := diffSchemas(before, schemaOf(t, db)); diff != "" {
			t.Errorf("schema changed by a second migrate:\n%s", diff)
		}
	})
}

func TestMigrationFilesMatch(t *testing.T) {
	lite, err := storage.MigrationNames(storage.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := storage.MigrationNames(storage.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(lite, ",") != strings.Join(pg, ",") {
		t.Errorf("migration files differ:\nsqlite:   %v\npostgres: %v", lite, pg)
	}
}

func TestSchemaParity(t *testing.T) {
	engines := storagetest.Engines()
	if len(engines) < 2 {
		t.Skip("no PostgreSQL test server")
	}
	lite := schemaOf(t, storagetest.Open(t, storage.SQLite))
	pg := schemaOf(t, storagetest.Open(t, storage.Postgres))
	if len(lite) == 0 {
		t.Fatal("no tables found")
	}
	if diff := diffSchemas(lite, pg); diff != "" {
		t.Errorf("SQLite and PostgreSQL schemas differ (- sqlite, + postgres):\n%s", diff)
	}
}

// insertOrg adds an organisation with a fixed id and name.
func insertOrg(ctx context.Context, tx *storage.Tx, id, name string) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO organisations (id, name, kind, created_at) VALUES ($1, $2, 'ngo', $3)`,
		id, name, storage.Now())
	return err
}

func TestMapError(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		if err := db.Write(ctx, func(tx *storage.Tx) error { return insertOrg(ctx, tx, "o1", "Alpha") }); err != nil {
			t.Fatalf("insert organisation: %v", err)
		}
		tests := []struct {
			name string
			fn   func(tx *storage.Tx) error
			code apperr.Code
		}{
			{"duplicate primary key", func(tx *storage.Tx) error { return insertOrg(ctx, tx, "o1", "Beta") }, apperr.Conflict},
			{"duplicate unique index", func(tx *storage.Tx) error { return insertOrg(ctx, tx, "o2", "ALPHA") }, apperr.Conflict},
			{"missing foreign key", func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO users (id, org_id, username, role, password_hash,
					password_changed_at, created_at, updated_at) VALUES ('u1', 'nope', 'u', 'r', 'h', $1, $1, $1)`, storage.Now())
				return err
			}, apperr.Invalid},
			{"no rows", func(tx *storage.Tx) error {
				var id string
				return tx.QueryRowContext(ctx, `SELECT id FROM organisations WHERE id = 'none'`).Scan(&id)
			}, apperr.NotFound},
			{"cancelled", func(tx *storage.Tx) error { return context.Canceled }, apperr.Unavailable},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := db.Write(ctx, tc.fn)
				if got := apperr.CodeOf(err); got != tc.code {
					t.Errorf("code = %q, want %q (err: %v)", got, tc.code, err)
				}
			})
		}
	})
}

func TestWriteRollsBackOnError(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		boom := errors.New("boom")
		err := db.Write(ctx, func(tx *storage.Tx) error {
			if err := insertOrg(ctx, tx, "o1", "Alpha"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Write = %v, want boom", err)
		}
		if n := countRows(t, db, "organisations"); n != 0 {
			t.Errorf("organisations has %d rows after a failed transaction, want 0", n)
		}
	})
}

func TestSnapshotSeesOneInstant(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		err := db.Snapshot(ctx, func(tx *storage.Tx) error {
			var before int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations`).Scan(&before); err != nil {
				return err
			}
			if err := db.Write(ctx, func(w *storage.Tx) error { return insertOrg(ctx, w, "o1", "Alpha") }); err != nil {
				return fmt.Errorf("concurrent write: %w", err)
			}
			var after int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations`).Scan(&after); err != nil {
				return err
			}
			if after != before {
				t.Errorf("snapshot saw %d then %d organisations", before, after)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, db, "organisations"); n != 1 {
			t.Errorf("after snapshot: %d organisations, want 1", n)
		}
	})
}

func TestSQLitePragmas(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	ctx := t.Context()
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000"}
	for name, run := range map[string]func(context.Context, func(*storage.Tx) error) error{"read": db.Read, "write": db.Write} {
		t.Run(name, func(t *testing.T) {
			err := run(ctx, func(tx *storage.Tx) error {
				for pragma, value := range want {
					var got string
					if err := tx.QueryRowContext(ctx, `PRAGMA `+pragma).Scan(&got); err != nil {
						return fmt.Errorf("pragma %s: %w", pragma, err)
					}
					if got != value {
						t.Errorf("PRAGMA %s = %q, want %q", pragma, got, value)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSQLiteConcurrentWriters(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	ctx := t.Context()
	const writers, writes = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*writes*2)
	for w := range writers {
		wg.Go(func() {
			for i := range writes {
				err := db.Write(ctx, func(tx *storage.Tx) error {
					return insertOrg(ctx, tx, fmt.Sprintf("o-%d-%d", w, i), fmt.Sprintf("Org %d %d", w, i))
				})
				if err != nil {
					errs <- err
				}
			}
		})
		// Readers alongside, since a reader holding the WAL must not block writers either.
		wg.Go(func() {
			for range writes {
				err := db.Read(ctx, func(tx *storage.Tx) error {
					var n int
					return tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations`).Scan(&n)
				})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent access: %v", err)
	}
	if n := countRows(t, db, "organisations"); n != writers*writes {
		t.Errorf("organisations = %d, want %d", n, writers*writes)
	}
}

func countRows(t *testing.T, db *storage.DB, table string) int {
	t.Helper()
	var n int
	err := db.Read(t.Context(), func(tx *storage.Tx) error {
		return tx.QueryRowContext(t.Context(), `SELECT count(*) FROM `+table).Scan(&n)
	})
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
