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

// TestProcurementTiny runs the procurement section alone with a small
// contract on both engines: the sites and findings are recorded through
// the services, the procurement officer signs in, and the contract page
// and its checks answer every request.
func TestProcurementTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a contract and drives its pages for a few seconds")
	}
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dir := t.TempDir()
			cfg := config.Config{DataDir: dir, KeysFile: filepath.Join(dir, "waymark.keys")}
			if engine == storage.Postgres {
				cfg.DatabaseURL = storagetest.NewPostgresDatabase(t)
			}
			var out bytes.Buffer
			o := Options{Config: cfg, Clients: 4, Duration: 100 * time.Millisecond, Out: &out, Procurement: 6, ProcurementOnly: true}
			if _, err := run(context.Background(), o); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			t.Log("\n" + out.String())
			for _, want := range []string{"procurement only", "seeded 6 sites and 60 findings", "GET /procurement/contracts/{id} ",
				"raw SQL: the contract and a page of sites", "GET /procurement/contracts/{id}/checks", "raw SQL: a page of checks, findings counted",
				"with 6 sites and 60 findings, p99 under 200ms"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q", want)
				}
			}
			if strings.Contains(out.String(), "first error") {
				t.Errorf("a run failed:\n%s", out.String())
			}
			for _, line := range strings.Split(out.String(), "\n") {
				if strings.HasPrefix(line, "GET /procurement") && !strings.Contains(line, "       0 ") {
					t.Errorf("requests failed: %s", line)
				}
			}
		})
	}
}
