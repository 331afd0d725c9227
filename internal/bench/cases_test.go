package bench

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
	"waymark.city/waymark/internal/config"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// TestCasesTiny runs the case-management section alone with a tiny seed on
// both engines: the seed lands, every target is measured without an error,
// and the name search and deadlines find seeded rows.
func TestCasesTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the case queries for a few seconds")
	}
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dir := t.TempDir()
			cfg := config.Config{DataDir: dir, KeysFile: filepath.Join(dir, "waymark.keys")}
			// SQLite under -race seeds and scans slowly (transpiled C): fewer cases.
			n := 500
			if engine == storage.Postgres {
				cfg.DatabaseURL = storagetest.NewPostgresDatabase(t)
				n = 2000
			}
			var out bytes.Buffer
			o := Options{Config: cfg, Clients: 4, Duration: 100 * time.Millisecond, Out: &out,
				Cases: n, CasesOnly: true, CasesExplain: true}
			if _, err := run(context.Background(), o); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			t.Log("\n" + out.String())
			for _, want := range []string{fmt.Sprintf("seeded %d cases", n), "case list: open, risk high", "case list: name search",
				"case list: deadline overdue", "case page: Get", "case identity: RevealPerson", "deadlines dashboard: 14 days",
				"memory after the run", "-- plan: deadlines dashboard"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q", want)
				}
			}
			if strings.Contains(out.String(), "first error") {
				t.Errorf("a target failed:\n%s", out.String())
			}
		})
	}
}

// TestCasesSeedShape checks the seed's distributions on a small run: about
// 40% closed, deadlines only on open cases, tokens that the service's own
// name search finds, and the skew towards the largest organisation.
func TestCasesSeedShape(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dir := t.TempDir()
			cfg := config.Config{DataDir: dir, KeysFile: filepath.Join(dir, "waymark.keys")}
			if engine == storage.Postgres {
				cfg.DatabaseURL = storagetest.NewPostgresDatabase(t)
			}
			ctx := context.Background()
			var out bytes.Buffer
			res, a, err := seedOnly(ctx, cfg, 1500, &out)
			if err != nil {
				t.Fatalf("seed: %v\n%s", err, out.String())
			}
			defer a.Close()
			var total, closed, orphanDeadlines, biggest, searched int
			err = a.DB.Read(ctx, func(tx *storage.Tx) error {
				for _, q := range []struct {
					sql string
					dst *int
				}{
					{`SELECT COUNT(*) FROM cases`, &total},
					{`SELECT COUNT(*) FROM cases WHERE stage = 'closed'`, &closed},
					{`SELECT COUNT(*) FROM case_deadlines d JOIN cases c ON c.id = d.case_id WHERE c.stage = 'closed'`, &orphanDeadlines},
					{`SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM cases GROUP BY org_id) x`, &biggest},
				} {
					if err := tx.QueryRowContext(ctx, q.sql).Scan(q.dst); err != nil {
						return err
					}
				}
				return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_search WHERE token = $1`,
					a.Vault.BlindIndex("case-name", []byte(caseSurname))).Scan(&searched)
			})
			if err != nil {
				t.Fatal(err)
			}
			if total != res.Cases+res.Opened || res.Orgs < 2 {
				t.Errorf("cases %d, want %d; orgs %d", total, res.Cases+res.Opened, res.Orgs)
			}
			if f := float64(closed) / float64(total); f < 0.33 || f > 0.47 {
				t.Errorf("closed share %.2f, want about 0.40", f)
			}
			if orphanDeadlines != 0 {
				t.Errorf("%d deadlines on closed cases", orphanDeadlines)
			}
			if f := float64(biggest) / float64(total); f < 0.2 {
				t.Errorf("largest organisation owns %.2f of the cases, want a skew", f)
			}
			if searched == 0 {
				t.Errorf("no case carries the search token of %q", caseSurname)
			}
		})
	}
}

// seedOnly opens the app on cfg and seeds n cases.
func seedOnly(ctx context.Context, cfg config.Config, n int, out *bytes.Buffer) (CasesResult, *app.App, error) {
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.WithPasswordParams(auth.TestParams))
	if err != nil {
		return CasesResult{}, nil, err
	}
	b, err := seedCaseBench(ctx, a, n, out)
	if err != nil {
		a.Close()
		return b.res, nil, err
	}
	return b.res, a, nil
}
