package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestDatabaseFilesPrivate creates a database in a world-writable directory
// under umask 0: the database, its WAL and its shared-memory file must still
// be readable by the owner alone.
func TestDatabaseFilesPrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := storage.OpenDataDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{storage.SQLiteFile, storage.SQLiteFile + "-wal", storage.SQLiteFile + "-shm"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", name, mode)
		}
	}
}

// TestDatabaseFilesTightened opens a database an earlier release left
// readable by others: opening it makes it the owner's alone.
func TestDatabaseFilesTightened(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, storage.SQLiteFile)
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := storage.OpenDataDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("database has mode %o after opening, want 600", mode)
	}
}

// TestMigrateAtOnce starts several servers on one fresh database at the
// same moment, each with its own connections, as processes would: every
// one must finish without error and each migration be applied once.
func TestMigrateAtOnce(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			var target string
			if engine == storage.SQLite {
				target = filepath.Join(t.TempDir(), storage.SQLiteFile)
			} else {
				target = storagetest.NewPostgresDatabase(t)
			}
			ctx := t.Context()
			const servers = 4
			start := make(chan struct{})
			errs := make([]error, servers)
			var wg sync.WaitGroup
			for i := range servers {
				wg.Go(func() {
					<-start
					db, err := storage.Open(ctx, target)
					if err != nil {
						errs[i] = err
						return
					}
					defer db.Close()
					errs[i] = db.Migrate(ctx)
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("server %d: %v", i, err)
				}
			}
			db, err := storage.Open(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			names, err := storage.MigrationNames(engine)
			if err != nil {
				t.Fatal(err)
			}
			var applied int
			err = db.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&applied)
			})
			if err != nil || applied != len(names) {
				t.Errorf("schema_migrations holds %d rows (%v), want %d", applied, err, len(names))
			}
		})
	}
}

// TestInstalled tells a migrated database from an empty one.
func TestInstalled(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := t.Context()
			db := openUnmigrated(t, engine)
			if ok, err := db.Installed(ctx); err != nil || ok {
				t.Errorf("empty database: installed %v, %v", ok, err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if ok, err := db.Installed(ctx); err != nil || !ok {
				t.Errorf("migrated database: installed %v, %v", ok, err)
			}
		})
	}
}
