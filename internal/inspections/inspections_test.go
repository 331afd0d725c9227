package inspections_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/inspections"
	"waymark.city/waymark/internal/screening"
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
			held, err := svc.Record(ctx, officer.Actor, other.ID, inspections.Outcome{HeldOn: day(-3), WorkersMet: "14",
				FollowUp: "Labour inspectorate returns in a month."})
			if err != nil || held.Status != inspections.Held || held.WorkersMet != 14 {
				t.Fatalf("held: %+v %v", held, err)
			}
			ov, err := svc.List(ctx, coord.Actor)
			if err != nil || len(ov.Inspections) != 2 || ov.Totals != (inspections.Totals{Held: 1, WorkersMet: 14}) ||
				ov.Inspections[0].ID != planned.ID || ov.Inspections[0].AgencyCount != 3 {
				t.Fatalf("overview: %+v %v", ov, err)
			}
			if _, err := svc.List(ctx, worker.Actor); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("case worker lists: %v", err)
			}
		})
	}
}

// TestScreenAWorker: "screen a worker" opens a screening linked to the
// inspection; its screenings and referrals are counted from the records.
// The officer who screened opens the screening from the inspection, the
// coordinator of another organisation sees the counts only; the workers
// met cannot be fewer than the screenings; a case worker may not screen
// from an inspection (refused, audited, nothing stored); the team's typed
// numbers of an earlier inspection stay apart as reported.
func TestScreenAWorker(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			city := env.Org("Human Rights Office", accounts.Municipality)
			police := env.Org("City Police", accounts.Police)
			labour := env.Org("Labour Inspectorate", accounts.LabourInspectorate)
			ngo := env.Org("Safe Harbour", accounts.NGO)
			coord := env.User("coord", access.Coordinator, city)
			officer := env.User("officer", access.PoliceContact, police)
			worker := env.User("worker", access.CaseWorker, ngo)
			svc := env.App.Inspections
			in, err := svc.Plan(ctx, coord.Actor, inspections.Input{PlannedOn: day(0), LocationType: "farm", Sector: "agriculture", Agencies: []string{labour, police}})
			if err != nil {
				t.Fatal(err)
			}

			if _, err := svc.StartScreening(ctx, worker.Actor, in.ID); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("case worker screens from an inspection: %v", err)
			}
			if _, err := svc.StartScreening(ctx, officer.Actor, "nope"); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("screening from no inspection: %v", err)
			}
			if rows(t, env, "screenings")+rows(t, env, "inspection_screenings") != 0 {
				t.Fatal("a refused screening was stored")
			}
			var denied int
			if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'inspections.take_part' AND outcome = 'denied' AND actor_user_id = $1`,
					worker.ID).Scan(&denied)
			}); err != nil || denied != 1 {
				t.Fatalf("refusal audited %d times: %v", denied, err)
			}

			first, err := svc.StartScreening(ctx, officer.Actor, in.ID)
			if err != nil || first.Setting != inspections.Setting || first.OrgID != police {
				t.Fatalf("screen a worker: %+v %v", first, err)
			}
			if _, err := svc.StartScreening(ctx, officer.Actor, in.ID); err != nil {
				t.Fatal(err)
			}
			err = env.App.Identification.SetProtocol(ctx, coord.Actor, identification.Protocol{
				Routes:      map[identification.RouteKey]string{{Purpose: "labour", Population: screening.Adult}: ngo},
				Authorities: []string{police},
			})
			if err != nil {
				t.Fatal(err)
			}
			answers := map[string]screening.Answer{"core.does_work": "yes", "core.arranged_by_others": "yes", "rec.job_different": "yes",
				"rec.terms_worse": "yes", "work.excessive_hours": "yes", "core.money_taken": "yes", "core.documents_held": "yes", "core.debt": "yes"}
			if _, err := env.App.Screenings.SaveAnswers(ctx, officer.Actor, first.ID, answers); err != nil {
				t.Fatal(err)
			}
			if _, err := env.App.Screenings.Complete(ctx, officer.Actor, first.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := env.App.Identification.Refer(ctx, officer.Actor, identification.NewReferral{ScreeningID: first.ID, Purposes: []string{"labour"},
				To: ngo, PersonAgreed: true}); err != nil {
				t.Fatal(err)
			}

			seen, err := svc.Get(ctx, officer.Actor, in.ID)
			if err != nil || seen.Screenings != 2 || seen.Referrals != 1 || len(seen.Linked) != 2 || !seen.Linked[0].Open || seen.Linked[0].ScreeningID != first.ID {
				t.Fatalf("the officer's inspection: %+v %v", seen, err)
			}
			counted, err := svc.Get(ctx, coord.Actor, in.ID)
			if err != nil || counted.Screenings != 2 || counted.Referrals != 1 || len(counted.Linked) != 2 || counted.Linked[0].Open || counted.Linked[1].Open {
				t.Fatalf("the coordinator's inspection: %+v %v", counted, err)
			}

			_, err = svc.Record(ctx, coord.Actor, in.ID, inspections.Outcome{HeldOn: day(0), WorkersMet: "1"})
			wantKey(t, "fewer met than screened", err, "inspections.error.fewer_than_screened")
			if _, err := svc.Record(ctx, coord.Actor, in.ID, inspections.Outcome{HeldOn: day(0), WorkersMet: "6"}); err != nil {
				t.Fatal(err)
			}

			// An inspection recorded before screenings were linked keeps
			// the numbers its team typed, as reported, apart from the
			// linked counts.
			earlier, err := svc.Plan(ctx, coord.Actor, inspections.Input{PlannedOn: day(-30), LocationType: "farm", Sector: "agriculture", Agencies: []string{labour}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Record(ctx, coord.Actor, earlier.ID, inspections.Outcome{HeldOn: day(-30), WorkersMet: "10"}); err != nil {
				t.Fatal(err)
			}
			if err := env.App.DB.Write(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE inspections SET reported_screenings = 4, reported_referrals = 1 WHERE id = $1`, earlier.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			ov, err := svc.List(ctx, coord.Actor)
			if err != nil || ov.Totals != (inspections.Totals{Held: 2, WorkersMet: 16, Screenings: 2, Referrals: 1, ReportedScreenings: 4, ReportedReferrals: 1}) {
				t.Fatalf("totals: %+v %v", ov.Totals, err)
			}

			// The exports: one row per inspection, agencies and sites
			// named, the linked counts and the reported ones in columns of
			// their own; audited; refused to a case worker.
			cat, err := i18n.Load()
			if err != nil {
				t.Fatal(err)
			}
			e, err := svc.ExportAll(ctx, coord.Actor)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := e.WriteCSV(&buf, cat.For("de")); err != nil {
				t.Fatal(err)
			}
			got, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			de := cat.For("de")
			if len(got) != 3 || got[0][0] != de.T("inspections.planned_on") || got[0][11] != de.T("inspections.reported_screenings") ||
				got[1][0] != day(-30) || got[1][8] != "10" || got[1][9] != "0" || got[1][11] != "4" || got[1][12] != "1" ||
				got[2][1] != de.T("inspections.status.held") || got[2][4] != de.T("inspections.whole_city") || got[2][5] == "agriculture" ||
				got[2][6] != "City Police; Labour Inspectorate" || got[2][8] != "6" || got[2][9] != "2" || got[2][10] != "1" || got[2][11] != "0" {
				t.Fatalf("CSV rows: %q", got)
			}
			buf.Reset()
			if err := e.WriteXLSX(&buf, cat.For("en")); err != nil {
				t.Fatal(err)
			}
			wb, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			xrows, err := wb.GetRows("Joint inspections")
			if err != nil {
				t.Fatal(err)
			}
			if len(xrows) != 3 || xrows[0][9] != "Screenings started" || xrows[2][9] != "2" || xrows[2][1] != "Held" {
				t.Fatalf("XLSX rows: %q", xrows)
			}
			if _, err := svc.ExportAll(ctx, worker.Actor); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("case worker exports: %v", err)
			}
			var exported int
			if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'inspections.export' AND outcome = 'allowed'`).Scan(&exported)
			}); err != nil || exported != 1 {
				t.Fatalf("exports audited %d times: %v", exported, err)
			}
		})
	}
}

// TestAgencyStaffTakePart: the staff of an agency taking part (the labour
// inspectorate's inspector) list and read the inspections their
// organisation takes part in, record the outcome and screen a worker;
// another inspection reads as missing (audited as denied) and is left out
// of the list and its totals; planning stays with the coordinator and the
// police.
func TestAgencyStaffTakePart(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			city := env.Org("Human Rights Office", accounts.Municipality)
			police := env.Org("City Police", accounts.Police)
			labour := env.Org("Labour Inspectorate", accounts.LabourInspectorate)
			health := env.Org("Health Inspectorate", accounts.HealthInspectorate)
			coord := env.User("coord", access.Coordinator, city)
			inspector := env.User("inspector", access.Screener, labour)
			svc := env.App.Inspections
			ours, err := svc.Plan(ctx, coord.Actor, inspections.Input{PlannedOn: day(0), LocationType: "farm", Sector: "agriculture", Agencies: []string{labour, police}})
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := svc.Plan(ctx, coord.Actor, inspections.Input{PlannedOn: day(-5), LocationType: "ethnic_business", Sector: "hospitality", Agencies: []string{health, police}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Record(ctx, coord.Actor, theirs.ID, inspections.Outcome{HeldOn: day(-5), WorkersMet: "9"}); err != nil {
				t.Fatal(err)
			}

			if _, err := svc.Plan(ctx, inspector.Actor, inspections.Input{PlannedOn: day(3), LocationType: "farm", Sector: "agriculture", Agencies: []string{labour}}); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("inspector plans: %v", err)
			}
			ov, err := svc.List(ctx, inspector.Actor)
			if err != nil || len(ov.Inspections) != 1 || ov.Inspections[0].ID != ours.ID || ov.Totals != (inspections.Totals{}) {
				t.Fatalf("inspector's overview: %+v %v", ov, err)
			}
			got, err := svc.Get(ctx, inspector.Actor, ours.ID)
			if err != nil || got.ID != ours.ID || len(got.Agencies) != 2 {
				t.Fatalf("inspector reads their inspection: %+v %v", got, err)
			}
			sc, err := svc.StartScreening(ctx, inspector.Actor, ours.ID)
			if err != nil || sc.OrgID != labour {
				t.Fatalf("inspector screens a worker: %+v %v", sc, err)
			}
			held, err := svc.Record(ctx, inspector.Actor, ours.ID, inspections.Outcome{HeldOn: day(0), WorkersMet: "6"})
			if err != nil || held.Status != inspections.Held || held.Screenings != 1 {
				t.Fatalf("inspector records the outcome: %+v %v", held, err)
			}
			if ov, _ := svc.List(ctx, inspector.Actor); ov.Totals != (inspections.Totals{Held: 1, WorkersMet: 6, Screenings: 1}) {
				t.Fatalf("inspector's totals: %+v", ov.Totals)
			}

			if _, err := svc.Get(ctx, inspector.Actor, theirs.ID); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("inspector reads another agency's inspection: %v", err)
			}
			if _, err := svc.Record(ctx, inspector.Actor, theirs.ID, inspections.Outcome{HeldOn: day(0), WorkersMet: "1"}); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("inspector records another agency's inspection: %v", err)
			}
			if _, err := svc.StartScreening(ctx, inspector.Actor, theirs.ID); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("inspector screens at another agency's inspection: %v", err)
			}
			if got, _ := svc.Get(ctx, coord.Actor, theirs.ID); got.WorkersMet != 9 || got.Screenings != 0 {
				t.Fatalf("a refused outcome or screening changed the inspection: %+v", got)
			}
			var denied int
			if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'inspections.take_part' AND outcome = 'denied'
					AND actor_user_id = $1 AND subject_id = $2`, inspector.ID, theirs.ID).Scan(&denied)
			}); err != nil || denied != 3 {
				t.Fatalf("refusals audited %d times, want 3: %v", denied, err)
			}
		})
	}
}
