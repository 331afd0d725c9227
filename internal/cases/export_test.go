package cases_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// uploadAreas gives the city the areas "harbour" and "old-town".
func (f *fixture) uploadAreas(t *testing.T) {
	t.Helper()
	areas := `{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","properties":{"code":"harbour","name":"Harbour"},"geometry":{"type":"Polygon","coordinates":[[[16.30,48.20],[16.31,48.20],[16.31,48.21],[16.30,48.21],[16.30,48.20]]]}},` +
		`{"type":"Feature","properties":{"code":"old-town","name":"Old Town"},"geometry":{"type":"Polygon","coordinates":[[[16.32,48.20],[16.33,48.20],[16.33,48.21],[16.32,48.21],[16.32,48.20]]]}}]}`
	coord := f.env.User("areas-coord", access.Coordinator, f.ngo)
	if _, err := f.env.App.Geo.Upload(context.Background(), coord.Actor, strings.NewReader(areas), geo.Properties{Name: "name", Code: "code"}); err != nil {
		t.Fatal(err)
	}
}

// auditCount counts audit entries of an action by an actor whose detail
// contains every one of details.
func (f *fixture) auditCount(t *testing.T, actorID, action, outcome string, details ...string) int {
	t.Helper()
	n := 0
	err := f.env.App.DB.Read(context.Background(), func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `SELECT detail FROM audit_log WHERE actor_user_id = $1 AND action = $2 AND outcome = $3`, actorID, action, outcome)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				return err
			}
			if !slices.ContainsFunc(details, func(s string) bool { return !strings.Contains(d, s) }) {
				n++
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCaseArea: a case's area is one of the city's current areas or not
// recorded; an unknown code is a field error that changes nothing; the
// change is on the timeline and the case list filters by it.
func TestCaseArea(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			f.uploadAreas(t)
			in, out := f.open(t, adult()), f.open(t, adult())
			if err := f.svc.SetArea(ctx, f.worker.Actor, in.ID, "harbour"); err != nil {
				t.Fatal(err)
			}
			err := f.svc.SetArea(ctx, f.worker.Actor, in.ID, "atlantis")
			if e := apperr.As(err); !apperr.Is(err, apperr.Invalid) || len(e.Fields) != 1 || e.Fields[0].Key != "error.case_area_unknown" {
				t.Fatalf("unknown area: %v", err)
			}
			if err := f.svc.SetArea(ctx, f.otherWorker.Actor, in.ID, "old-town"); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("other organisation set the area: %v", err)
			}
			a, err := f.svc.Get(ctx, f.worker.Actor, in.ID)
			if err != nil || a.Case.AreaCode != "harbour" {
				t.Fatalf("area after refusals: %q %v", a.Case.AreaCode, err)
			}
			if n := f.auditCount(t, f.worker.ID, "case.area_set", "allowed", "harbour"); n != 1 {
				t.Errorf("area change audited %d times", n)
			}
			for _, c := range []struct {
				area string
				want []string
			}{{"harbour", []string{in.ID}}, {cases.AreaNone, []string{out.ID}}, {"old-town", nil}} {
				page, err := f.svc.List(ctx, f.worker.Actor, cases.Filter{Area: c.area})
				if err != nil || !slices.Equal(caseIDsOf(page.Cases), c.want) {
					t.Errorf("area %q lists %v, want %v (%v)", c.area, caseIDsOf(page.Cases), c.want, err)
				}
			}
			if err := f.svc.SetArea(ctx, f.worker.Actor, in.ID, ""); err != nil {
				t.Fatal(err)
			}
			if a, _ := f.svc.Get(ctx, f.worker.Actor, in.ID); a.Case.AreaCode != "" {
				t.Errorf("area not cleared: %q", a.Case.AreaCode)
			}
		})
	}
}

func caseIDsOf(list []cases.Case) []string {
	var out []string
	for _, c := range list {
		out = append(out, c.ID)
	}
	return out
}

