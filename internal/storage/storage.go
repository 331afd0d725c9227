// Package storage opens Waymark's database — embedded SQLite by default,
// PostgreSQL when given a postgres:// URL — runs the embedded migrations and
// hands out transactions. Domain packages own their SQL; this package only
// knows how to reach the database and what differs between the two engines.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver

	"waymark.city/waymark/internal/apperr"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open Waymark database. For SQLite it keeps two pools on one file:
// many readers and a single writer, so writers queue in Go instead of failing
// with SQLITE_BUSY. For PostgreSQL both pools are the same.
type DB struct {
	Engine Engine
	// Path is the SQLite file; empty for PostgreSQL.
	Path  string
	read  *sql.DB
	write *sql.DB
}

// SQLiteFile is the database file inside a data directory.
const SQLiteFile = "waymark.db"

// Open connects to the database named by target: a postgres:// URL, or a
// path to an SQLite file. It does not migrate; call Migrate.
func Open(ctx context.Context, target string) (*DB, error) {
	if strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://") {
		return openPostgres(ctx, target)
	}
	return openSQLite(ctx, strings.TrimPrefix(target, "sqlite://"))
}

// OpenDataDir opens (creating if needed) the SQLite database inside dir.
func OpenDataDir(ctx context.Context, dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return openSQLite(ctx, filepath.Join(dir, SQLiteFile))
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if err := private(path); err != nil {
		return nil, err
	}
	// busy_timeout comes first so the WAL switch itself waits instead of failing.
	// synchronous=FULL: an acknowledged write survives power loss.
	// secure_delete=ON: deleted rows (retention, erasure) are zeroed, not
	// left in free pages of the file.
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)", "temp_store(MEMORY)", "secure_delete(ON)"} {
		q.Add("_pragma", p)
	}
	q.Set("_time_format", "sqlite")
	readDSN := "file:" + path + "?" + q.Encode()
	q.Set("_txlock", "immediate")
	writeDSN := "file:" + path + "?" + q.Encode()

	write, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite", readDSN)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read.SetMaxOpenConns(8)
	db := &DB{Engine: SQLite, Path: path, read: read, write: write}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// private makes the database file the owner's alone before SQLite opens it:
// it creates a missing file 0600 whatever the umask, and tightens one an
// earlier release left readable by others. SQLite gives the WAL and
// shared-memory files the database file's mode, so they follow; existing
// ones are tightened too.
func private(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return fmt.Errorf("create sqlite %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("create sqlite %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("create sqlite %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check sqlite file %s: %w", p, err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("make sqlite file %s private: %w", p, err)
			}
		}
	}
	return nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(32)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{Engine: Postgres, read: pool, write: pool}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return apperr.Wrap(apperr.Unavailable, "error.unavailable", fmt.Errorf("ping %s: %w", db.Engine, err))
	}
	return nil
}

// Close closes both pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Tx is a transaction. Queries use $1, $2 … placeholders, which both engines
// understand.
type Tx struct {
	*sql.Tx
	Engine Engine
}

// ForUpdate is the row-locking suffix for a SELECT: PostgreSQL needs it to
// serialise writers; SQLite has one writer already.
func (tx *Tx) ForUpdate() string {
	if tx.Engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Write runs fn in a read-write transaction, committing when fn returns nil.
// Anything that changes data, or reads personal data (which writes an audit
// entry), goes through Write.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.write, nil, fn)
}

// Read runs fn in a read-only transaction.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.read, &sql.TxOptions{ReadOnly: db.Engine == Postgres}, fn)
}

// Snapshot runs fn in a read-only transaction that sees the whole database as
// of one instant, however long fn takes (backups). PostgreSQL needs REPEATABLE
// READ for that; an SQLite read transaction in WAL mode already is one.
func (db *DB) Snapshot(ctx context.Context, fn func(*Tx) error) error {
	if db.Engine == Postgres {
		return db.run(ctx, db.read, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, fn)
	}
	return db.run(ctx, db.read, nil, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(*Tx) error) error {
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return MapError(fmt.Errorf("begin transaction: %w", err))
	}
	tx := &Tx{Tx: sqlTx, Engine: db.Engine}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return MapError(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return MapError(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// Exec runs one statement outside an explicit transaction (maintenance only).
func (db *DB) Exec(ctx context.Context, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, query, args...)
	return MapError(err)
}

// MapError turns driver errors that users can act on into apperr codes:
// a unique violation becomes Conflict, a missing row NotFound. Other errors
// pass through unchanged (and become Internal at the edge).
func MapError(err error) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Wrap(apperr.NotFound, "error.not_found", err)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"), strings.Contains(msg, "SQLSTATE 23505"):
		return apperr.Wrap(apperr.Conflict, "error.conflict", err)
	case strings.Contains(msg, "FOREIGN KEY constraint failed"), strings.Contains(msg, "SQLSTATE 23503"):
		return apperr.Wrap(apperr.Invalid, "error.reference", err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return apperr.Wrap(apperr.Unavailable, "error.unavailable", err)
	}
	return err
}

// Now is the time Waymark stores: UTC, truncated to microseconds because
// PostgreSQL keeps no more, so a value reads back exactly as written.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// InList returns the placeholders "$n, $n+1, …" for vals and the values as
// arguments, for an `IN (…)` clause whose first placeholder is $n.
func InList(n int, vals []string) (string, []any) {
	ph := make([]string, len(vals))
	args := make([]any, len(vals))
	for i, v := range vals {
		ph[i] = "$" + strconv.Itoa(n+i)
		args[i] = v
	}
	return strings.Join(ph, ", "), args
}

// Flag is a boolean as both engines store it here: INTEGER 1 or 0.
func Flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// NullString binds "" as SQL NULL (an optional reference, say).
func NullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// Heartbeat commits a one-row update, proving the database takes writes: a
// read-only database (or a PostgreSQL standby) or a full disk fails it,
// while Ping would still pass.
func (db *DB) Heartbeat(ctx context.Context) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE storage_heartbeat SET beats = beats + 1 WHERE id = 1`)
		return err
	})
}
