package storage_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// openUnmigrated returns an empty database of the engine without any
// migration applied.
func openUnmigrated(t *testing.T, engine storage.Engine) *storage.DB {
	t.Helper()
	ctx := context.Background()
	var db *storage.DB
	var err error
	if engine == storage.SQLite {
		db, err = storage.OpenDataDir(ctx, t.TempDir())
	} else {
		db, err = storage.Open(ctx, storagetest.NewPostgresDatabase(t))
	}
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestMigration0017 writes rows as release 0016 did, with version 1's form
// "begging_criminality", and checks that migration 0017 turns it into
// "begging" and "criminality" in the protocol, cases and reports, leaves
// referrals as they were sent (with the kind they had: reasonable grounds),
// and gives organisations an empty phone and hours.
func TestMigration0017(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := t.Context()
			db := openUnmigrated(t, engine)
			if err := db.MigrateThrough(ctx, "0016_case_search_org.sql"); err != nil {
				t.Fatal(err)
			}
			now := storage.Now()
			err := db.Write(ctx, func(tx *storage.Tx) error {
				for _, q := range []struct {
					sql  string
					args []any
				}{
					{`INSERT INTO organisations (id, name, kind, created_at) VALUES ('o1', 'NGO', 'ngo', $1), ('o2', 'Social', 'social_services', $1)`, []any{now}},
					{`INSERT INTO users (id, org_id, username, role, password_hash, password_changed_at, created_at, updated_at)
						VALUES ('u1', 'o1', 'coord', 'coordinator', 'x', $1, $1, $1)`, []any{now}},
					// Child begging_criminality goes to o2; the adult one to o1,
					// whose adult criminality route already exists and stays.
					{`INSERT INTO protocol_routes (purpose, population, org_id, updated_by, updated_at) VALUES
						('begging_criminality', 'child', 'o2', 'u1', $1), ('begging_criminality', 'adult', 'o1', 'u1', $1),
						('criminality', 'adult', 'o2', 'u1', $1), ('labour', 'adult', 'o1', 'u1', $1)`, []any{now}},
					{`INSERT INTO cases (id, code, org_id, origin, stage, stage_since, gender, age_band, age_estimated, child,
						citizenships, languages, interpreter, contact_method, exploitation, created_by, created_at, updated_at) VALUES
						('c1', 'C-1', 'o1', 'direct', 'screening', $1, 'unknown', 'unknown', 1, 0, '[]', '[]', 0, 'phone', '["labour","begging_criminality"]', 'u1', $1, $1),
						('c2', 'C-2', 'o1', 'direct', 'screening', $1, 'unknown', 'unknown', 1, 0, '[]', '[]', 0, 'phone', '["sexual"]', 'u1', $1, $1),
						('c3', 'C-3', 'o1', 'direct', 'screening', $1, 'unknown', 'unknown', 1, 0, '[]', '[]', 0, 'phone', '[]', 'u1', $1, $1)`, []any{now}},
					{`INSERT INTO reports (id, org_id, status, urgency, place_type, seen_on, time_of_day, people, age_group, gender, signs,
						language, catalogue_version, details, receipt_lookup, receipt_hash, created_at, updated_at, exploitation) VALUES
						('r1', 'o1', 'new', 'soon', 'street', '', '', '', '', '', '[]', 'en', 'v1', $1, $1, 'h', $2, $2, 'begging_criminality'),
						('r2', 'o1', 'new', 'soon', 'street', '', '', '', '', '', '[]', 'en', 'v1', $1, $3, 'h', $2, $2, 'labour'),
						('r3', 'o1', 'new', 'soon', 'street', '', '', '', '', '', '[]', 'en', 'v1', $1, $4, 'h', $2, $2, '')`,
						[]any{[]byte("x"), now, []byte("y"), []byte("z")}},
					{`INSERT INTO screenings (id, org_id, created_by, setting, answers, catalogue_version, status, created_at, updated_at)
						VALUES ('s1', 'o1', 'u1', 'outreach', '{}', 'v1', 'completed', $1, $1)`, []any{now}},
					{`INSERT INTO referrals (id, code, screening_id, from_org, to_org, created_by, purposes, population, person_agreed,
						guardian_involved, result, catalogue_version, status, created_at, updated_at)
						VALUES ('f1', 'WM-1', 's1', 'o1', 'o2', 'u1', '["begging_criminality"]', 'child', 0, 1, '{}', 'v1', 'pending', $1, $1)`, []any{now}},
				} {
					if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
						return fmt.Errorf("%s: %w", q.sql, err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			var routes, cases, reports, referral, orgs [][]string
			err = db.Read(ctx, func(tx *storage.Tx) error {
				for _, q := range []struct {
					out *[][]string
					sql string
				}{
					{&routes, `SELECT purpose, population, org_id, updated_by FROM protocol_routes ORDER BY population, purpose`},
					{&cases, `SELECT id, exploitation FROM cases ORDER BY id`},
					{&reports, `SELECT id, exploitation FROM reports ORDER BY id`},
					{&referral, `SELECT purposes, kind FROM referrals`},
					{&orgs, `SELECT id, phone, hours FROM organisations ORDER BY id`},
				} {
					var err error
					if *q.out, err = queryStrings(ctx, tx, q.sql); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name      string
				got, want [][]string
			}{
				{"protocol routes", routes, [][]string{
					{"begging", "adult", "o1", "u1"}, {"criminality", "adult", "o2", "u1"}, {"labour", "adult", "o1", "u1"},
					{"begging", "child", "o2", "u1"}, {"criminality", "child", "o2", "u1"}}},
				{"cases", cases, [][]string{{"c1", `["labour","begging","criminality"]`}, {"c2", `["sexual"]`}, {"c3", `[]`}}},
				{"reports", reports, [][]string{{"r1", `["begging","criminality"]`}, {"r2", `["labour"]`}, {"r3", ""}}},
				{"referral", referral, [][]string{{`["begging_criminality"]`, "reasonable_grounds"}}},
				{"organisations", orgs, [][]string{{"o1", "", ""}, {"o2", "", ""}}},
			} {
				if !slices.EqualFunc(c.got, c.want, slices.Equal[[]string]) {
					t.Errorf("%s after 0017 = %q, want %q", c.name, c.got, c.want)
				}
			}
		})
	}
}
