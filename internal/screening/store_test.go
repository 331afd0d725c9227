package screening_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// storeFixture is a running Waymark with two organisations and a store
// over its database and audit log.
type storeFixture struct {
	env       *apptest.Env
	store     *screening.Store
	screener  apptest.User // organisation A
	colleague apptest.User // another user of organisation A
	outsider  apptest.User // organisation B
	analyst   apptest.User // organisation A, may not screen
}

func newStoreFixture(t *testing.T, env *apptest.Env) storeFixture {
	t.Helper()
	cat, err := screening.LoadCatalogue()
	if err != nil {
		t.Fatalf("load catalogue: %v", err)
	}
	a := env.Org("Organisation A", accounts.NGO)
	b := env.Org("Organisation B", accounts.SocialServices)
	return storeFixture{
		env:       env,
		store:     screening.NewStore(env.App.DB, env.App.Audit, cat),
		screener:  env.User("screener-a", access.Screener, a),
		colleague: env.User("caseworker-a", access.CaseWorker, a),
		outsider:  env.User("screener-b", access.Screener, b),
		analyst:   env.User("analyst-a", access.Analyst, a),
	}
}

func years(n int) *int { return &n }

// auditActions lists the actions and outcomes of the audit entries about a
// screening, oldest first, and fails if any entry's detail could carry an
// answer.
func auditActions(t *testing.T, env *apptest.Env, id string) []string {
	t.Helper()
	entries, _, err := env.App.Audit.List(context.Background(), env.App.DB, access.SystemScope(),
		audit.Filter{SubjectID: id, Limit: audit.MaxLimit})
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		// A detail is a setting code or the catalogue version, nothing more.
		if e.Detail != "" && !slices.Contains(screening.Settings(), e.Detail) && !strings.HasPrefix(e.Detail, "v") {
			t.Errorf("audit entry %s has detail %q, want a setting, a version or nothing", e.Action, e.Detail)
		}
		out = append(out, e.Action+"/"+e.Outcome)
	}
	return out
}

