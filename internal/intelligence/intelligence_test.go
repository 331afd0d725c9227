package intelligence_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/intelligence"
	"waymark.city/waymark/internal/persondata"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// entries lists the audit entries of an action about subject id.
func entries(t *testing.T, env *apptest.Env, action, outcome, id string) int {
	t.Helper()
	list, _, err := env.App.Audit.List(context.Background(), env.App.DB, access.SystemScope(), audit.Filter{Outcome: outcome, Limit: audit.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range list {
		if e.Action == action && (id == "" || e.SubjectID == id) {
			n++
		}
	}
	return n
}

func TestChannel(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			ngo := env.Org("Safe Harbour", accounts.NGO)
			city := env.Org("Human Rights Office", accounts.Municipality)
			police := env.Org("City Police", accounts.Police)
			worker := env.User("worker", access.CaseWorker, ngo)
			colleague := env.User("colleague", access.CaseWorker, ngo)
			coord := env.User("coord", access.Coordinator, city)
			analyst := env.User("analyst", access.Analyst, city)
			admin := env.User("admin", access.Administrator, city)
			officer := env.User("officer", access.PoliceContact, police)
			svc := env.App.Intelligence
			text := "Recruiter 'Marko' offers building jobs at the bus station on Mondays."

			stored := func() int {
				var n int
				if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
					return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM intelligence_entries`).Scan(&n)
				}); err != nil {
					t.Fatal(err)
				}
				return n
			}
			// Bad input is refused and nothing is stored.
			for _, tc := range []struct {
				name, key string
				in        intelligence.Input
			}{
				{"not confirmed", "intelligence.error.not_about_victims", intelligence.Input{About: "recruiter", Text: text}},
				{"about a person", "intelligence.error.about", intelligence.Input{About: "victim", Text: text, NotAboutVictims: true}},
				{"empty", "intelligence.error.text", intelligence.Input{About: "place", Text: "  ", NotAboutVictims: true}},
				{"too long", "intelligence.error.text", intelligence.Input{About: "place", Text: strings.Repeat("x", 4001), NotAboutVictims: true}},
				{"unknown sector", "intelligence.error.sector", intelligence.Input{About: "business", Sector: "piracy", Text: text, NotAboutVictims: true}},
				{"unknown area", "intelligence.error.area", intelligence.Input{About: "business", AreaCode: "moon", Text: text, NotAboutVictims: true}},
			} {
				_, err := svc.Submit(ctx, worker.Actor, tc.in)
				if !apperr.Is(err, apperr.Invalid) || apperr.As(err).Fields[0].Key != tc.key {
					t.Fatalf("%s: %v %+v", tc.name, err, apperr.As(err).Fields)
				}
			}
			for _, u := range []apptest.User{analyst, admin} {
				if _, err := svc.Submit(ctx, u.Actor, intelligence.Input{About: "place", Text: text, NotAboutVictims: true}); !apperr.Is(err, apperr.Forbidden) {
					t.Fatalf("%s submits: %v", u.Username, err)
				}
			}
			if stored() != 0 {
				t.Fatal("a refused entry was stored")
			}

			e, err := svc.Submit(ctx, worker.Actor, intelligence.Input{About: "recruiter", Sector: "construction", Text: text, NotAboutVictims: true})
			if err != nil {
				t.Fatal(err)
			}
			// The text is sealed in the database.
			var sealed []byte
			if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT text FROM intelligence_entries WHERE id = $1`, e.ID).Scan(&sealed)
			}); err != nil || strings.Contains(string(sealed), "Marko") {
				t.Fatalf("stored text %q %v", sealed, err)
			}

			// Only the police contact point reads it; every other role is
			// refused, and the refusal audited.
			for _, u := range []apptest.User{worker, coord, analyst, admin} {
				if _, err := svc.Read(ctx, u.Actor, e.ID); !apperr.Is(err, apperr.Forbidden) {
					t.Fatalf("%s reads: %v", u.Username, err)
				}
				if _, err := svc.Inbox(ctx, u.Actor); !apperr.Is(err, apperr.Forbidden) {
					t.Fatalf("%s lists: %v", u.Username, err)
				}
				if _, err := svc.Mark(ctx, u.Actor, e.ID, intelligence.ActedUpon); !apperr.Is(err, apperr.Forbidden) {
					t.Fatalf("%s marks: %v", u.Username, err)
				}
			}
			if n := entries(t, env, string(access.ReadIntelligence), audit.Denied, e.ID); n != 8 {
				t.Fatalf("denied reads and marks audited: %d, want 8", n)
			}
			got, err := svc.Read(ctx, officer.Actor, e.ID)
			if err != nil || got.Text != text || got.About != "recruiter" || got.OrgName != "Safe Harbour" {
				t.Fatalf("police read: %+v %v", got, err)
			}
			if n := entries(t, env, "intelligence.read", audit.Allowed, e.ID); n != 1 {
				t.Fatalf("reads audited: %d, want 1", n)
			}
			inbox, err := svc.Inbox(ctx, officer.Actor)
			if err != nil || len(inbox) != 1 || inbox[0].Text != "" {
				t.Fatalf("inbox: %+v %v", inbox, err)
			}
			if n := entries(t, env, "intelligence.list", audit.Allowed, ""); n != 1 {
				t.Fatalf("listings audited: %d, want 1", n)
			}
			if _, err := svc.Mark(ctx, officer.Actor, e.ID, "arrested"); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("unknown status: %v", err)
			}
			if _, err := svc.Mark(ctx, officer.Actor, e.ID, intelligence.ActedUpon); err != nil {
				t.Fatal(err)
			}
			if n := entries(t, env, "intelligence.mark", audit.Allowed, e.ID); n != 1 {
				t.Fatalf("marks audited: %d, want 1", n)
			}

			// The submitter sees the status of their own submissions only;
			// a colleague of the same organisation sees none of them.
			mine, err := svc.Mine(ctx, worker.Actor)
			if err != nil || len(mine) != 1 || mine[0].Status != intelligence.ActedUpon || mine[0].Text != "" {
				t.Fatalf("submitter's list: %+v %v", mine, err)
			}
			if theirs, err := svc.Mine(ctx, colleague.Actor); err != nil || len(theirs) != 0 {
				t.Fatalf("colleague's list: %+v %v", theirs, err)
			}
		})
	}
}

