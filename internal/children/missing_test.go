package children_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/apperr/apperrtest"
	"waymark.city/waymark/internal/children"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMissingChild(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t, true)
			now := time.Now().UTC().Truncate(time.Minute)
			since := now.Add(-3 * time.Hour)
			count := func(q string) (n int) {
				t.Helper()
				if err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error { return tx.QueryRowContext(ctx, q, c.ID).Scan(&n) }); err != nil {
					t.Fatal(err)
				}
				return n
			}
			for _, tt := range []struct {
				name  string
				in    children.MissingInput
				code  apperr.Code
				field string
			}{
				{"no time", children.MissingInput{}, apperr.Invalid, "since"},
				{"in the future", children.MissingInput{Since: now.Add(time.Hour)}, apperr.Invalid, "since"},
				{"police before missing", children.MissingInput{Since: since, PoliceAt: since.Add(-time.Hour), PoliceTo: "Unit 3"}, apperr.Invalid, "police_at"},
				{"police to nobody", children.MissingInput{Since: since, PoliceAt: since.Add(time.Hour)}, apperr.Invalid, "police_to"},
				{"police reference without a time", children.MissingInput{Since: since, PoliceRef: "VM-1"}, apperr.Invalid, "police_at"},
				{"116 000 called by nobody", children.MissingInput{Since: since, HotlineAt: since.Add(time.Hour)}, apperr.Invalid, "hotline_by"},
			} {
				_, err := f.svc.ReportMissing(ctx, f.worker.Actor, c.ID, tt.in)
				apperrtest.Want(t, tt.name, err, tt.code, tt.field)
			}
			_, err := f.svc.ReportMissing(ctx, f.outside.Actor, c.ID, children.MissingInput{Since: since})
			apperrtest.Want(t, "other organisation", err, apperr.NotFound, "")
			adult := f.openCase(t, false)
			_, err = f.svc.ReportMissing(ctx, f.worker.Actor, adult.ID, children.MissingInput{Since: since})
			apperrtest.Want(t, "an adult's case", err, apperr.Conflict, "")
			if n := count(`SELECT COUNT(*) FROM child_missing WHERE case_id = $1`); n != 0 {
				t.Fatalf("refused reports stored: %d", n)
			}

			// Reported with the police hand-over; 116 000 and the child found follow.
			m, err := f.svc.ReportMissing(ctx, f.worker.Actor, c.ID, children.MissingInput{Since: since,
				PoliceAt: since.Add(30 * time.Minute), PoliceTo: "Riverton police, missing persons", PoliceRef: "VM-2026-118"})
			if err != nil {
				t.Fatalf("report: %v", err)
			}
			_, err = f.svc.ReportMissing(ctx, f.worker.Actor, c.ID, children.MissingInput{Since: since})
			apperrtest.Want(t, "reported twice", err, apperr.Conflict, "")
			err = f.svc.RecordMissingSteps(ctx, f.worker.Actor, c.ID, m.ID, children.MissingInput{PoliceAt: now, PoliceTo: "again"})
			apperrtest.Want(t, "police twice", err, apperr.Conflict, "")
			apperrtest.Want(t, "no step", f.svc.RecordMissingSteps(ctx, f.worker.Actor, c.ID, m.ID, children.MissingInput{}), apperr.Invalid, "police_at")
			if err := f.svc.RecordMissingSteps(ctx, f.worker.Actor, c.ID, m.ID, children.MissingInput{HotlineAt: since.Add(time.Hour), HotlineBy: "the guardian"}); err != nil {
				t.Fatalf("116 000: %v", err)
			}
			if err := f.svc.RecordMissingSteps(ctx, f.worker.Actor, c.ID, m.ID, children.MissingInput{FoundAt: now}); err != nil {
				t.Fatalf("found: %v", err)
			}
			rec, err := f.svc.Get(ctx, f.worker.Actor, c.ID)
			if err != nil || len(rec.Missing) != 1 {
				t.Fatalf("record: %+v %v", rec.Missing, err)
			}
			got := rec.Missing[0]
			if !got.Since.Equal(since) || got.PoliceAt == nil || !got.PoliceAt.Equal(since.Add(30*time.Minute)) || got.PoliceTo != "Riverton police, missing persons" ||
				got.PoliceRef != "VM-2026-118" || got.HotlineAt == nil || got.HotlineBy != "the guardian" || got.FoundAt == nil || !got.ClockEnds().Equal(since.Add(24*time.Hour)) {
				t.Errorf("missing read back as %+v", got)
			}
			_, entries, err := f.env.App.Cases.Timeline(ctx, f.worker.Actor, c.ID, false, 0)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, e := range entries {
				kinds = append(kinds, e.Kind)
			}
			for _, k := range []string{"child_missing", "child_missing_police", "child_missing_hotline", "child_found"} {
				if !slices.Contains(kinds, k) {
					t.Errorf("timeline %v lacks %s", kinds, k)
				}
			}
			// Found, the child can be reported missing again.
			if _, err := f.svc.ReportMissing(ctx, f.worker.Actor, c.ID, children.MissingInput{Since: now}); err != nil {
				t.Errorf("report again: %v", err)
			}
		})
	}
}
