package crisisunit_test

import (
	"context"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestTaskExport: the task list's file has the list's tasks; their own
// wording only in the file with free text, whose reading is audited; a
// role without personal data asking for it is refused with its own
// message and the refusal audited; the export is audited with its count.
func TestTaskExport(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t)
			if _, err := f.svc.CreateConference(ctx, f.worker.Actor, c.ID, f.conference()); err != nil {
				t.Fatal(err)
			}
			list, err := f.svc.MyTasks(ctx, f.worker.Actor)
			if err != nil || len(list) == 0 {
				t.Fatalf("my tasks: %d %v", len(list), err)
			}
			e, err := f.svc.ExportTasks(ctx, f.worker.Actor, false)
			if err != nil || len(e.Tasks) != len(list) {
				t.Fatalf("export: %d tasks, list %d: %v", len(e.Tasks), len(list), err)
			}
			for i := range list {
				if e.Tasks[i].ID != list[i].ID || e.Tasks[i].Title != "" {
					t.Errorf("task %d: %+v", i, e.Tasks[i])
				}
			}
			var plain, worded strings.Builder
			if err := e.WriteCSV(&plain, f.env.App.Catalog.For("de")); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(plain.String(), "Ana Testa") || !strings.Contains(plain.String(), "Eigener Wortlaut") || !strings.HasPrefix(plain.String(), "Fall,") {
				t.Errorf("CSV without free text:\n%s", plain.String())
			}
			e, err = f.svc.ExportTasks(ctx, f.worker.Actor, true)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.WriteCSV(&worded, f.env.App.Catalog.For("en")); err != nil || !strings.Contains(worded.String(), "Book a doctor for Ana Testa") {
				t.Errorf("CSV with free text: %v\n%s", err, worded.String())
			}
			analyst := f.env.User("analyst", access.Analyst, f.a)
			if _, err := f.svc.ExportTasks(ctx, analyst.Actor, true); !apperr.Is(err, apperr.Forbidden) || apperr.As(err).Key != "error.export_personal_data" {
				t.Errorf("analyst asking for free text: %v", err)
			}
			counts := map[string]int{}
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				rows, err := tx.QueryContext(ctx, `SELECT action || ' ' || outcome || ' ' || detail FROM audit_log WHERE action IN ('tasks.export', 'case.read')`)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						return err
					}
					counts[s]++
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			if counts["tasks.export allowed rows=1 more=false personal=false"] != 1 || counts["tasks.export allowed rows=1 more=false personal=true"] != 1 ||
				counts["tasks.export denied "] != 1 || counts["case.read allowed task.title"] != 2 {
				t.Errorf("audit: %v", counts)
			}
		})
	}
}
