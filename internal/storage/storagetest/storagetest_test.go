package storagetest_test

import (
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"testing"

	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

func TestEngines(t *testing.T) {
	engines := storagetest.Engines()
	if !slices.Contains(engines, storage.SQLite) {
		t.Errorf("Engines() = %v, want SQLite in it", engines)
	}
	if os.Getenv("CI") == "true" && !slices.Contains(engines, storage.Postgres) {
		t.Errorf("Engines() = %v under CI, want PostgreSQL too", engines)
	}
	if (storagetest.PostgresURL() != "") != slices.Contains(engines, storage.Postgres) {
		t.Errorf("PostgresURL() = %q but Engines() = %v", storagetest.PostgresURL(), engines)
	}
}

// TestEachGivesFreshDatabases runs in parallel so that databases are created
// concurrently, as they are across a package's parallel tests.
func TestEachGivesFreshDatabases(t *testing.T) {
	var runs atomic.Int32
	for i := range 8 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				runs.Add(1)
				if t.Name() != fmt.Sprintf("TestEachGivesFreshDatabases/%d/%s", i, db.Engine) {
					t.Errorf("subtest name %q", t.Name())
				}
				ctx := t.Context()
				var n int
				err := db.Write(ctx, func(tx *storage.Tx) error {
					if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations`).Scan(&n); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, kind, created_at) VALUES ('o', 'O', 'ngo', $1)`, storage.Now())
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if n != 0 {
					t.Errorf("fresh database has %d organisations", n)
				}
			})
		})
	}
	t.Cleanup(func() {
		if want := int32(8 * len(storagetest.Engines())); runs.Load() != want {
			t.Errorf("fn ran %d times, want %d", runs.Load(), want)
		}
	})
}

func TestNewPostgresDatabaseIsSharable(t *testing.T) {
	url := storagetest.NewPostgresDatabase(t)
	ctx := t.Context()
	a, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Exec(ctx, `INSERT INTO organisations (id, name, kind, created_at) VALUES ('o', 'O', 'ngo', $1)`, storage.Now()); err != nil {
		t.Fatal(err)
	}
	// A second, independent connection pool (as another process would have)
	// sees the same database.
	b, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var n int
	if err := b.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations`).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("second pool sees %d organisations, want 1", n)
	}
}
