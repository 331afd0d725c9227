package fieldguide_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/apperr/apperrtest"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/fieldguide"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// Catalogue ids the tests name, taken from the newest catalogue (whichever
// version it is): two of its questions and one of its places.
var questionDebt, questionDanger, catalogueSite string

// fixture is the service on a fresh database with an organisation whose
// coordinator, administrator and case worker act.
type fixture struct {
	db          *storage.DB
	log         *audit.Log
	svc         *fieldguide.Service
	coordinator access.Actor
	admin       access.Actor
	caseworker  access.Actor
}

func newFixture(t *testing.T, db *storage.DB) *fixture {
	t.Helper()
	c, err := screening.LoadCatalogue()
	if err != nil {
		t.Fatalf("load catalogue: %v", err)
	}
	if len(c.Indicators) < 2 || len(c.FieldGuide) == 0 {
		t.Fatalf("catalogue %s has fewer than two questions or no place", c.Version)
	}
	questionDebt, questionDanger, catalogueSite = c.Indicators[0].ID, c.Indicators[1].ID, c.FieldGuide[0].ID
	skey, vkey, err := note.GenerateKey(rand.Reader, "waymark-fieldguide-test")
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
	f.svc = fieldguide.New(fieldguide.Deps{DB: db, Audit: f.log, Catalogue: c})
	org := f.insert(t, `INSERT INTO organisations (id, name, kind, created_at) VALUES ($1, 'City Human Rights Office', 'municipality', $2)`, "org-city")
	f.coordinator = access.Actor{UserID: f.user(t, org, "coordinator", access.Coordinator), OrgID: org, Role: access.Coordinator}
	f.admin = access.Actor{UserID: f.user(t, org, "admin", access.Administrator), OrgID: org, Role: access.Administrator}
	f.caseworker = access.Actor{UserID: f.user(t, org, "caseworker", access.CaseWorker), OrgID: org, Role: access.CaseWorker}
	return f
}

func (f *fixture) insert(t *testing.T, q, id string) string {
	t.Helper()
	err := f.db.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.ExecContext(context.Background(), q, id, storage.Now())
		return err
	})
	if err != nil {
		t.Fatalf("insert %s: %v", id, err)
	}
	return id
}

func (f *fixture) user(t *testing.T, org, username string, role access.Role) string {
	t.Helper()
	err := f.db.Write(context.Background(), func(tx *storage.Tx) error {
		now := storage.Now()
		_, err := tx.ExecContext(context.Background(), `INSERT INTO users
			(id, org_id, username, role, password_hash, password_changed_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'unused', $5, $5, $5)`, "user-"+username, org, username, string(role), now)
		return err
	})
	if err != nil {
		t.Fatalf("insert user %s: %v", username, err)
	}
	return "user-" + username
}

