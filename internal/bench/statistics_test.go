package bench

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/config"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestStatisticsTiny runs the statistics section alone over a small seed on
// both engines: the facts are rebuilt over every seeded case, a change is
// refreshed, and the analyst's and coordinator's dashboard pages answer
// every request.
func TestStatisticsTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds cases and drives the dashboard for a few seconds")
	}
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dir := t.TempDir()
			cfg := config.Config{DataDir: dir, KeysFile: filepath.Join(dir, "waymark.keys")}
			if engine == storage.Postgres {
				cfg.DatabaseURL = storagetest.NewPostgresDatabase(t)
			}
			var out bytes.Buffer
			o := Options{Config: cfg, Clients: 4, Duration: 100 * time.Millisecond, Out: &out, Cases: 400, StatisticsOnly: true}
			if _, err := run(context.Background(), o); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			t.Log("\n" + out.String())
			for _, want := range []string{"statistics only", "Statistics — 410 cases", "410 persons in 410 cases",
				"full rebuild of the facts", "refresh after one change", "change to dashboard computed anew",
				"GET /statistics (analyst)", "GET /statistics (coordinator)", "raw SQL GROUP BY of the facts",
				"target: full rebuild of 410 cases under 1m0s", "p99 under 200ms at 4 clients"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q", want)
				}
			}
			if strings.Contains(out.String(), "first error") {
				t.Errorf("a run failed:\n%s", out.String())
			}
			for _, line := range strings.Split(out.String(), "\n") {
				if strings.HasPrefix(line, "GET /statistics") && !strings.Contains(line, "       0 ") {
					t.Errorf("requests failed: %s", line)
				}
			}
		})
	}
}
