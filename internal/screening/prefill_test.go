package screening_test

import (
	"context"
	"slices"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage/storagetest"
)

// unconfirmed lists the questions of a screening's standing marks.
func unconfirmed(sc screening.Screening) []string {
	var out []string
	for _, p := range sc.Unconfirmed() {
		out = append(out, p.Question)
	}
	return out
}

// TestStorePrefilledAnswers: answers filled in from a site check are
// marked until the screener confirms them with the person or changes them;
// sending a page on with the pre-filled answer confirms nothing; bad or
// foreign confirmations change nothing.
func TestStorePrefilledAnswers(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newStoreFixture(t, apptest.Start(t, engine))
			ctx, me := context.Background(), f.screener.Actor
			src := screening.Source{Kind: "site_check", ID: "check-1", On: "2026-12-04"}
			sc, err := f.store.Create(ctx, me, screening.Start{Setting: "procurement_site_check", From: &src,
				Answers: map[string]screening.Answer{"core.documents_held": screening.Yes, "core.debt": screening.Yes,
					"work.excessive_hours": screening.Yes, "core.does_work": screening.Yes}})
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			all := []string{"core.debt", "core.documents_held", "core.does_work", "work.excessive_hours"}
			got, err := f.store.Get(ctx, me, sc.ID)
			if err != nil || !slices.Equal(unconfirmed(got), all) {
				t.Fatalf("after create: unconfirmed %v, err %v; want %v", unconfirmed(got), err, all)
			}
			if p, ok := got.Prefilled("core.debt"); !ok || p.Source != src || p.Answer != screening.Yes {
				t.Errorf("mark of core.debt = %+v, %v", p, ok)
			}

			// The same answer sent again (a page sent on) is no confirmation.
			if got, err = f.store.SaveAnswers(ctx, me, sc.ID, map[string]screening.Answer{"core.documents_held": screening.Yes}); err != nil ||
				!slices.Equal(unconfirmed(got), all) {
				t.Fatalf("resaved: unconfirmed %v, err %v", unconfirmed(got), err)
			}
			// Confirmed with the person; another changed.
			if _, err = f.store.SaveConfirmed(ctx, me, sc.ID, map[string]screening.Answer{"core.documents_held": screening.Yes},
				[]string{"core.documents_held"}); err != nil {
				t.Fatalf("confirm: %v", err)
			}
			if got, err = f.store.SaveAnswers(ctx, me, sc.ID, map[string]screening.Answer{"core.debt": screening.No}); err != nil {
				t.Fatalf("change: %v", err)
			}
			if want := []string{"core.does_work", "work.excessive_hours"}; !slices.Equal(unconfirmed(got), want) {
				t.Fatalf("unconfirmed %v, want %v", unconfirmed(got), want)
			}
			for q, want := range map[string]string{"core.documents_held": screening.PrefillConfirmed, "core.debt": screening.PrefillChanged} {
				for _, p := range got.Prefills {
					if p.Question == q && p.Resolution != want {
						t.Errorf("%s resolved %q, want %q", q, p.Resolution, want)
					}
				}
			}

			// Confirming alone keeps a completed screening completed.
			if _, err := f.store.Complete(ctx, me, sc.ID); err != nil {
				t.Fatalf("complete: %v", err)
			}
			if got, err = f.store.SaveConfirmed(ctx, me, sc.ID, nil, []string{"work.excessive_hours"}); err != nil ||
				got.Status != screening.StatusCompleted || !slices.Equal(unconfirmed(got), []string{"core.does_work"}) {
				t.Fatalf("confirm only: status %s, unconfirmed %v, err %v", got.Status, unconfirmed(got), err)
			}

			// Refused: a question the catalogue lacks, another organisation.
			if _, err := f.store.SaveConfirmed(ctx, me, sc.ID, nil, []string{"core.no_such"}); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("unknown question confirmed: %v, want invalid", err)
			}
			if _, err := f.store.SaveConfirmed(ctx, f.outsider.Actor, sc.ID, nil, []string{"core.does_work"}); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("outsider confirmed: %v, want not found", err)
			}
			if got, _ = f.store.Get(ctx, me, sc.ID); !slices.Equal(unconfirmed(got), []string{"core.does_work"}) {
				t.Errorf("refusals changed the marks: %v", unconfirmed(got))
			}

			entries, _, err := f.env.App.Audit.List(ctx, f.env.App.DB, access.SystemScope(), audit.Filter{SubjectID: sc.ID, Action: "screening.prefill.clear", Limit: audit.MaxLimit})
			if err != nil || len(entries) != 3 {
				t.Errorf("audited clearings: %d, %v; want 3 (confirmed, changed, confirmed)", len(entries), err)
			}

			// A screening started without a source has no marks.
			plain, err := f.store.Create(ctx, me, screening.Start{Setting: "farm", Answers: map[string]screening.Answer{"core.debt": screening.Yes}})
			if err != nil || len(plain.Prefills) != 0 {
				t.Fatalf("plain screening: marks %v, err %v", plain.Prefills, err)
			}
		})
	}
}