func TestStoreDraftAndCompletion(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newStoreFixture(t, apptest.Start(t, engine))
			ctx := context.Background()
			s := f.store

			sc, err := s.Create(ctx, f.screener.Actor, screening.Start{Setting: "workplace_inspection",
				Age: screening.Age{Years: years(16), Estimated: true}})
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if sc.Status != screening.StatusDraft || sc.OrgID != f.screener.OrgID || sc.CreatedBy != f.screener.ID || sc.CatalogueVersion == "" {
				t.Fatalf("created screening = %+v", sc)
			}

			// Two pages of answers merge; an empty answer clears one.
			if _, err := s.SaveAnswers(ctx, f.screener.Actor, sc.ID, map[string]screening.Answer{
				"core.danger": screening.No, "core.threats_violence": screening.Yes, "work.excessive_hours": screening.Unknown,
			}); err != nil {
				t.Fatalf("save page 1: %v", err)
			}
			// A colleague of the same organisation continues the draft.
			got, err := s.SaveAnswers(ctx, f.colleague.Actor, sc.ID, map[string]screening.Answer{
				"work.excessive_hours": "", "core.documents_held": screening.Declined,
			})
			if err != nil {
				t.Fatalf("save page 2: %v", err)
			}
			want := map[string]screening.Answer{"core.danger": screening.No, "core.threats_violence": screening.Yes, "core.documents_held": screening.Declined}
			back, err := s.Get(ctx, f.screener.Actor, sc.ID)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			for _, g := range []screening.Screening{got, back} {
				if len(g.Answers) != len(want) {
					t.Errorf("answers = %v, want %v", g.Answers, want)
				}
				for k, v := range want {
					if g.Answers[k] != v {
						t.Errorf("answer %s = %q, want %q", k, g.Answers[k], v)
					}
				}
			}
			if back.Age.Years == nil || *back.Age.Years != 16 || !back.Age.Estimated || back.Age.ReasonsToBelieveChild {
				t.Errorf("age = %+v, want 16 estimated", back.Age)
			}
			if back.Status != screening.StatusDraft || back.CompletedAt != nil {
				t.Errorf("status %s completed %v, want a draft", back.Status, back.CompletedAt)
			}

			done, err := s.Complete(ctx, f.screener.Actor, sc.ID)
			if err != nil {
				t.Fatalf("complete: %v", err)
			}
			if done.Status != screening.StatusCompleted || done.CompletedAt == nil {
				t.Fatalf("completed screening = %+v", done)
			}
			if _, err := s.Complete(ctx, f.screener.Actor, sc.ID); err != nil {
				t.Fatalf("complete again: %v", err)
			}
			// Changing an answer afterwards makes it a draft again.
			reopened, err := s.SaveAnswers(ctx, f.screener.Actor, sc.ID, map[string]screening.Answer{"core.not_free": screening.Yes})
			if err != nil {
				t.Fatalf("save after completion: %v", err)
			}
			if reopened.Status != screening.StatusDraft || reopened.CompletedAt != nil {
				t.Errorf("after a change: status %s, want draft", reopened.Status)
			}
			if _, err := s.Complete(ctx, f.screener.Actor, sc.ID); err != nil {
				t.Fatalf("complete after reopening: %v", err)
			}
			wantAudit := []string{"screening.create/done", "screening.complete/done", "screening.reopen/done", "screening.complete/done"}
			if got := auditActions(t, f.env, sc.ID); strings.Join(got, " ") != strings.Join(wantAudit, " ") {
				t.Errorf("audit = %v, want %v", got, wantAudit)
			}

			// The stored answers evaluate: violence alone is not enough.
			res, err := s.Catalogue().Evaluate(reopened.Input(s.Catalogue()))
			if err != nil {
				t.Fatalf("evaluate: %v", err)
			}
			if res.Population != screening.Child {
				t.Errorf("population = %s, want child (16 years)", res.Population)
			}

			list, total, err := s.List(ctx, f.colleague.Actor, screening.ListFilter{})
			if err != nil || total != 1 || len(list) != 1 || list[0].ID != sc.ID {
				t.Errorf("list for a colleague = %d of %d (%v), want the one screening", len(list), total, err)
			}
		})
	}
}

func TestStoreValidation(t *testing.T) {
	f := newStoreFixture(t, apptest.Start(t, storagetest.Engines()[0]))
	ctx := context.Background()
	s := f.store
	tests := []struct {
		name  string
		start screening.Start
		field string
	}{
		{"no setting", screening.Start{}, "setting"},
		{"unknown setting", screening.Start{Setting: "nightclub"}, "setting"},
		{"negative age", screening.Start{Setting: "outreach", Age: screening.Age{Years: years(-1)}}, "age.years"},
		{"age too high", screening.Start{Setting: "outreach", Age: screening.Age{Years: years(131)}}, "age.years"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Create(ctx, f.screener.Actor, tt.start)
			e := apperr.As(err)
			if e.Code != apperr.Invalid || len(e.Fields) == 0 || e.Fields[0].Field != tt.field {
				t.Fatalf("create: %v (fields %v), want a validation error on %s", err, e.Fields, tt.field)
			}
		})
	}
	sc, err := s.Create(ctx, f.screener.Actor, screening.Start{Setting: "outreach"})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	for name, answers := range map[string]map[string]screening.Answer{
		"unknown indicator": {"gen.no_such_thing": screening.Yes},
		"invalid answer":    {"core.threats_violence": "maybe"},
	} {
		if _, err := s.SaveAnswers(ctx, f.screener.Actor, sc.ID, answers); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%s: %v, want a validation error", name, err)
		}
	}
	back, err := s.Get(ctx, f.screener.Actor, sc.ID)
	if err != nil || len(back.Answers) != 0 {
		t.Errorf("after refused answers: %v, answers %v, want none saved", err, back.Answers)
	}
}