// TestReviewBeforeStoring: a text with signs of a victim is not stored
// until the submitter confirms every kind of sign shown; a confirmation of
// some kinds only is not enough; the confirmation is audited as the kinds
// confirmed; a text without signs (a recruiter's phone number, an
// address) is stored at once with no confirmation entry.
func TestReviewBeforeStoring(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			ngo := env.Org("Safe Harbour", accounts.NGO)
			worker := env.User("worker", access.CaseWorker, ngo)
			svc := env.App.Intelligence
			stored := func() int {
				var n int
				if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
					return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM intelligence_entries`).Scan(&n)
				}); err != nil {
					t.Fatal(err)
				}
				return n
			}
			in := intelligence.Input{About: "business", NotAboutVictims: true,
				Text: "The victim Maria works at the Lotus massage parlour; her passport X1234567 is kept by the owner."}
			_, err := svc.Submit(ctx, worker.Actor, in)
			var review *intelligence.Review
			if !errors.As(err, &review) || !slices.Equal(persondata.Kinds(review.Flags), []string{persondata.FlagDocument, persondata.FlagVictim}) {
				t.Fatalf("flagged text: %v", err)
			}
			in.Confirmed = []string{persondata.FlagDocument}
			if _, err := svc.Submit(ctx, worker.Actor, in); !errors.As(err, &review) {
				t.Fatalf("confirmed in part: %v", err)
			}
			if stored() != 0 || entries(t, env, "intelligence.confirm_not_victim", "", "") != 0 {
				t.Fatal("an unconfirmed text was stored")
			}
			in.Confirmed = []string{persondata.FlagVictim, persondata.FlagDocument}
			e, err := svc.Submit(ctx, worker.Actor, in)
			if err != nil || stored() != 1 || entries(t, env, "intelligence.confirm_not_victim", audit.Allowed, e.ID) != 1 {
				t.Fatalf("confirmed: %v, %d stored", err, stored())
			}
			list, _, err := env.App.Audit.List(ctx, env.App.DB, access.SystemScope(), audit.Filter{Limit: audit.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range list {
				if a.Action == "intelligence.confirm_not_victim" && a.Detail != "document_number,victim_named" {
					t.Fatalf("confirmation audited as %q", a.Detail)
				}
			}
			plain, err := svc.Submit(ctx, worker.Actor, intelligence.Input{About: "recruiter", NotAboutVictims: true,
				Text: "Recruiter on +49 171 2345678 meets workers at Hafenstraße 12, 20457 Hamburg, on 03.11.2026."})
			if err != nil || stored() != 2 || entries(t, env, "intelligence.confirm_not_victim", "", plain.ID) != 0 {
				t.Fatalf("plain text: %v", err)
			}
		})
	}
}
