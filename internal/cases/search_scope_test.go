package cases_test

import (
	"context"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestNameSearchNeedsIdentityShare: a name matches a case only for an
// organisation that sees the case's identity. A partner the case was shared
// with without identity finds it by its pseudonymous code and in its list,
// but a search by the person's name finds nothing (issue 11, item 3).
func TestNameSearchNeedsIdentityShare(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.open(t, adult())
			k := consentFor(f.police, f.otherNGO)
			k.Categories = append(k.Categories, "identity")
			if _, err := f.svc.RecordConsent(ctx, f.worker.Actor, c.ID, k); err != nil {
				t.Fatal(err)
			}
			policeWorker := f.env.User("policecw", access.CaseWorker, f.police)
			for _, sh := range []struct {
				to         string
				categories []string
				accepter   access.Actor
			}{
				{f.police, []string{"assistance"}, policeWorker.Actor},
				{f.otherNGO, []string{"assistance", "identity"}, f.otherWorker.Actor},
			} {
				s, err := f.svc.ShareCase(ctx, f.worker.Actor, c.ID, cases.ShareInput{To: sh.to, Kind: cases.KindShare, Categories: sh.categories})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.svc.RespondShare(ctx, sh.accepter, s.ID, true, ""); err != nil {
					t.Fatal(err)
				}
			}
			for _, tc := range []struct {
				who   string
				actor access.Actor
				want  int
			}{
				{"owner", f.worker.Actor, 1},
				{"partner with identity", f.otherWorker.Actor, 1},
				{"police without identity", f.officer.Actor, 0},
			} {
				for _, q := range []string{"kovacevic", "Marija", "Marija Kovačević"} {
					page, err := f.svc.List(ctx, tc.actor, cases.Filter{Query: q, Stage: "all"})
					if err != nil || len(page.Cases) != tc.want || page.Next != "" {
						t.Errorf("%s searching %q: %d cases, next %q, %v", tc.who, q, len(page.Cases), page.Next, err)
					}
				}
			}
			// The police still find the case by its code and in their list.
			for _, filter := range []cases.Filter{{Query: c.Code}, {}} {
				if page, err := f.svc.List(ctx, f.officer.Actor, filter); err != nil || len(page.Cases) != 1 {
					t.Errorf("police list %+v: %d cases, %v", filter, len(page.Cases), err)
				}
			}
		})
	}
}