// stored counts the rows of the local field guide tables and returns the
// version counter.
func (f *fixture) stored(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var out []string
	err := f.db.Read(ctx, func(tx *storage.Tx) error {
		for _, q := range []string{`SELECT version FROM fieldguide_head`, `SELECT count(*) FROM fieldguide_versions`,
			`SELECT count(*) FROM fieldguide_places`, `SELECT count(*) FROM fieldguide_signs`} {
			var n int
			if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
				return err
			}
			out = append(out, fmt.Sprint(n))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	return strings.Join(out, "/")
}

func (f *fixture) entries(t *testing.T, filter audit.Filter) []audit.Entry {
	t.Helper()
	filter.Limit = audit.MaxLimit
	entries, _, err := f.log.List(context.Background(), f.db, access.SystemScope(), filter)
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	return entries
}

var minutes = fieldguide.Note{Citation: "Working group meeting 2026-11-12, minutes §4", Reason: "Seen in three inspections this autumn."}

func debtSign() fieldguide.SignInput {
	return fieldguide.SignInput{SignText: fieldguide.SignText{
		Label:      fieldguide.Localized{"en": "Pays a 'room fee' to the foreman", "de": "Zahlt dem Vorarbeiter eine „Zimmergebühr“"},
		Hint:       fieldguide.Localized{"en": "Ask who they pay for the bed, and how much is left."},
		QuestionID: questionDebt, PlaceID: catalogueSite,
	}, Note: minutes}
}

func TestSignVersionsAndHistory(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		before := time.Now().UTC().Add(-time.Minute)

		g, err := f.svc.AddSign(ctx, f.coordinator, debtSign())
		if err != nil {
			t.Fatalf("add sign: %v", err)
		}
		if !g.Counts || g.QuestionID != questionDebt || g.Added.Version != 1 || g.Latest.Version != 1 {
			t.Errorf("added sign %+v, want counting through %s at version 1", g, questionDebt)
		}
		src := g.Added
		if src.Action != fieldguide.Added || src.Username != "coordinator" || src.OrgName != "City Human Rights Office" ||
			src.Citation != minutes.Citation || src.Reason != minutes.Reason || src.At.Before(before) || src.CatalogueVersion == "" {
			t.Errorf("source %+v does not cite who added the sign, when and why", src)
		}

		changed := debtSign()
		changed.Label["en"] = "Pays a bed fee to the foreman"
		changed.Note = fieldguide.Note{Citation: "Working group meeting 2026-12-03, minutes §2", Reason: "Clearer wording."}
		g, err = f.svc.ChangeSign(ctx, f.coordinator, g.ID, changed)
		if err != nil {
			t.Fatalf("change sign: %v", err)
		}
		if g.Added.Version != 1 || g.Latest.Version != 2 || g.Latest.Action != fieldguide.Changed || g.Label["en"] != "Pays a bed fee to the foreman" {
			t.Errorf("changed sign %+v, want added at 1, changed at 2", g)
		}
		if _, err := f.svc.ChangeSign(ctx, f.coordinator, g.ID, changed); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a change to the same texts: err = %v, want invalid (unchanged)", err)
		}

		_, hist, err := f.svc.History(ctx, f.coordinator)
		if err != nil {
			t.Fatalf("history: %v", err)
		}
		if len(hist) != 2 || hist[0].Version != 2 || hist[1].Version != 1 ||
			hist[1].Sign.Label["en"] != "Pays a 'room fee' to the foreman" || hist[0].Citation != changed.Citation {
			t.Errorf("history %+v, want both versions, newest first, each with its own text and citation", hist)
		}

		retire := fieldguide.Note{Citation: "Working group meeting 2027-01-10", Reason: "The site closed."}
		if err := f.svc.Retire(ctx, f.coordinator, fieldguide.KindSign, g.ID, retire); err != nil {
			t.Fatalf("retire: %v", err)
		}
		cur, err := f.svc.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Version != 3 || len(cur.Signs) != 0 {
			t.Errorf("after retiring: version %d, signs %+v; want version 3 and no sign", cur.Version, cur.Signs)
		}
		_, all, err := f.svc.History(ctx, f.coordinator)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 || all[0].Action != fieldguide.Retired || all[0].Sign == nil || all[0].Sign.Label["en"] != "Pays a bed fee to the foreman" {
			t.Errorf("history %+v, want the retirement first, naming the sign it retired", all)
		}
		if err := f.svc.Retire(ctx, f.coordinator, fieldguide.KindSign, g.ID, retire); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("retiring twice: err = %v, want not found", err)
		}
		if _, err := f.svc.ChangeSign(ctx, f.coordinator, g.ID, debtSign()); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("changing a retired sign: err = %v, want not found", err)
		}

		var got []string
		for _, e := range f.entries(t, audit.Filter{SubjectID: g.ID}) {
			got = append(got, e.Action+"/"+e.Outcome+"/"+e.Detail)
		}
		want := []string{"fieldguide.retire/done/version=3", "fieldguide.change/done/version=2", "fieldguide.add/done/version=1"}
		if !slices.Equal(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}
	})
}

