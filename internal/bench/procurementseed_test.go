package bench

import (
	"context"
	"testing"

	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestSeedProcurementBench seeds a small contract on both engines and
// reads its checks back: every site checked, ten findings each.
func TestSeedProcurementBench(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			b, err := SeedProcurementBench(ctx, env.App, 3, "t")
			if err != nil {
				t.Fatal(err)
			}
			_, l, err := env.App.SiteChecks.ChecksOfContract(ctx, b.Officer, b.ContractID)
			if err != nil || len(l.Checks) != 3 || l.Findings != 3*sitechecks.BenchFindingsPerCheck {
				t.Errorf("seeded %d checks, %d findings, %v", len(l.Checks), l.Findings, err)
			}
		})
	}
}
