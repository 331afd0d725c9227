package statistics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestDashboardAtModestSize times the dashboard (reading the model from
// the records and protecting every table) over measuredCases cases spread
// over a year, and checks every person is counted.
func TestDashboardAtModestSize(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds thousands of cases")
	}
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			org := env.Org("Counselling Centre", accounts.NGO)
			analyst := env.User("analyst", access.Analyst, env.Org("Human Rights Office", accounts.Municipality))
			worker := env.User("worker", access.CaseWorker, org)
			year := time.Now().UTC().Year() - 1
			start := time.Date(year, 1, 1, 9, 0, 0, 0, time.UTC)
			genders := []string{"feminine", "masculine", "unknown"}
			bands := []string{"12-17", "18-24", "25-34", "35-49", "unknown"}
			citizenships := []string{`["DE"]`, `["RO"]`, `["NG"]`, `[]`}
			forms := []string{`["labour"]`, `["sexual"]`, `["labour","sexual"]`, `["begging"]`}
			began := time.Now()
			err := env.App.DB.Write(ctx, func(tx *storage.Tx) error {
				for i := range measuredCases {
					at := start.Add(time.Duration(i) * (360 * 24 * time.Hour / measuredCases))
					_, err := tx.ExecContext(ctx, `INSERT INTO cases (id, code, org_id, origin, origin_id, stage, stage_since, gender, age_band,
							age_estimated, child, citizenships, languages, interpreter, contact_method, exploitation, created_by, created_at, updated_at)
						VALUES ($1, $2, $3, 'direct', '', 'first_contact', $4, $5, $6, 1, $7, $8, '[]', 0, 'none', $9, $10, $4, $4)`,
						fmt.Sprintf("m-%d", i), fmt.Sprintf("C-M%d", i), org, at, genders[i%3], bands[i%5], min(1, 1-i%5),
						citizenships[i%4], forms[i%4], worker.ID)
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("seeded %d cases in %v", measuredCases, time.Since(began))
			began = time.Now()
			d, err := env.App.Statistics.Dashboard(ctx, analyst.Actor, year)
			took := time.Since(began)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: the analyst's dashboard over %d cases took %v", engine, measuredCases, took)
			if d.ByMonth.Total.Shown() != measuredCases {
				t.Fatalf("persons assisted: %d, want %d", d.ByMonth.Total.Shown(), measuredCases)
			}
			if took > time.Minute {
				t.Fatalf("the dashboard took %v", took)
			}
		})
	}
}
