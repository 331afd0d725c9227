package storage

import (
	"context"
	"database/sql/driver"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Migrations are embedded, one folder per engine, applied in file-name order
// and never edited once shipped: a change is a new file with the next number.
// Both folders hold the same file names; a test checks that the resulting
// schemas match.
//
//go:embed migrations
var migrations embed.FS

// Migrate applies every migration not yet recorded in schema_migrations, each
// in its own transaction. Servers starting at once on one database take
// turns: on PostgreSQL behind an advisory lock held for the whole run, on
// SQLite through each migration's BEGIN IMMEDIATE, which checks and applies
// under the file's write lock.
func (db *DB) Migrate(ctx context.Context) error {
	unlock, err := db.lockMigrations(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := db.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := MigrationNames(db.Engine)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := db.migrateFile(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// migrationLock is the PostgreSQL advisory lock key of migrations: "Waymark"
// in ASCII, unlikely to meet another application's key in the same database.
const migrationLock = 0x5761796d61726b

// lockMigrations takes the migration lock on PostgreSQL and returns its
// release. The lock belongs to a session, so one connection is held for the
// whole run; CREATE TABLE IF NOT EXISTS alone is not safe against a
// concurrent creator there.
func (db *DB) lockMigrations(ctx context.Context) (func(), error) {
	if db.Engine != Postgres {
		return func() {}, nil
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock migrations: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		conn.Close()
		return nil, fmt.Errorf("lock migrations: %w", err)
	}
	return func() {
		if _, err := conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLock); err != nil {
			// Discard the connection rather than return it to the pool
			// still holding the lock: ending the session releases it.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}

// MigrationNames lists the migration files of an engine in order.
func MigrationNames(engine Engine) ([]string, error) {
	entries, err := fs.ReadDir(migrations, "migrations/"+string(engine))
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

func (db *DB) migrateFile(ctx context.Context, name string) error {
	return db.Write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
			return fmt.Errorf("check migration %s: %w", name, err)
		}
		if n > 0 {
			return nil
		}
		body, err := fs.ReadFile(migrations, path.Join("migrations", string(db.Engine), name))
		if err != nil {
			return fmt.Errorf("read migration %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("apply migration %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name); err != nil {
			return fmt.Errorf("record migration %s: %w", name, err)
		}
		return nil
	})
}

// Installed reports whether the database holds a Waymark installation:
// whether any migration was ever recorded in it. Commands that work on an
// existing installation refuse one that does not, rather than migrating an
// empty database a typo pointed them at.
func (db *DB) Installed(ctx context.Context) (bool, error) {
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if db.Engine == Postgres {
		q = `SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations'`
	}
	var n int
	if err := db.read.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return false, fmt.Errorf("look for an installation: %w", err)
	}
	return n > 0, nil
}