func TestPlacesMarksAndWhereSignsShow(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		p, err := f.svc.AddPlace(ctx, f.admin, fieldguide.PlaceInput{PlaceText: fieldguide.PlaceText{
			Name:    fieldguide.Localized{"de": "Spargelfelder am Nordufer"},
			Where:   fieldguide.Localized{"en": "Farms north of the river, April to June."},
			LookFor: map[string][]string{"en": {"  Minibuses at dawn ", "", "Workers housed in containers"}},
			Area:    "Riverton North",
		}, Note: minutes})
		if err != nil {
			t.Fatalf("add place: %v", err)
		}
		if name, lang := p.Name.In("en"); name != "Spargelfelder am Nordufer" || lang != "de" {
			t.Errorf("a German-only name in English = %q (%s), want the German text marked as German", name, lang)
		}
		if got := p.LookFor["en"]; !slices.Equal(got, []string{"Minibuses at dawn", "Workers housed in containers"}) {
			t.Errorf("look for = %q, want trimmed entries without the empty one", got)
		}

		local := debtSign()
		local.PlaceID, local.QuestionID = p.ID, ""
		unmapped, err := f.svc.AddSign(ctx, f.coordinator, local)
		if err != nil {
			t.Fatalf("add unmapped sign: %v", err)
		}
		if unmapped.Counts {
			t.Error("a sign without a question counts; it must only be shown and recorded")
		}
		mapped, err := f.svc.AddSign(ctx, f.coordinator, debtSign())
		if err != nil {
			t.Fatalf("add mapped sign: %v", err)
		}

		if _, err := f.svc.MarkQuestion(ctx, f.coordinator, fieldguide.MarkInput{QuestionID: questionDanger, Note: minutes}); err != nil {
			t.Fatalf("mark: %v", err)
		}
		if _, err := f.svc.MarkQuestion(ctx, f.coordinator, fieldguide.MarkInput{QuestionID: questionDanger, Note: minutes}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("marking again with the same reason: err = %v, want invalid (unchanged)", err)
		}
		again := fieldguide.Note{Citation: "Police briefing 2026-12-01", Reason: "Two workers were beaten at the site."}
		m, err := f.svc.MarkQuestion(ctx, f.coordinator, fieldguide.MarkInput{QuestionID: questionDanger, Note: again})
		if err != nil {
			t.Fatalf("mark with a new reason: %v", err)
		}
		if m.Reason != again.Reason || m.Latest.Action != fieldguide.Changed || m.Added.Version != 4 || !m.Known {
			t.Errorf("re-marked %+v, want the new reason as a change of the mark added at version 4", m)
		}
		if err := f.svc.Retire(ctx, f.coordinator, fieldguide.KindMark, questionDanger, again); err != nil {
			t.Fatalf("retire mark: %v", err)
		}
		m, err = f.svc.MarkQuestion(ctx, f.coordinator, fieldguide.MarkInput{QuestionID: questionDanger, Note: minutes})
		if err != nil {
			t.Fatalf("mark again after retiring: %v", err)
		}
		if m.Added.Version != 7 || m.Latest.Version != 7 {
			t.Errorf("a question marked anew %+v, want added at version 7", m)
		}

		cur, err := f.svc.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Version != 7 || len(cur.Places) != 1 || len(cur.Signs) != 2 || len(cur.Marks) != 1 {
			t.Fatalf("current %+v, want version 7 with one place, two signs, one mark", cur)
		}
		ids := func(signs []fieldguide.Sign) []string {
			var out []string
			for _, s := range signs {
				out = append(out, s.ID)
			}
			return out
		}
		if got := ids(cur.SignsAt(p.ID, nil)); !slices.Equal(got, []string{unmapped.ID}) {
			t.Errorf("signs at the local place = %v, want the one placed there", got)
		}
		if got := ids(cur.SignsAt("another-place", []string{questionDebt})); !slices.Equal(got, []string{mapped.ID}) {
			t.Errorf("signs where %s is asked = %v, want the one counted through it", questionDebt, got)
		}

		// A sign placed at a retired place cannot be added, nor moved there.
		if err := f.svc.Retire(ctx, f.coordinator, fieldguide.KindPlace, p.ID, again); err != nil {
			t.Fatalf("retire place: %v", err)
		}
		_, err = f.svc.AddSign(ctx, f.coordinator, local)
		apperrtest.Want(t, "sign at a retired place", err, apperr.Invalid, "place")
	})
}