// TestStoreOrganisationScope: a screening is another organisation's
// business; to its users it does not exist, and each attempt is audited.
// A role without the screening action is refused outright.
func TestStoreOrganisationScope(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newStoreFixture(t, apptest.Start(t, engine))
			ctx := context.Background()
			s := f.store
			sc, err := s.Create(ctx, f.screener.Actor, screening.Start{Setting: "outreach"})
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if _, err := s.Create(ctx, f.outsider.Actor, screening.Start{Setting: "school"}); err != nil {
				t.Fatalf("create in B: %v", err)
			}
			calls := map[string]func(access.Actor) error{
				"get": func(a access.Actor) error { _, err := s.Get(ctx, a, sc.ID); return err },
				"save": func(a access.Actor) error {
					_, err := s.SaveAnswers(ctx, a, sc.ID, map[string]screening.Answer{"core.threats_violence": screening.Yes})
					return err
				},
				"complete": func(a access.Actor) error { _, err := s.Complete(ctx, a, sc.ID); return err },
			}
			for name, call := range calls {
				if err := call(f.outsider.Actor); apperr.CodeOf(err) != apperr.NotFound {
					t.Errorf("%s by another organisation: %v, want not found", name, err)
				}
				if err := call(f.analyst.Actor); apperr.CodeOf(err) != apperr.Forbidden {
					t.Errorf("%s by an analyst: %v, want forbidden", name, err)
				}
			}
			got, err := s.Get(ctx, f.screener.Actor, sc.ID)
			if err != nil || len(got.Answers) != 0 || got.Status != screening.StatusDraft {
				t.Errorf("after refused changes: %+v, %v; want the untouched draft", got, err)
			}
			list, total, err := s.List(ctx, f.outsider.Actor, screening.ListFilter{})
			if err != nil || total != 1 || len(list) != 1 || list[0].OrgID != f.outsider.OrgID {
				t.Errorf("list for B = %d of %d (%v), want only B's screening", len(list), total, err)
			}
			if _, _, err := s.List(ctx, f.analyst.Actor, screening.ListFilter{}); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("list by an analyst: %v, want forbidden", err)
			}
			denied := 0
			for _, a := range auditActions(t, f.env, sc.ID) {
				if a == "screening.evaluate/denied" {
					denied++
				}
			}
			if denied != 2*len(calls) {
				t.Errorf("%d refusals audited against the screening, want %d", denied, 2*len(calls))
			}
		})
	}
}

// TestStoreOwnRecords: a procurement officer, whose reach over screenings
// is their own records, finds and opens only the screenings they started,
// not those of their office's other staff; the coordinator of the same
// office finds both.
func TestStoreOwnRecords(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			f := newStoreFixture(t, env)
			ctx := context.Background()
			city := env.Org("City of Example", accounts.Municipality)
			officer := env.User("buyer", access.ProcurementOfficer, city)
			coordinator := env.User("coord", access.Coordinator, city)
			own, err := f.store.Create(ctx, officer.Actor, screening.Start{Setting: "procurement_site_check"})
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := f.store.Create(ctx, coordinator.Actor, screening.Start{Setting: "workplace_inspection"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.store.Get(ctx, officer.Actor, own.ID); err != nil {
				t.Errorf("officer opens their own screening: %v", err)
			}
			if _, err := f.store.Get(ctx, officer.Actor, theirs.ID); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("officer opens the coordinator's screening: %v, want not found", err)
			}
			if _, err := f.store.SaveAnswers(ctx, officer.Actor, theirs.ID, map[string]screening.Answer{"core.threats_violence": screening.Yes}); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("officer answers the coordinator's screening: %v, want not found", err)
			}
			list, total, err := f.store.List(ctx, officer.Actor, screening.ListFilter{})
			if err != nil || total != 1 || len(list) != 1 || list[0].ID != own.ID {
				t.Errorf("officer's list = %d of %d (%v), want only their own", len(list), total, err)
			}
			if _, total, err := f.store.List(ctx, coordinator.Actor, screening.ListFilter{}); err != nil || total != 2 {
				t.Errorf("coordinator's list = %d (%v), want both", total, err)
			}
		})
	}
}

