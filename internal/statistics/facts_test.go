package statistics_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/returns"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// sameModel fails the test unless the stored facts of year are the model
// derived from the records, restricted to that year: the same persons
// (first met in the year or with an event in it) with the same dimensions,
// and the same events of the year, in the same order for each person.
func sameModel(t *testing.T, derived, stored *statistics.Model, year int) {
	t.Helper()
	inYear := map[string]bool{}
	events := func(m *statistics.Model) map[string][]string {
		out := map[string][]string{}
		for _, e := range m.Events {
			if e.Day.UTC().Year() == year {
				out[e.Person.Key] = append(out[e.Person.Key], fmt.Sprintf("%s %s %s", e.Indicator, e.Day.UTC().Format(time.RFC3339Nano), e.Detail))
			}
		}
		return out
	}
	want, got := events(derived), events(stored)
	for k := range want {
		inYear[k] = true
	}
	persons := func(m *statistics.Model) map[string]string {
		out := map[string]string{}
		for _, p := range m.Persons {
			if inYear[p.Key] || p.FirstContact.UTC().Year() == year {
				out[p.Key] = fmt.Sprintf("%s %s %s %s %s|%s %s %s %s %s %v %s %s %s %s %s %s", p.FirstContact.UTC().Format(time.RFC3339Nano),
					day(p.Assisted), day(p.FirstGrounds), day(p.Reflection), day(p.Permit), p.Form, p.Gender, p.AgeBand, p.Population,
					p.Citizenship, p.Citizenships, p.Stage, p.OrgID, p.OrgKind, p.RegisteringOrg, p.RegisteringKind, p.Area)
			}
		}
		return out
	}
	wantP, gotP := persons(derived), persons(stored)
	if len(wantP) != len(gotP) {
		t.Errorf("stored persons of %d: %d, derived %d", year, len(gotP), len(wantP))
	}
	for k, w := range wantP {
		if gotP[k] != w {
			t.Errorf("person %s:\n stored  %s\n derived %s", k, gotP[k], w)
		}
	}
	for k, w := range want {
		if !slices.Equal(got[k], w) {
			t.Errorf("events of %s:\n stored  %v\n derived %v", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("persons with events in %d: stored %d, derived %d", year, len(got), len(want))
	}
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// TestFactsFollowRecords: the stored facts are the model derived from the
// records after a rebuild, and after each change a refresh takes in — a
// new case, a person referred and accepted with a decision, a formal
// identification, a return, a case gone — and a dashboard sees a change
// without being told. Each person is stored once: the handed-over
// person's two cases are one row.
func TestFactsFollowRecords(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			w := newWorld(t, engine)
			ctx := context.Background()
			app := w.env.App
			stats := app.Statistics
			year := time.Now().UTC().Year()
			referral := w.handOver(t)
			w.direct(t, 3, "DE")
			check := func(what string) {
				t.Helper()
				derived, err := stats.LoadModel(ctx)
				if err != nil {
					t.Fatal(err)
				}
				stored, err := stats.FactsModel(ctx, year)
				if err != nil {
					t.Fatal(err)
				}
				t.Run(what, func(t *testing.T) { sameModel(t, derived, stored, year) })
			}
			total := func() int {
				t.Helper()
				d, err := stats.Dashboard(ctx, w.coord.Actor, year)
				if err != nil {
					t.Fatal(err)
				}
				return d.ByMonth.Total.Shown()
			}
			quarterTotal := func(ind statistics.Indicator) int {
				t.Helper()
				d, err := stats.Dashboard(ctx, w.coord.Actor, year)
				if err != nil {
					t.Fatal(err)
				}
				for _, q := range d.Quarters {
					if q.Indicator == ind {
						return q.Cells[4].Shown()
					}
				}
				t.Fatalf("no quarters of %s", ind)
				return 0
			}
			if res, err := stats.Rebuild(ctx); err != nil || res.Persons != 4 {
				t.Fatalf("rebuild: %+v %v, want 4 persons", res, err)
			}
			check("after the rebuild")
			var rows, keys int
			if err := app.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT s.person_key) FROM stat_sources s
					JOIN stat_persons p ON p.person_key = s.person_key WHERE s.kind = 'case'`).Scan(&rows, &keys)
			}); err != nil || rows != 5 || keys != 4 {
				t.Fatalf("five cases of four persons stored: %d cases, %d persons (%v)", rows, keys, err)
			}

			// Nothing changed: a refresh (which looks again at the last
			// seconds' changes) keeps the facts as they were.
			if _, err := stats.Refresh(ctx, true); err != nil {
				t.Fatalf("idle refresh: %v", err)
			}
			check("after an idle refresh")
			version := func() int64 {
				res, err := stats.Refresh(ctx, false)
				if err != nil {
					t.Fatal(err)
				}
				return res.Version
			}
			before := version()

			// A new case: the dashboard sees it without a refresh of its own.
			w.direct(t, 1, "RO")
			if got := total(); got != 5 {
				t.Errorf("persons assisted after a new case: %d, want 5", got)
			}
			if version() == before {
				t.Error("the version did not move with a change")
			}
			check("after a new case")

			// A second person screened, referred, accepted with a decision
			// (the hand-over again), and the first person identified.
			w.handOver(t)
			if err := app.Identification.SetProtocol(ctx, w.coord.Actor, identification.Protocol{
				Routes:      map[identification.RouteKey]string{{Purpose: "labour", Population: screening.Adult}: w.orgB},
				Authorities: []string{w.orgC},
				Deciders:    map[identification.RouteKey]string{{Purpose: identification.AnyForm, Population: screening.Adult}: w.orgC}}); err != nil {
				t.Fatal(err)
			}
			if _, err := app.Identification.ForwardTo(ctx, w.workerB.Actor, referral.ID, w.orgC); err != nil {
				t.Fatal(err)
			}
			if _, err := app.Identification.Decide(ctx, w.polC.Actor, referral.ID, identification.NewDecision{
				Stage: identification.StageVictimStatus, Outcome: identification.OutcomeConfirmed, Kind: identification.KindInitial,
				Grounds: "Confirmed by the authority.", DecidedOn: time.Now().UTC().Format(identification.DateLayout)}); err != nil {
				t.Fatal(err)
			}
			if res, err := stats.Refresh(ctx, false); err != nil || res.Persons < 2 {
				t.Fatalf("refresh after a referral and a decision: %+v %v", res, err)
			}
			if got := total(); got != 6 {
				t.Errorf("persons assisted after a second hand-over: %d, want 6", got)
			}
			if got := quarterTotal(statistics.Accepted); got != 2 {
				t.Errorf("persons accepted: %d, want 2", got)
			}
			if got := quarterTotal(statistics.Identified); got != 1 {
				t.Errorf("persons identified: %d, want 1", got)
			}
			check("after a referral, its acceptance and decisions")

			// A return.
			in := cases.UnknownPerson(false, []string{"labour"})
			in.Gender, in.AgeBand, in.Citizenships, in.Languages = "masculine", "25-34", []string{"RO"}, []string{"ro"}
			c, err := app.Cases.Open(ctx, w.worker.Actor, cases.NewCase{Person: in})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := app.Cases.RecordConsent(ctx, w.worker.Actor, c.ID, cases.ConsentInput{Purposes: []string{cases.PurposeCaseManagement},
				Language: "ro", Method: "written", GivenBy: "person", GivenOn: time.Now().UTC().Format(time.DateOnly)}); err != nil {
				t.Fatal(err)
			}
			for _, st := range []cases.Stage{cases.Screening, cases.ReasonableGrounds, cases.Reflection, cases.LongTerm} {
				if _, err := app.Cases.MoveStage(ctx, w.worker.Actor, c.ID, st, ""); err != nil {
					t.Fatal(err)
				}
			}
			today := time.Now().UTC().Format(time.DateOnly)
			if _, err := app.Returns.Save(ctx, w.worker.Actor, c.ID, returns.Plan{Country: "ro", Place: "Iași", Receiver: "A shelter",
				ReceiverContact: "duty phone", RiskLevel: "low", RiskAssessedOn: today, ConsentWritten: true, ConsentOn: today,
				ConsentLanguage: "ro", ConsentOnFile: true, ConsentGivenBy: "person", TravelOn: today}); err != nil {
				t.Fatal(err)
			}
			if got := quarterTotal(statistics.Returned); got != 1 {
				t.Errorf("persons returned: %d, want 1", got)
			}
			check("after a return")

			// A case gone from the records (no service deletes one; an
			// erased case keeps its codes for statistics and stays counted).
			now := time.Now().UTC()
			if err := app.DB.Write(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO cases (id, code, org_id, origin, origin_id, stage, stage_since, gender, age_band,
						age_estimated, child, citizenships, languages, interpreter, contact_method, exploitation, created_by, created_at, updated_at)
					VALUES ('gone', 'C-GONE-0001', $1, 'direct', '', 'first_contact', $2, 'feminine', '18-24', 0, 0, '["BG"]', '[]', 0,
						'none', '["sexual"]', $3, $2, $2)`, w.orgA, now, w.worker.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if got := total(); got != 8 {
				t.Fatalf("persons assisted with the raw case: %d, want 8", got)
			}
			if err := app.DB.Write(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `DELETE FROM cases WHERE id = 'gone'`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := stats.Refresh(ctx, true); err != nil {
				t.Fatalf("sweep: %v", err)
			}
			if got := total(); got != 7 {
				t.Errorf("persons assisted after the case is gone: %d, want 7", got)
			}
			check("after a case is gone")
		})
	}
}
