package geo_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

type fixture struct {
	db          *storage.DB
	log         *audit.Log
	svc         *geo.Service
	coordinator access.Actor
	caseworker  access.Actor
}

func newFixture(t *testing.T, db *storage.DB) *fixture {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "waymark-geo-test")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, log: audit.New(signer, verifier)}
	f.svc = geo.New(geo.Deps{DB: db, Audit: f.log})
	ctx := context.Background()
	err = db.Write(ctx, func(tx *storage.Tx) error {
		now := storage.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, kind, created_at) VALUES ('org-city', 'City', 'municipality', $1)`, now); err != nil {
			return err
		}
		for _, u := range []struct{ id, role string }{{"user-coord", "coordinator"}, {"user-worker", "case_worker"}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, org_id, username, role, password_hash, password_changed_at, created_at, updated_at)
				VALUES ($1, 'org-city', $1, $2, 'unused', $3, $3, $3)`, u.id, u.role, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert organisation and users: %v", err)
	}
	f.coordinator = access.Actor{UserID: "user-coord", OrgID: "org-city", Role: access.Coordinator}
	f.caseworker = access.Actor{UserID: "user-worker", OrgID: "org-city", Role: access.CaseWorker}
	return f
}

// snapshot is every row of the areas table and the audit log's length, to
// show that a refused upload changed nothing.
func (f *fixture) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	err := f.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT code, name, version, geometry, replaced_at IS NULL FROM areas ORDER BY code, version`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var code, name, geometry string
			var version int
			var current bool
			if err := rows.Scan(&code, &name, &version, &geometry, &current); err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s/%s/v%d/%v/%d;", code, name, version, current, len(geometry))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("read areas: %v", err)
	}
	entries, _, err := f.log.List(ctx, f.db, access.SystemScope(), audit.Filter{Limit: audit.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "audit=%d", len(entries))
	return b.String()
}

func square(lon, lat float64) string {
	const size = 0.01
	return fmt.Sprintf("[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]",
		lon, lat, lon+size, lat, lon+size, lat+size, lon, lat+size, lon, lat)
}

// districts is a FeatureCollection with one square per "code:name" given,
// side by side.
func districts(areas ...string) string {
	var features []string
	for i, a := range areas {
		code, name, _ := strings.Cut(a, ":")
		features = append(features, fmt.Sprintf(`{"type":"Feature","properties":{"district":%q,"label":%q},"geometry":{"type":"Polygon","coordinates":%s}}`,
			code, name, square(0.1+0.01*float64(i), 0.2)))
	}
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

var props = geo.Properties{Name: "label", Code: "district"}

func TestUploadReplaceKeepsVersions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()

		res, err := f.svc.Upload(ctx, f.coordinator, strings.NewReader(districts("1:Old Town", "2:Harbour", "3:Riverside")), props)
		if err != nil {
			t.Fatalf("upload: %v", err)
		}
		if res != (geo.UploadResult{Added: 3}) {
			t.Errorf("first upload %+v; want 3 added", res)
		}
		cur, err := f.svc.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(cur); got != "2 Harbour v1, 1 Old Town v1, 3 Riverside v1" {
			t.Errorf("current areas %s; want three at version 1, by name", got)
		}

		// Harbour renamed, Old Town as it was, Riverside left out, 4 new.
		file := districts("1:Old Town", "2:Harbour and Docks", "4:North End")
		res, err = f.svc.Upload(ctx, f.coordinator, strings.NewReader(file), props)
		if err != nil {
			t.Fatalf("second upload: %v", err)
		}
		if res != (geo.UploadResult{Added: 1, Changed: 1, Retired: 1, Unchanged: 1}) {
			t.Errorf("second upload %+v; want 1 added, changed, retired and unchanged", res)
		}
		cur, _ = f.svc.Current(ctx)
		if got := names(cur); got != "2 Harbour and Docks v2, 4 North End v1, 1 Old Town v1" {
			t.Errorf("current areas %s", got)
		}
		// Riverside comes back: its numbering goes on.
		if _, err := f.svc.Upload(ctx, f.coordinator, strings.NewReader(districts("1:Old Town", "2:Harbour and Docks", "4:North End", "3:Riverside")), props); err != nil {
			t.Fatal(err)
		}
		a, err := f.svc.Get(ctx, "3")
		if err != nil || a.Version != 2 || a.Name != "Riverside" || !a.ReplacedAt.IsZero() {
			t.Errorf("Get(3) = %+v, %v; want Riverside at version 2, current", a, err)
		}
		if b := a.Bound(); b.Min[0] < 0.12 || b.Max[0] > 0.14 || b.Min[1] != 0.2 {
			t.Errorf("bound %v; want the fourth square", b)
		}
		if _, err := f.svc.Get(ctx, "9"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Get(9) err = %v; want not found", err)
		}
		snap := f.snapshot(t)
		for _, old := range []string{"2/Harbour/v1/false", "3/Riverside/v1/false", "2/Harbour and Docks/v2/true", "3/Riverside/v2/true"} {
			if !strings.Contains(snap, old) {
				t.Errorf("stored rows %s lack %s: versions are kept, the old one marked replaced", snap, old)
			}
		}

		entries, _, err := f.log.List(ctx, f.db, access.SystemScope(), audit.Filter{Limit: audit.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		var uploads []string
		for _, e := range entries {
			if e.Action == "areas.upload" && e.Outcome == audit.Done && e.ActorUserID == "user-coord" {
				uploads = append(uploads, e.Detail)
			}
		}
		if len(uploads) != 3 || !strings.Contains(strings.Join(uploads, ";"), "added=1 changed=1 retired=1 unchanged=1") {
			t.Errorf("audited uploads %q; want three, the second with its counts", uploads)
		}
	})
}

func TestRefusedUploadChangesNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		if _, err := f.svc.Upload(ctx, f.coordinator, strings.NewReader(districts("1:Old Town", "2:Harbour")), props); err != nil {
			t.Fatal(err)
		}
		before := f.snapshot(t)
		point := strings.Replace(districts("1:Old Town renamed", "2:Harbour"), `{"type":"Polygon","coordinates":`+square(0.11, 0.2),
			`{"type":"Point","coordinates":[0.11,0.2]`, 1)
		for name, file := range map[string]string{
			"a point":      point,
			"no code":      strings.Replace(districts("1:Old Town renamed", "2:Harbour"), `"district":"2"`, `"other":"2"`, 1),
			"not geojson":  "district;name\n1;Old Town\n",
			"over the max": `{"type":"FeatureCollection","features":[` + strings.Repeat(" ", geo.MaxUpload) + `]}`,
		} {
			_, err := f.svc.Upload(ctx, f.coordinator, strings.NewReader(file), props)
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%s: err = %v; want a validation error", name, err)
			}
			if after := f.snapshot(t); after != before {
				t.Errorf("%s changed the areas:\nbefore %s\nafter  %s", name, before, after)
			}
		}

		_, err := f.svc.Upload(ctx, f.caseworker, strings.NewReader(districts("9:Mine")), props)
		if !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a case worker's upload: err = %v; want forbidden", err)
		}
		entries, _, _ := f.log.List(ctx, f.db, access.SystemScope(), audit.Filter{Limit: audit.MaxLimit})
		if len(entries) == 0 || entries[0].Outcome != audit.Denied || entries[0].Action != string(access.ManageAreas) {
			t.Errorf("the refusal is not the newest audit entry: %+v", entries)
		}
		if cur, _ := f.svc.Current(ctx); names(cur) != "2 Harbour v1, 1 Old Town v1" {
			t.Errorf("after refusals the areas are %s", names(cur))
		}
	})
}

func names(areas []geo.Area) string {
	var out []string
	for _, a := range areas {
		out = append(out, fmt.Sprintf("%s %s v%d", a.Code, a.Name, a.Version))
	}
	return strings.Join(out, ", ")
}