// TestRefusedInputStoresNothing feeds every kind of bad input and checks
// that each is refused at its field with a message in every staff language,
// and that nothing was stored, not even a version number.
func TestRefusedInputStoresNothing(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		sign := func(edit func(*fieldguide.SignInput)) error {
			in := debtSign()
			edit(&in)
			_, err := f.svc.AddSign(ctx, f.coordinator, in)
			return err
		}
		place := func(edit func(*fieldguide.PlaceInput)) error {
			in := fieldguide.PlaceInput{PlaceText: fieldguide.PlaceText{Name: fieldguide.Localized{"en": "Car wash on Mill Road"}}, Note: minutes}
			edit(&in)
			_, err := f.svc.AddPlace(ctx, f.coordinator, in)
			return err
		}
		tests := []struct {
			name  string
			err   error
			field string
			key   string
		}{
			{"unknown question", sign(func(in *fieldguide.SignInput) { in.QuestionID = "gen.no_such_question" }), "question", "error.fieldguide.unknown_question"},
			{"empty label", sign(func(in *fieldguide.SignInput) { in.Label = fieldguide.Localized{"en": "   "} }), "label_en", "error.fieldguide.label_required"},
			{"label too long", sign(func(in *fieldguide.SignInput) { in.Label["de"] = strings.Repeat("x", 201) }), "label_de", "error.fieldguide.too_long"},
			{"control character", sign(func(in *fieldguide.SignInput) { in.Label["en"] = "bell\a" }), "label_en", "error.fieldguide.bad_text"},
			{"missing citation", sign(func(in *fieldguide.SignInput) { in.Citation = " " }), "citation", "error.fieldguide.citation_required"},
			{"missing reason", sign(func(in *fieldguide.SignInput) { in.Reason = "" }), "reason", "error.fieldguide.reason_required"},
			{"unknown place", sign(func(in *fieldguide.SignInput) { in.PlaceID = "no-such-place" }), "place", "error.fieldguide.unknown_place"},
			{"place without name", place(func(in *fieldguide.PlaceInput) { in.Name = nil }), "name_en", "error.fieldguide.name_required"},
			{"too many look-for entries", place(func(in *fieldguide.PlaceInput) {
				in.LookFor = map[string][]string{"de": slices.Repeat([]string{"Zeichen"}, 21)}
			}), "look_for_de", "error.fieldguide.look_for_too_many"},
			{"citation too long", place(func(in *fieldguide.PlaceInput) { in.Citation = strings.Repeat("§", 501) }), "citation", "error.fieldguide.too_long"},
			{"mark of an unknown question", func() error {
				_, err := f.svc.MarkQuestion(ctx, f.coordinator, fieldguide.MarkInput{QuestionID: "lab.gone", Note: minutes})
				return err
			}(), "question", "error.fieldguide.unknown_question"},
			{"mark without question", func() error {
				_, err := f.svc.MarkQuestion(ctx, f.coordinator, fieldguide.MarkInput{Note: minutes})
				return err
			}(), "question", "error.fieldguide.question_required"},
			{"retire without citation", f.svc.Retire(ctx, f.coordinator, fieldguide.KindMark, questionDanger, fieldguide.Note{Reason: "x"}), "citation", "error.fieldguide.citation_required"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				apperrtest.Want(t, tt.name, tt.err, apperr.Invalid, tt.field)
				var key string
				for _, fe := range apperr.As(tt.err).Fields {
					if fe.Field == tt.field {
						key = fe.Key
					}
				}
				if key != tt.key {
					t.Errorf("message key %q, want %q", key, tt.key)
				}
				for _, l := range cat.Languages() {
					if !cat.For(l.Tag).Has(key) {
						t.Errorf("%s has no message %s", l.Tag, key)
					}
				}
			})
		}
		for _, k := range []string{"error.fieldguide.unchanged", "error.not_found"} {
			for _, l := range cat.Languages() {
				if !cat.For(l.Tag).Has(k) {
					t.Errorf("%s has no message %s", l.Tag, k)
				}
			}
		}
		if err := f.svc.Retire(ctx, f.coordinator, fieldguide.KindMark, questionDanger, minutes); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("retiring a question never marked: err = %v, want not found", err)
		}
		if got := f.stored(t); got != "0/0/0/0" {
			t.Errorf("refused input stored something: head/versions/places/signs = %s", got)
		}
	})
}

func TestOnlyCoordinatorsAndAdministratorsChange(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		_, err := f.svc.AddSign(ctx, f.caseworker, debtSign())
		apperrtest.Want(t, "case worker adds a sign", err, apperr.Forbidden, "")
		_, _, err = f.svc.History(ctx, f.caseworker)
		apperrtest.Want(t, "case worker reads the history", err, apperr.Forbidden, "")
		if got := f.stored(t); got != "0/0/0/0" {
			t.Errorf("a refused change stored something: %s", got)
		}
		denied := f.entries(t, audit.Filter{ActorUserID: f.caseworker.UserID, Outcome: audit.Denied})
		if len(denied) != 2 || denied[1].Action != string(access.ManageLocalGuide) || denied[1].SubjectType != "fieldguide_sign" {
			t.Errorf("denied entries %+v, want both refusals audited", denied)
		}
		// Reading the current set needs no permission: it is part of the guide.
		if _, err := f.svc.Current(ctx); err != nil {
			t.Errorf("current: %v", err)
		}
	})
}

// TestConcurrentChangesAreNumberedWithoutGaps: the version counter is one
// locked row, so simultaneous changes get 1…n, each once.
func TestConcurrentChangesAreNumberedWithoutGaps(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		const n = 8
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				in := debtSign()
				in.Label = fieldguide.Localized{"en": fmt.Sprintf("Sign %d", i)}
				_, err := f.svc.AddSign(context.Background(), f.coordinator, in)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent add: %v", err)
			}
		}
		cur, err := f.svc.Current(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var versions []int
		for _, s := range cur.Signs {
			versions = append(versions, s.Added.Version)
		}
		if cur.Version != n || !slices.Equal(versions, []int{1, 2, 3, 4, 5, 6, 7, 8}) {
			t.Errorf("version %d, sign versions %v; want 1…%d", cur.Version, versions, n)
		}
	})
}
