package cli_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestStatisticsRebuild: `waymark statistics rebuild` derives the demo's
// persons into the stored facts and says how many; a database without an
// installation is refused.
func TestStatisticsRebuild(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			in := newInstallation(t, engine)
			in.seedDemo(t)
			r := mustRun(t, nil, "", append([]string{"statistics", "rebuild"}, in.flags()...)...)
			if !strings.HasPrefix(r.stdout, "statistics rebuilt: ") || strings.HasPrefix(r.stdout, "statistics rebuilt: 0 persons") {
				t.Errorf("rebuild: %s", r)
			}
			var persons int
			a := in.open(t)
			if err := a.DB.Read(context.Background(), func(tx *storage.Tx) error {
				return tx.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM stat_persons`).Scan(&persons)
			}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(r.stdout, fmt.Sprintf(": %d persons", persons)) {
				t.Errorf("rebuild says %q, the facts hold %d persons", r.stdout, persons)
			}
		})
	}
	empty := newInstallation(t, storage.SQLite)
	if r := run(t, nil, "", append([]string{"statistics", "rebuild"}, empty.flags()...)...); r.code != 1 {
		t.Errorf("without an installation: %s", r)
	}
}
