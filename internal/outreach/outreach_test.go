package outreach_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/interpreters"
	"waymark.city/waymark/internal/outreach"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// areas gives the city Harbour and Old Town.
const areas = `{"type":"FeatureCollection","features":[` +
	`{"type":"Feature","properties":{"code":"harbour","name":"Harbour"},"geometry":{"type":"Polygon","coordinates":[[[16.30,48.20],[16.31,48.20],[16.31,48.21],[16.30,48.21],[16.30,48.20]]]}},` +
	`{"type":"Feature","properties":{"code":"old-town","name":"Old Town"},"geometry":{"type":"Polygon","coordinates":[[[16.31,48.20],[16.32,48.20],[16.32,48.21],[16.31,48.21],[16.31,48.20]]]}}]}`

func count(t *testing.T, env *apptest.Env, query string) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error { return tx.QueryRowContext(ctx, query).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantKey(t *testing.T, what string, err error, key string) {
	t.Helper()
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("%s: %v, want a validation error", what, err)
	}
	for _, f := range apperr.As(err).Fields {
		if f.Key == key {
			return
		}
	}
	t.Fatalf("%s: fields %+v, want %s", what, apperr.As(err).Fields, key)
}

func TestSessionsAndAggregates(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			city := env.Org("Human Rights Office", accounts.Municipality)
			ngo := env.Org("Safe Harbour", accounts.NGO)
			other := env.Org("Street Work", accounts.NGO)
			coord := env.User("coord", access.Coordinator, city)
			worker := env.User("worker", access.CaseWorker, ngo)
			otherWorker := env.User("other", access.CaseWorker, other)
			analyst := env.User("analyst", access.Analyst, city)
			if _, err := env.App.Geo.Upload(ctx, coord.Actor, strings.NewReader(areas), geo.Properties{Name: "name", Code: "code"}); err != nil {
				t.Fatal(err)
			}
			med, err := env.App.Interpreters.Create(ctx, coord.Actor, interpreters.Input{Name: "Mira Ionescu", Contact: "+40 700 000 001", Languages: []string{"ro"}, Kind: "mediator", OrgID: ngo, Active: true})
			if err != nil {
				t.Fatal(err)
			}
			interp, err := env.App.Interpreters.Create(ctx, coord.Actor, interpreters.Input{Name: "Ivo Petrov", Contact: "+359 700 000 002", Languages: []string{"bg"}, Kind: "interpreter", OrgID: ngo, Active: true})
			if err != nil {
				t.Fatal(err)
			}
			svc := env.App.Outreach
			today := time.Now().Format(time.DateOnly)

			// Bad input is refused and nothing is stored.
			for _, tc := range []struct {
				name, key string
				in        outreach.Input
			}{
				{"no place", "outreach.error.where", outreach.Input{HeldOn: today, Team: []outreach.TeamRow{{OrgID: ngo, Staff: "2"}}}},
				{"unknown area", "outreach.error.area", outreach.Input{HeldOn: today, AreaCode: "moon", Team: []outreach.TeamRow{{OrgID: ngo, Staff: "2"}}}},
				{"unknown kind of place", "outreach.error.location_type", outreach.Input{HeldOn: today, LocationType: "castle", Team: []outreach.TeamRow{{OrgID: ngo, Staff: "2"}}}},
				{"future", "outreach.error.held_on", outreach.Input{HeldOn: "2999-01-01", AreaCode: "harbour", Team: []outreach.TeamRow{{OrgID: ngo, Staff: "2"}}}},
				{"no team", "outreach.error.team", outreach.Input{HeldOn: today, AreaCode: "harbour"}},
				{"negative count", "outreach.error.count", outreach.Input{HeldOn: today, AreaCode: "harbour", Team: []outreach.TeamRow{{OrgID: ngo, Staff: "2"}},
					Contacts: map[string]string{"women": "-1"}}},
				{"unknown group", "outreach.error.count", outreach.Input{HeldOn: today, AreaCode: "harbour", Team: []outreach.TeamRow{{OrgID: ngo, Staff: "2"}},
					Contacts: map[string]string{"names": "3"}}},
				{"unknown organisation", "outreach.error.team_org", outreach.Input{HeldOn: today, AreaCode: "harbour", Team: []outreach.TeamRow{{OrgID: "nope", Staff: "2"}}}},
				{"interpreter is no mediator", "outreach.error.mediator", outreach.Input{HeldOn: today, AreaCode: "harbour", Team: []outreach.TeamRow{{OrgID: ngo, Staff: "2"}},
					Mediators: []string{interp.ID}}},
				{"bad code", "outreach.error.material_code", outreach.Input{HeldOn: today, AreaCode: "harbour", Team: []outreach.TeamRow{{OrgID: ngo, Staff: "2"}},
					MaterialCode: "<script>"}},
			} {
				_, err := svc.Create(ctx, coord.Actor, tc.in)
				wantKey(t, tc.name, err, tc.key)
			}
			if n := count(t, env, `SELECT COUNT(*) FROM outreach_sessions`); n != 0 {
				t.Fatalf("refused sessions stored: %d", n)
			}
			if _, err := svc.Create(ctx, analyst.Actor, outreach.Input{HeldOn: today, AreaCode: "harbour"}); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("analyst records: %v", err)
			}

			// Three sessions in two months of one quarter, two places.
			record := func(u apptest.User, day, area, place string, women, workers, materials, referrals string) outreach.Session {
				t.Helper()
				s, err := svc.Create(ctx, u.Actor, outreach.Input{HeldOn: day, AreaCode: area, LocationType: place,
					Team: []outreach.TeamRow{{OrgID: u.OrgID, Staff: "2"}, {Index: 1, OrgID: city, Staff: "1"}}, Mediators: []string{med.ID},
					Contacts: map[string]string{"women": women, "workers": workers}, Materials: materials, MaterialCode: "SPRING-1", Referrals: referrals})
				if err != nil {
					t.Fatalf("record %s: %v", day, err)
				}
				return s
			}
			now := time.Now()
			m1 := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.Local).AddDate(0, -2, 0)
			first := record(worker, m1.Format(time.DateOnly), "harbour", "", "4", "6", "20", "1")
			record(worker, m1.AddDate(0, 0, 3).Format(time.DateOnly), "harbour", "", "1", "", "5", "")
			record(otherWorker, m1.AddDate(0, 1, 0).Format(time.DateOnly), "old-town", "construction_site", "", "9", "", "2")

			got, err := svc.Session(ctx, worker.Actor, first.ID)
			if err != nil || got.Contacted != 10 || len(got.Team) != 2 || len(got.Mediators) != 1 || got.Mediators[0] != med.ID || got.MaterialCode != "SPRING-1" {
				t.Fatalf("session: %+v %v", got, err)
			}
			if _, err := svc.Session(ctx, otherWorker.Actor, first.ID); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("another organisation's case worker reads the session: %v", err)
			}

			agg, err := svc.Aggregates(ctx, coord.Actor, outreach.Month, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if len(agg.Rows) != 2 || agg.Rows[0].Sessions != 2 || agg.Rows[0].Contacted != 11 || agg.Rows[0].Materials != 25 ||
				agg.Rows[0].Referrals != 1 || agg.Rows[0].Contacts["women"] != 5 || agg.Rows[1].LocationType != "construction_site" ||
				agg.Rows[1].Contacted != 9 || agg.Rows[1].Referrals != 2 {
				t.Fatalf("by month: %+v", agg.Rows)
			}
			if agg.Total.Sessions != 3 || agg.Total.Contacted != 20 || agg.Total.Contacts["workers"] != 15 || agg.Total.Referrals != 3 {
				t.Fatalf("total: %+v", agg.Total)
			}
			if want := outreach.PeriodOf(m1.Format(time.DateOnly), outreach.Month); agg.Rows[0].Period != want {
				t.Fatalf("period %s, want %s", agg.Rows[0].Period, want)
			}
			// A case worker adds up their own organisation's sessions only.
			mine, err := svc.Aggregates(ctx, worker.Actor, outreach.Quarter, "", "")
			if err != nil || mine.Total.Sessions != 2 || mine.Total.Contacted != 11 {
				t.Fatalf("case worker's aggregates: %+v %v", mine.Total, err)
			}
			if _, err := svc.Aggregates(ctx, coord.Actor, outreach.Month, "2026-05-01", "2026-04-01"); err == nil {
				t.Fatal("a range ending before it starts was accepted")
			}
			if outreach.PeriodOf("2026-11-03", outreach.Quarter) != "2026-Q4" || outreach.PeriodOf("2026-01-31", outreach.Quarter) != "2026-Q1" {
				t.Fatal("quarters")
			}

			// The exports: counts per period and place in the reader's
			// language, the total last, in the actor's scope; audited;
			// refused (and audited) for a role without outreach.
			cat, err := i18n.Load()
			if err != nil {
				t.Fatal(err)
			}
			e, err := svc.ExportAggregates(ctx, coord.Actor, outreach.Month, "", "")
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := e.WriteCSV(&buf, cat.For("de")); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			de := cat.For("de")
			if len(rows) != 4 || rows[0][0] != de.T("outreach.period") || rows[0][5] != de.T("outreach.group.women") ||
				rows[1][1] != "Harbour" || rows[1][3] != "2" || rows[1][4] != "11" || rows[1][5] != "5" || rows[2][1] != "Old Town" ||
				rows[2][2] == "construction_site" || rows[2][2] == "" || rows[3][0] != de.T("outreach.total") || rows[3][3] != "3" || rows[3][len(rows[3])-1] != "3" {
				t.Fatalf("CSV rows: %q", rows)
			}
			own, err := svc.ExportAggregates(ctx, worker.Actor, outreach.Quarter, "", "")
			if err != nil {
				t.Fatal(err)
			}
			buf.Reset()
			if err := own.WriteXLSX(&buf, cat.For("en")); err != nil {
				t.Fatal(err)
			}
			wb, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			xrows, err := wb.GetRows("Outreach")
			if err != nil {
				t.Fatal(err)
			}
			if len(xrows) != 3 || xrows[0][0] != "Period" || xrows[1][1] != "Harbour" || xrows[2][3] != "2" {
				t.Fatalf("XLSX rows: %q", xrows)
			}
			if _, err := svc.ExportAggregates(ctx, analyst.Actor, outreach.Month, "", ""); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("analyst exports: %v", err)
			}
			if n := count(t, env, `SELECT COUNT(*) FROM audit_log WHERE action = 'outreach.export' AND outcome = 'allowed'`); n != 2 {
				t.Fatalf("%d exports audited, want 2", n)
			}
			if n := count(t, env, `SELECT COUNT(*) FROM audit_log WHERE action = 'outreach.record' AND outcome = 'denied' AND actor_user_id = '`+analyst.ID+`'`); n != 2 {
				t.Fatalf("%d refusals of the analyst audited, want 2", n)
			}
		})
	}
}
