package cases_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/apperr/apperrtest"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestInformed(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			ngo := env.Org("NGO", accounts.NGO)
			w := env.User("worker", access.CaseWorker, ngo)
			police := env.User("police", access.PoliceContact, ngo)
			outside := env.User("outside", access.CaseWorker, env.Org("Other NGO", accounts.NGO))
			c, err := env.App.Cases.Open(ctx, w.Actor, cases.NewCase{Person: adult()})
			if err != nil {
				t.Fatal(err)
			}
			count := func() (n int) {
				t.Helper()
				if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
					return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_informed WHERE case_id = $1`, c.ID).Scan(&n)
				}); err != nil {
					t.Fatal(err)
				}
				return n
			}
			today := time.Now().UTC().Format(time.DateOnly)
			good := cases.InformedInput{Topic: "reflection_period", On: today, Language: " HR ", Interpreter: true, By: "Kim, case worker"}
			for _, tt := range []struct {
				name  string
				actor access.Actor
				edit  func(*cases.InformedInput)
				code  apperr.Code
				field string
			}{
				{"unknown topic", w.Actor, func(in *cases.InformedInput) { in.Topic = "weather" }, apperr.Invalid, "topic"},
				{"future day", w.Actor, func(in *cases.InformedInput) { in.On = time.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly) }, apperr.Invalid, "informed_on"},
				{"not a day", w.Actor, func(in *cases.InformedInput) { in.On = "yesterday" }, apperr.Invalid, "informed_on"},
				{"bad language", w.Actor, func(in *cases.InformedInput) { in.Language = "Croatian" }, apperr.Invalid, "informed_language"},
				{"by nobody", w.Actor, func(in *cases.InformedInput) { in.By = " " }, apperr.Invalid, "informed_by"},
				{"by too long", w.Actor, func(in *cases.InformedInput) { in.By = strings.Repeat("x", cases.MaxInformedBy+1) }, apperr.Invalid, "informed_by"},
				{"police may not record", police.Actor, func(*cases.InformedInput) {}, apperr.Forbidden, ""},
				{"other organisation", outside.Actor, func(*cases.InformedInput) {}, apperr.NotFound, ""},
			} {
				in := good
				tt.edit(&in)
				_, err := env.App.Cases.RecordInformed(ctx, tt.actor, c.ID, in)
				apperrtest.Want(t, tt.name, err, tt.code, tt.field)
			}
			if n := count(); n != 0 {
				t.Fatalf("refused records stored: %d", n)
			}
			if _, err := env.App.Cases.RecordInformed(ctx, w.Actor, c.ID, good); err != nil {
				t.Fatalf("record: %v", err)
			}
			// The consent tab reads it back, decrypted, for the case's organisation only.
			tab, err := env.App.Cases.ConsentsOf(ctx, w.Actor, c.ID)
			list := tab.Informed
			if err != nil || len(list) != 1 || list[0].Topic != "reflection_period" || list[0].Language != "hr" || !list[0].Interpreter || list[0].By != "Kim, case worker" {
				t.Errorf("informed records = %+v, %v", list, err)
			}
			_, err = env.App.Cases.ConsentsOf(ctx, outside.Actor, c.ID)
			apperrtest.Want(t, "another organisation reads them", err, apperr.NotFound, "")
			var sealed []byte
			if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT informed_by FROM case_informed WHERE case_id = $1`, c.ID).Scan(&sealed)
			}); err != nil || strings.Contains(string(sealed), "Kim") {
				t.Errorf("informed by stored in the clear (%v)", err)
			}
		})
	}
}

// TestConsentTabNamesTheLegalBasis: a case opened without the person's
// consent on a legal basis says so on its consent tab; one opened with
// consent does not.
func TestConsentTabNamesTheLegalBasis(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			w := env.User("worker", access.CaseWorker, env.Org("NGO", accounts.NGO))
			c, err := env.App.Cases.Open(ctx, w.Actor, cases.NewCase{Person: adult(), LegalBasis: "immediate_danger"})
			if err != nil {
				t.Fatal(err)
			}
			tab, err := env.App.Cases.ConsentsOf(ctx, w.Actor, c.ID)
			if err != nil || tab.Basis == nil || tab.Basis.Detail != "immediate_danger" || tab.Basis.ActorID != w.ID {
				t.Fatalf("consent tab of a case opened on a legal basis: %+v, %v", tab.Basis, err)
			}
			other, err := env.App.Cases.Open(ctx, w.Actor, cases.NewCase{Person: adult()})
			if err != nil {
				t.Fatal(err)
			}
			if tab, err := env.App.Cases.ConsentsOf(ctx, w.Actor, other.ID); err != nil || tab.Basis != nil {
				t.Errorf("a case opened directly shows a legal basis: %+v, %v", tab.Basis, err)
			}
		})
	}
}
