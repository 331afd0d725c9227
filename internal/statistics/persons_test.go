package statistics_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/legalstatus"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestPersonRecords: a person knows their citizenship codes, the
// organisation that first recorded them (the screening one for a referred
// person, else the case's), the start of their reflection period and the
// day a residence permit was granted, and the area of the latest case
// that records one (unknown when none does).
func TestPersonRecords(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			w := newWorld(t, engine)
			ctx := context.Background()
			app := w.env.App
			w.handOver(t)
			in := cases.UnknownPerson(false, []string{"sexual"})
			in.Gender, in.AgeBand, in.Citizenships = "feminine", "18-24", []string{"NG", "GH"}
			c, err := app.Cases.Open(ctx, w.worker.Actor, cases.NewCase{Person: in})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range []cases.Stage{cases.CrisisIntervention, cases.Reflection} {
				if _, err := app.Cases.MoveStage(ctx, w.worker.Actor, c.ID, st, ""); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly)
			if _, err := app.LegalStatus.AddPermit(ctx, w.worker.Actor, c.ID, legalstatus.PermitInput{Type: "temporary_victim_permit",
				Status: "granted", Start: start, Expiry: time.Now().UTC().AddDate(0, 6, 0).Format(time.DateOnly), Reference: "R-1",
				Authority: "Residence office"}); err != nil {
				t.Fatal(err)
			}
			// The area as the case page records it (a code of the city's
			// areas, which this test has not uploaded).
			if err := app.DB.Write(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE cases SET area_code = 'north' WHERE id = $1`, c.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			m, err := app.Statistics.LoadModel(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Persons) != 2 {
				t.Fatalf("persons: %d, want 2", len(m.Persons))
			}
			referred, direct := m.Persons[0], m.Persons[1]
			if referred.Key[:2] != "S:" {
				referred, direct = direct, referred
			}
			if referred.RegisteringOrg != w.orgA || referred.RegisteringKind != string(accounts.NGO) || referred.OrgID != w.orgB {
				t.Errorf("referred person registered by %s (%s), case at %s", referred.RegisteringOrg, referred.RegisteringKind, referred.OrgID)
			}
			if !slices.Equal(referred.Citizenships, []string{"RO"}) || referred.Area != statistics.Unknown {
				t.Errorf("referred person: citizenships %v, area %q", referred.Citizenships, referred.Area)
			}
			if !referred.Reflection.IsZero() || !referred.Permit.IsZero() {
				t.Errorf("referred person: reflection %v, permit %v", referred.Reflection, referred.Permit)
			}
			today := time.Now().UTC().Format(time.DateOnly)
			if direct.RegisteringOrg != w.orgA || !slices.Equal(direct.Citizenships, []string{"NG", "GH"}) ||
				direct.Citizenship != statistics.NonEU || direct.Area != "north" {
				t.Errorf("direct person: %+v", direct)
			}
			if direct.Reflection.Format(time.DateOnly) != today || direct.Permit.Format(time.DateOnly) != start {
				t.Errorf("direct person: reflection %v, permit %v (want %s, %s)", direct.Reflection, direct.Permit, today, start)
			}
		})
	}
}