// TestNoteLocalSigns: local signs are recorded with the local version, an
// ill-formed or oversized list is refused and stores nothing, and noting
// signs leaves a completed screening completed (they never change it).
func TestNoteLocalSigns(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newStoreFixture(t, apptest.Start(t, engine))
			ctx := context.Background()
			s := f.store
			sc, err := s.Create(ctx, f.screener.Actor, screening.Start{Setting: "farm", LocalVersion: 3})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Complete(ctx, f.screener.Actor, sc.ID); err != nil {
				t.Fatal(err)
			}
			many := make([]string, screening.MaxLocalSigns+1)
			for i := range many {
				many[i] = fmt.Sprintf("sign-%d", i)
			}
			for name, signs := range map[string][]string{"too many": many, "not an id": {"<script>"}} {
				if _, err := s.NoteLocalSigns(ctx, f.screener.Actor, sc.ID, 4, signs); !apperr.Is(err, apperr.Invalid) {
					t.Errorf("%s: err = %v, want invalid", name, err)
				}
			}
			if _, err := s.NoteLocalSigns(ctx, f.outsider.Actor, sc.ID, 4, []string{"a"}); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("another organisation: err = %v, want not found", err)
			}
			got, err := s.NoteLocalSigns(ctx, f.colleague.Actor, sc.ID, 4, []string{"b", "a", "b"})
			if err != nil {
				t.Fatal(err)
			}
			back, err := s.Get(ctx, f.screener.Actor, sc.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range []screening.Screening{got, back} {
				if !slices.Equal(g.LocalSigns, []string{"a", "b"}) || g.LocalVersion != 4 || g.Status != screening.StatusCompleted {
					t.Errorf("screening = signs %v version %d status %s, want [a b] at 4, completed", g.LocalSigns, g.LocalVersion, g.Status)
				}
			}
		})
	}
}

// A screening started with answers keeps them, checked against the
// catalogue; what the caller stores with it in the same transaction fails
// or succeeds with it.
func TestCreateWithAnswers(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newStoreFixture(t, apptest.Start(t, engine))
			ctx := context.Background()
			count := func() int {
				t.Helper()
				var n int
				if err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
					return tx.QueryRowContext(ctx, `SELECT count(*) FROM screenings`).Scan(&n)
				}); err != nil {
					t.Fatal(err)
				}
				return n
			}
			in := screening.Start{Setting: "procurement_site_check", Answers: map[string]screening.Answer{"core.documents_held": screening.Yes}}
			_, err := f.store.CreateWith(ctx, f.screener.Actor, in, func(*storage.Tx, screening.Screening) error { return errors.New("link failed") })
			if err == nil || count() != 0 {
				t.Fatalf("a failed link left %d screenings (err %v)", count(), err)
			}
			bad := in
			bad.Answers = map[string]screening.Answer{"core.no_such_question": screening.Yes}
			if _, err := f.store.Create(ctx, f.screener.Actor, bad); !apperr.Is(err, apperr.Invalid) || count() != 0 {
				t.Fatalf("an unknown question: %v, %d screenings", err, count())
			}
			linked := ""
			sc, err := f.store.CreateWith(ctx, f.screener.Actor, in, func(_ *storage.Tx, sc screening.Screening) error { linked = sc.ID; return nil })
			if err != nil || linked != sc.ID {
				t.Fatalf("create with answers: %v, linked %q", err, linked)
			}
			got, err := f.store.Get(ctx, f.screener.Actor, sc.ID)
			if err != nil || got.Answers["core.documents_held"] != screening.Yes || got.Status != screening.StatusDraft {
				t.Fatalf("stored screening %+v, %v", got, err)
			}
		})
	}
}
