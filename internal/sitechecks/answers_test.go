package sitechecks_test

import (
	"context"
	"slices"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// findingsBySignal maps a check's findings by signal ("" collects those
// entered by hand, by description).
func findingsBySignal(c sitechecks.Check) map[string]sitechecks.Finding {
	out := map[string]sitechecks.Finding{}
	for _, f := range c.FindingList {
		key := f.Signal
		if key == "" {
			key = "hand:" + f.Description
		}
		out[key] = f
	}
	return out
}

func keys(m map[string]sitechecks.Finding) []string {
	return slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
}

// TestEditAnswers: correcting a check's answers brings the derived
// findings in line in one transaction; a finding with a corrective action
// is kept and marked, not lost; findings added by hand, severities the
// officer changed and actions stay; refused answers change nothing.
func TestEditAnswers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		first := cityHall()
		first.Set("spoken_apart", "no") // a low finding, without action
		c := f.record(t, first)
		got := findingsBySignal(c)
		if want := []string{"documents_held", "no_day_off", "spoken_apart"}; !slices.Equal(keys(got), want) {
			t.Fatalf("findings %v, want %v", keys(got), want)
		}
		if _, err := f.svc.AddAction(ctx, f.officer, got["documents_held"].ID, sitechecks.ActionInput{Action: "Return the papers",
			Owner: sitechecks.BySupplier, DueOn: "2027-04-01", Verification: "Unannounced visit", Status: sitechecks.Open}); err != nil {
			t.Fatalf("action: %v", err)
		}
		if _, err := f.svc.EditFinding(ctx, f.officer, got["no_day_off"].ID, sitechecks.FindingInput{Severity: sitechecks.Critical}); err != nil {
			t.Fatalf("edit finding: %v", err)
		}
		if _, err := f.svc.AddFinding(ctx, f.officer, c.ID, sitechecks.FindingInput{Severity: sitechecks.Low, Description: "No notice of rights."}); err != nil {
			t.Fatalf("hand finding: %v", err)
		}

		// Bad answers: refused, nothing changes.
		before := f.stored(t)
		bad := cityHall()
		bad.Set("workers_spoken", "40")
		if _, _, err := f.svc.EditAnswers(ctx, f.officer, c.ID, bad, "en"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("more spoken to than present: %v, want invalid", err)
		}
		if _, _, err := f.svc.EditAnswers(ctx, f.other, c.ID, cityHall(), "en"); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a case worker edits answers: %v, want forbidden", err)
		}
		if _, _, err := f.svc.EditAnswers(ctx, f.officer, "no-such-check", cityHall(), "en"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown check: %v, want not found", err)
		}
		if after := f.stored(t); after != before {
			t.Fatalf("refused edits changed %s to %s", before, after)
		}

		// The papers were the workers' own after all; a debt was told.
		next := cityHall()
		next.Set("documents_held", "no")
		next.Set("debt_owed", "yes")
		ed, _, err := f.svc.EditAnswers(ctx, f.officer, c.ID, next, "en")
		if err != nil {
			t.Fatalf("edit answers: %v", err)
		}
		if ed != (sitechecks.AnswersEdit{Added: 1, Removed: 1, Withdrawn: 1}) {
			t.Errorf("edit = %+v, want one added, one removed, one withdrawn", ed)
		}
		c, err = f.svc.Check(ctx, f.officer, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		got = findingsBySignal(c)
		if want := []string{"debt_owed", "documents_held", "hand:No notice of rights.", "no_day_off"}; !slices.Equal(keys(got), want) {
			t.Fatalf("findings after the edit %v, want %v", keys(got), want)
		}
		if p := got["documents_held"]; !p.Withdrawn || len(p.Actions) != 1 {
			t.Errorf("papers finding: withdrawn %v, %d actions; want kept, marked, with its action", p.Withdrawn, len(p.Actions))
		}
		if got["no_day_off"].Severity != sitechecks.Critical || got["no_day_off"].Withdrawn || got["debt_owed"].Severity != sitechecks.Critical {
			t.Errorf("kept and added findings: %+v, %+v", got["no_day_off"], got["debt_owed"])
		}
		if c.Answers.Values["documents_held"] != "no" || c.Answers.Values["debt_owed"] != "yes" {
			t.Errorf("answers not saved: %v", c.Answers.Values)
		}

		// Back again: the kept finding is no longer marked.
		if ed, _, err = f.svc.EditAnswers(ctx, f.officer, c.ID, cityHall(), "en"); err != nil || ed != (sitechecks.AnswersEdit{Removed: 1, Restored: 1}) {
			t.Fatalf("edit back: %+v, %v", ed, err)
		}
		c, _ = f.svc.Check(ctx, f.officer, c.ID)
		if p := findingsBySignal(c)["documents_held"]; p.Withdrawn {
			t.Error("the papers finding is still marked withdrawn")
		}
		entries, _, err := f.log.List(ctx, db, access.SystemScope(), audit.Filter{Action: "site_check.answers.update", SubjectID: c.ID, Limit: audit.MaxLimit})
		if err != nil || len(entries) != 2 || entries[0].ActorUserID != f.officer.UserID {
			t.Errorf("audited answer edits: %d, %v", len(entries), err)
		}
	})
}
