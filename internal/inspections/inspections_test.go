package inspections_test

import (
	"context"
	"os"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/inspections"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

func day(n int) string { return time.Now().AddDate(0, 0, n).Format(time.DateOnly) }

func rows(t *testing.T, env *apptest.Env, table string) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	}); err != nil {
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

func TestPlanAndOutcome(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			city := env.Org("Human Rights Office", accounts.Municipality)
			police := env.Org("City Police", accounts.Police)
			labour := env.Org("Labour Inspectorate", accounts.LabourInspectorate)
			tax := env.Org("Tax Office", accounts.TaxInspectorate)
			ngo := env.Org("Safe Harbour", accounts.NGO)
			coord := env.User("coord", access.Coordinator, city)
			officer := env.User("officer", access.PoliceContact, police)
			worker := env.User("worker", access.CaseWorker, ngo)
			svc := env.App.Inspections
			good := inspections.Input{PlannedOn: day(10), LocationType: "construction_site", Sector: "construction", Agencies: []string{labour, police}}

			for _, tc := range []struct {
				name, key string
				edit      func(*inspections.Input)
			}{
				{"no date", "inspections.error.planned_on", func(in *inspections.Input) { in.PlannedOn = "next week" }},
				{"unknown kind of place", "inspections.error.location_type", func(in *inspections.Input) { in.LocationType = "castle" }},
				{"unknown sector", "inspections.error.sector", func(in *inspections.Input) { in.Sector = "piracy" }},
				{"unknown area", "inspections.error.area", func(in *inspections.Input) { in.AreaCode = "moon" }},
				{"no agency", "inspections.error.agencies", func(in *inspections.Input) { in.Agencies = nil }},
				{"an NGO as agency", "inspections.error.agency_kind", func(in *inspections.Input) { in.Agencies = []string{labour, ngo} }},
				{"site without address", "inspections.error.site", func(in *inspections.Input) { in.Sites = []inspections.Site{{Type: "construction_site"}} }},
			} {
				in := good
				tc.edit(&in)
				_, err := svc.Plan(ctx, coord.Actor, in)
				wantKey(t, tc.name, err, tc.key)
			}
			if _, err := svc.Plan(ctx, worker.Actor, good); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("case worker plans: %v", err)
			}
			if rows(t, env, "inspections")+rows(t, env, "inspection_agencies") != 0 {
				t.Fatal("a refused inspection was stored")
			}

			in := good
			in.Agencies = []string{labour, police, tax, labour}
			in.Sites = []inspections.Site{{Address: "Quay Street 4", Type: "construction_site"}, {}}
			planned, err := svc.Plan(ctx, officer.Actor, in)
			if err != nil || planned.Status != inspections.Planned || len(planned.Agencies) != 3 || len(planned.Sites) != 1 {
				t.Fatalf("planned: %+v %v", planned, err)
			}
			other, err := svc.Plan(ctx, coord.Actor, inspections.Input{PlannedOn: day(-3), LocationType: "farm", Sector: "agriculture", Agencies: []string{labour}})
			if err != nil {
				t.Fatal(err)
			}

			for _, tc := range []struct {
				name, key string
				o         inspections.Outcome
			}{
				{"future", "inspections.error.held_on", inspections.Outcome{HeldOn: day(2)}},
				{"negative", "inspections.error.count", inspections.Outcome{HeldOn: day(0), WorkersMet: "-1"}},
				{"more screened than met", "inspections.error.more_than_met", inspections.Outcome{HeldOn: day(0), WorkersMet: "3", Screenings: "4"}},
			} {
				_, err := svc.Record(ctx, coord.Actor, other.ID, tc.o)
				wantKey(t, tc.name, err, tc.key)
			}
			if got, _ := svc.Get(ctx, coord.Actor, other.ID); got.Status != inspections.Planned {
				t.Fatalf("a refused outcome changed the inspection: %+v", got)
			}
			if _, err := svc.Record(ctx, coord.Actor, "nope", inspections.Outcome{HeldOn: day(0)}); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("outcome of no inspection: %v", err)
			}
			held, err := svc.Record(ctx, officer.Actor, other.ID, inspections.Outcome{HeldOn: day(-3), WorkersMet: "14", Screenings: "5", Referrals: "2",
				FollowUp: "Labour inspectorate returns in a month."})
			if err != nil || held.Status != inspections.Held || held.WorkersMet != 14 {
				t.Fatalf("held: %+v %v", held, err)
			}
			ov, err := svc.List(ctx, coord.Actor)
			if err != nil || len(ov.Inspections) != 2 || ov.Totals != (inspections.Totals{Held: 1, WorkersMet: 14, Screenings: 5, Referrals: 2}) ||
				ov.Inspections[0].ID != planned.ID || ov.Inspections[0].AgencyCount != 3 {
				t.Fatalf("overview: %+v %v", ov, err)
			}
			if _, err := svc.List(ctx, worker.Actor); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("case worker lists: %v", err)
			}
		})
	}
}
