package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/cli"
	"waymark.city/waymark/internal/config"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// result is what one command run left behind.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run runs the command line in-process with env as its whole environment
// and stdin as its standard input.
func run(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := cli.Main(ctx, args, cli.IO{
		Stdin:  strings.NewReader(stdin),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string { return env[k] },
	})
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// mustRun runs the command line and fails the test unless it exits 0.
func mustRun(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	r := run(t, env, stdin, args...)
	if r.code != 0 {
		t.Fatalf("waymark %s: %s", strings.Join(args, " "), r)
	}
	return r
}

// installation is a data directory (and, for PostgreSQL, a database)
// with its key file.
type installation struct {
	cfg config.Config
}

// flags are the command-line flags that select the installation.
func (in installation) flags() []string {
	f := []string{"--data", in.cfg.DataDir, "--keys", in.cfg.KeysFile}
	if in.cfg.DatabaseURL != "" {
		f = append(f, "--database", in.cfg.DatabaseURL)
	}
	return f
}

// newInstallation returns an empty installation on engine.
func newInstallation(t *testing.T, engine storage.Engine) installation {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Config{DataDir: dir, KeysFile: filepath.Join(dir, "waymark.keys"), LogFormat: "text"}
	if engine == storage.Postgres {
		cfg.DatabaseURL = storagetest.NewPostgresDatabase(t)
	}
	return installation{cfg: cfg}
}

// open assembles the app of the installation; it is closed when the test ends.
func (in installation) open(t *testing.T) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), in.cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.WithPasswordParams(auth.TestParams))
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// seedDemo fills the installation with the demo organisations and users,
// the way `serve --demo` does, and returns their logins.
func (in installation) seedDemo(t *testing.T) []demo.Login {
	t.Helper()
	a := in.open(t)
	logins, err := demo.Seed(context.Background(), demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
		Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements,
		Workgroup: a.Workgroup, Training: a.Training, Mapping: a.Mapping, Procurement: a.Procurement,
		SiteChecks: a.SiteChecks, Prevention: demo.Prevention{Outreach: a.Outreach, Businesses: a.Businesses, Inspections: a.Inspections,
			Intelligence: a.Intelligence}}, in.cfg.DataDir)
	if err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("close app: %v", err)
	}
	return logins
}

// exec runs SQL on the installation's database directly, as an intruder
// with database access would.
func (in installation) exec(t *testing.T, query string) {
	t.Helper()
	ctx := context.Background()
	var db *storage.DB
	var err error
	if in.cfg.DatabaseURL != "" {
		db, err = storage.Open(ctx, in.cfg.DatabaseURL)
	} else {
		db, err = storage.OpenDataDir(ctx, in.cfg.DataDir)
	}
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	defer db.Close()
	err = db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, query)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
