// Package storagetest runs a package's store tests against real databases on
// both engines: a fresh, migrated SQLite file and a fresh, migrated
// PostgreSQL database per test. No mocks.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }
//
//	func TestThing(t *testing.T) {
//		storagetest.Each(t, func(t *testing.T, db *storage.DB) { … })
//	}
//
// PostgreSQL comes from WAYMARK_TEST_POSTGRES (a postgres:// URL of a server
// where the tests may CREATE DATABASE; scripts/test starts one shared
// cluster and sets it) or else from a throwaway cluster that Main starts from
// the installed binaries. Without binaries the tests run on SQLite only,
// except under CI=true, where that is a failure.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"waymark.city/waymark/internal/storage"
)

// EnvPostgres names the environment variable holding the URL of a
// PostgreSQL server for tests.
const EnvPostgres = "WAYMARK_TEST_POSTGRES"

// env is what Main found out before any test ran. It is written once, before
// m.Run, and only read afterwards: a TestMain has no other way to hand its
// server to the tests.
var env struct {
	ready bool
	url   string  // server URL, empty when running on SQLite only
	admin *sql.DB // connection to the server's maintenance database
}

// Main prepares the databases, runs the tests and tears down what it
// started. Call it from TestMain: os.Exit(storagetest.Main(m)).
func Main(m *testing.M) int {
	ctx := context.Background()
	serverURL := os.Getenv(EnvPostgres)
	var cluster *Cluster
	if serverURL == "" {
		var err error
		cluster, err = StartCluster(ctx)
		switch {
		case errors.Is(err, ErrNoPostgres) && os.Getenv("CI") == "true":
			fmt.Fprintf(os.Stderr, "storagetest: %v; CI must test PostgreSQL too (install postgresql-15 or set %s)\n", err, EnvPostgres)
			return 1
		case errors.Is(err, ErrNoPostgres):
			fmt.Fprintf(os.Stderr, "storagetest: WARNING: %v; testing SQLite only\n", err)
		case err != nil:
			fmt.Fprintf(os.Stderr, "storagetest: start PostgreSQL: %v\n", err)
			return 1
		default:
			serverURL = cluster.URL()
		}
	}
	if serverURL != "" {
		admin, err := sql.Open("pgx", serverURL)
		if err == nil {
			err = admin.PingContext(ctx)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "storagetest: connect to PostgreSQL test server: %v\n", err)
			stop(cluster)
			return 1
		}
		env.url, env.admin = serverURL, admin
	}
	env.ready = true

	code := m.Run()

	if env.admin != nil {
		env.admin.Close()
	}
	if err := stop(cluster); err != nil {
		fmt.Fprintf(os.Stderr, "storagetest: stop PostgreSQL: %v\n", err)
	}
	return code
}

func stop(c *Cluster) error {
	if c == nil {
		return nil
	}
	return c.Stop()
}

func mustBeReady() {
	if !env.ready {
		panic("storagetest: call os.Exit(storagetest.Main(m)) from the package's TestMain")
	}
}

// Engines lists the engines the tests can use: SQLite always, PostgreSQL
// when a server is available.
func Engines() []storage.Engine {
	mustBeReady()
	if env.url == "" {
		return []storage.Engine{storage.SQLite}
	}
	return []storage.Engine{storage.SQLite, storage.Postgres}
}

// PostgresURL is the URL of the PostgreSQL test server's maintenance
// database, or "" when testing SQLite only. Tests that need a database of
// their own to share between processes use NewPostgresDatabase instead.
func PostgresURL() string {
	mustBeReady()
	return env.url
}

// Open returns a fresh, migrated, empty database of the engine, closed (and
// on PostgreSQL dropped) when the test ends.
func Open(t testing.TB, engine storage.Engine) *storage.DB {
	t.Helper()
	ctx := context.Background()
	var db *storage.DB
	var err error
	switch engine {
	case storage.SQLite:
		db, err = storage.OpenDataDir(ctx, t.TempDir())
	case storage.Postgres:
		db, err = storage.Open(ctx, NewPostgresDatabase(t))
	default:
		t.Fatalf("storagetest: unknown engine %q", engine)
	}
	if err != nil {
		t.Fatalf("open %s test database: %v", engine, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close %s test database: %v", engine, err)
		}
	})
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s test database: %v", engine, err)
	}
	return db
}

// NewPostgresDatabase creates an empty, unmigrated database on the test
// server and returns its URL; it is dropped when the test ends. The test is
// skipped when no PostgreSQL server is available.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	mustBeReady()
	if env.url == "" {
		t.Skip("no PostgreSQL test server")
	}
	name := "waymark_test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := env.admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE ends sessions a test left open, e.g. in another process.
		if _, err := env.admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	u, err := url.Parse(env.url)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	u.Path = "/" + name
	return u.String()
}

// Each runs fn as a subtest per engine, named "sqlite" and "postgres", each
// with a fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	for _, engine := range Engines() {
		t.Run(string(engine), func(t *testing.T) {
			fn(t, Open(t, engine))
		})
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