// TestCaseListExport: the export holds every case the list's filter
// finds, in the list's order; names only for a case-team role after a
// step-up, and only of the cases it is on the team of; the analyst and
// the coordinator asking for names are refused with a message of their
// own and nothing is read; every export and identity opened is audited.
func TestCaseListExport(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			f.uploadAreas(t)
			for range 3 {
				f.open(t, adult())
			}
			sexual := adult()
			sexual.Exploitation = []string{"sexual"}
			sexual.GivenNames = "=HYPERLINK(\"http://x\")"
			other := f.open(t, sexual)
			if err := f.svc.SetArea(ctx, f.worker.Actor, other.ID, "old-town"); err != nil {
				t.Fatal(err)
			}
			filter := cases.Filter{Exploitation: "labour", Limit: 2}
			page, err := f.svc.List(ctx, f.worker.Actor, cases.Filter{Exploitation: "labour", Limit: 100})
			if err != nil || len(page.Cases) != 3 {
				t.Fatalf("list: %v %d", err, len(page.Cases))
			}
			e, err := f.svc.Export(ctx, f.worker.Actor, filter, false)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range e.Rows {
				got = append(got, r.ID)
				if r.Person != nil {
					t.Errorf("identity in an export without personal data")
				}
			}
			if !slices.Equal(got, caseIDsOf(page.Cases)) || e.More || e.Personal {
				t.Errorf("export rows %v, want the list's %v", got, caseIDsOf(page.Cases))
			}
			if n := f.auditCount(t, f.worker.ID, "case_list.export", "allowed", "rows=3", "personal=false", "exploitation=labour"); n != 1 {
				t.Errorf("export audited %d times", n)
			}
			// A name search is audited as a name search, never the name.
			if _, err := f.svc.Export(ctx, f.worker.Actor, cases.Filter{Query: "Kovačević"}, false); err != nil {
				t.Fatal(err)
			}
			if f.auditCount(t, f.worker.ID, "case_list.export", "allowed", "q=name") != 1 || f.auditCount(t, f.worker.ID, "case_list.export", "allowed", "Kova") != 0 {
				t.Error("name search not audited as q=name")
			}

			if _, err := f.svc.Export(ctx, f.worker.Actor, cases.Filter{}, true); !apperr.Is(err, apperr.StepUp) {
				t.Errorf("names without a step-up: %v", err)
			}
			stepped := f.worker.Actor
			stepped.SteppedUp = true
			e, err = f.svc.Export(ctx, stepped, cases.Filter{Area: "old-town"}, true)
			if err != nil || len(e.Rows) != 1 || e.Rows[0].Person == nil || e.Rows[0].Person.FamilyName != "Kovačević" {
				t.Fatalf("personal export: %v %+v", err, e.Rows)
			}
			if f.auditCount(t, f.worker.ID, "case.reveal_identity", "allowed", "export") != 1 ||
				f.auditCount(t, f.worker.ID, "case_list.export", "allowed", "personal=true", "identities=1", "area=old-town") != 1 {
				t.Error("personal export or its reveal not audited")
			}
			var csv strings.Builder
			if err := e.WriteCSV(&csv, f.env.App.Catalog.For("de")); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(csv.String(), `"'=HYPERLINK(""http://x"")"`) || !strings.Contains(csv.String(), "Old Town") {
				t.Errorf("CSV not guarded or area not named:\n%s", csv.String())
			}
			// A colleague not on the team gets the rows without names.
			colleague := f.colleague.Actor
			colleague.SteppedUp = true
			e, err = f.svc.Export(ctx, colleague, cases.Filter{}, true)
			if err != nil || len(e.Rows) != 4 || slices.ContainsFunc(e.Rows, func(r cases.ExportRow) bool { return r.Person != nil }) {
				t.Errorf("colleague's export: %v %d rows", err, len(e.Rows))
			}

			analyst := f.env.User("analyst", access.Analyst, f.ngo)
			analyst.Actor.SteppedUp = true
			for _, a := range []access.Actor{analyst.Actor, f.coordinator.Actor} {
				e, err := f.svc.Export(ctx, a, cases.Filter{}, true)
				if k := apperr.As(err); !apperr.Is(err, apperr.Forbidden) || k.Key != "error.export_personal_data" || len(e.Rows) != 0 {
					t.Errorf("%s asked for names: %v, %d rows", a.Role, err, len(e.Rows))
				}
				if f.auditCount(t, a.UserID, "case_list.export", "denied") != 1 {
					t.Errorf("%s's refusal not audited", a.Role)
				}
			}
			if _, err := f.svc.Export(ctx, analyst.Actor, cases.Filter{}, false); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("analyst exported the case list: %v", err)
			}
			if _, err := f.svc.Export(ctx, f.worker.Actor, cases.Filter{Risk: "extreme"}, false); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("bad filter: %v", err)
			}
		})
	}
}
