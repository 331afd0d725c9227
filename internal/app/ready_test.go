package app_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestReadyNeedsWritableStorage: /readyz says ready only while the database
// takes writes. SQLite is made read-only on the process's one writer
// connection; PostgreSQL turns read-only like a standby after a failover.
func TestReadyNeedsWritableStorage(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			cfg := apptest.Config(t, engine)
			env := apptest.StartWith(t, cfg)
			if res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/readyz"}); res.StatusCode != http.StatusOK {
				t.Fatalf("writable database: status %d %q", res.StatusCode, body)
			}
			ctx := context.Background()
			if engine == storage.SQLite {
				if err := env.App.DB.Exec(ctx, `PRAGMA query_only = ON`); err != nil {
					t.Fatal(err)
				}
			} else {
				readOnly(t, ctx, cfg.DatabaseURL)
				// The pool drops the ended sessions as it meets them; once
				// the database answers again, it answers read-only.
				for i, ok := 0, 0; ok < 40 && i < 1000; i++ {
					if env.App.DB.Ping(ctx) == nil {
						ok++
					}
				}
			}
			for range 3 {
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/readyz"})
				if res.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("read-only database: status %d %q, want 503", res.StatusCode, body)
				}
			}
			if res, _ := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/healthz"}); res.StatusCode != http.StatusOK {
				t.Errorf("/healthz of a live process on a read-only database: status %d", res.StatusCode)
			}
		})
	}
}

// readOnly makes the PostgreSQL database read-only for new sessions and
// ends the current ones, so the app's pool reconnects read-only.
func readOnly(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	admin, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	err = admin.Write(ctx, func(tx *storage.Tx) error {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT current_database()`).Scan(&name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s SET default_transaction_read_only = on`, name)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
