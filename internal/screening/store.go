package screening

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// Statuses of a stored screening.
const (
	StatusDraft     = "draft"
	StatusCompleted = "completed"
)

// Screening is a stored screening: the setting, what is known of the age and
// the answers so far. It holds no name or other identifying data.
type Screening struct {
	ID               string
	OrgID            string
	CreatedBy        string
	Setting          string
	Age              Age
	Answers          map[string]Answer
	CatalogueVersion string
	Status           string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	CompletedAt      *time.Time
	// LocalVersion is the version of the city's local field guide the
	// screening was shown with (0: none); LocalSigns are the local signs
	// without a catalogue question that the worker noted. They are kept and
	// shown, and never change the result.
	LocalVersion int
	LocalSigns   []string
	// Prefills are the marks of answers filled in from another record,
	// standing and cleared, by question; read by Get and the changes, not
	// by List.
	Prefills []Prefill
}

// Input is the screening as engine input. Answers to indicators this
// catalogue no longer has are left out, so a screening started under an
// older catalogue version still evaluates.
func (s Screening) Input(c *Catalogue) Input {
	in := Input{Setting: s.Setting, Age: s.Age, Answers: make(map[string]Answer, len(s.Answers))}
	for id, a := range s.Answers {
		if _, ok := c.index[id]; ok && a.valid() {
			in.Answers[id] = a
		}
	}
	return in
}

// Start is what a new screening needs: the setting and the age, no name;
// and the version of the local field guide it is shown with.
type Start struct {
	Setting      string
	Age          Age
	LocalVersion int
	// Answers are filled in from the start: what another record (a site
	// check) already says about the person, for the screener to confirm.
	Answers map[string]Answer
	// From, when set, is that record: every answer is marked as
	// pre-filled from it until confirmed with the person or changed.
	From *Source
}

// Store keeps screenings in the database. Every method takes the acting
// user, asks the access policy for the organisation scope and puts it into
// its query; creating and completing a screening are audited in the same
// transaction, without the answers.
type Store struct {
	db    *storage.DB
	audit *audit.Log
	cat   *Catalogue
	now   func() time.Time
}

// NewStore returns a store over db that audits to log and validates answers
// against cat.
func NewStore(db *storage.DB, log *audit.Log, cat *Catalogue) *Store {
	return &Store{db: db, audit: log, cat: cat, now: storage.Now}
}

// Catalogue returns the newest catalogue, which new screenings use.
func (s *Store) Catalogue() *Catalogue { return s.cat }

// CatalogueOf returns the catalogue version a screening was started under,
// so it keeps its questions and its result.
func (s *Store) CatalogueOf(sc Screening) *Catalogue {
	if c, ok := s.cat.ForVersion(sc.CatalogueVersion); ok {
		return c
	}
	return s.cat
}

// Evaluate evaluates a screening by the rules of its own catalogue version.
func (s *Store) Evaluate(sc Screening) (*Catalogue, Result, error) {
	c := s.CatalogueOf(sc)
	res, err := c.Evaluate(sc.Input(c))
	if err != nil {
		return nil, Result{}, fmt.Errorf("evaluate screening %s: %w", sc.ID, err)
	}
	return c, res, nil
}

const screeningColumns = `id, org_id, created_by, setting, age_years, age_estimated, age_child_reasons,
	answers, catalogue_version, status, created_at, updated_at, completed_at, local_version, local_signs`

type scanner interface{ Scan(dest ...any) error }

func scanScreening(row scanner) (Screening, error) {
	var sc Screening
	var years sql.NullInt64
	var estimated, childReasons int
	var answers, signs string
	err := row.Scan(&sc.ID, &sc.OrgID, &sc.CreatedBy, &sc.Setting, &years, &estimated, &childReasons,
		&answers, &sc.CatalogueVersion, &sc.Status, &sc.CreatedAt, &sc.UpdatedAt, &sc.CompletedAt, &sc.LocalVersion, &signs)
	if err != nil {
		return Screening{}, err
	}
	if err := json.Unmarshal([]byte(signs), &sc.LocalSigns); err != nil {
		return Screening{}, fmt.Errorf("decode local signs of screening %s: %w", sc.ID, err)
	}
	if years.Valid {
		y := int(years.Int64)
		sc.Age.Years = &y
	}
	sc.Age.Estimated, sc.Age.ReasonsToBelieveChild = estimated != 0, childReasons != 0
	if err := json.Unmarshal([]byte(answers), &sc.Answers); err != nil {
		return Screening{}, fmt.Errorf("decode answers of screening %s: %w", sc.ID, err)
	}
	if sc.Answers == nil {
		sc.Answers = map[string]Answer{}
	}
	return sc, nil
}

// authorize asks the policy and audits a refusal.
func (s *Store) authorize(ctx context.Context, actor access.Actor, id string) (access.Scope, error) {
	scope, err := access.Authorize(actor, access.EvaluateScreening)
	if err != nil {
		return access.Scope{}, s.denied(ctx, actor, id, err)
	}
	return scope, nil
}

// denied records a refusal (or a record missing or out of scope, which
// look the same to the actor) in its own transaction, as the refused action
// never ran, and returns err.
func (s *Store) denied(ctx context.Context, actor access.Actor, id string, err error) error {
	return s.audit.Refused(ctx, s.db, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID,
		Action: string(access.EvaluateScreening), SubjectType: "screening", SubjectID: id}, err)
}

func (s *Store) record(ctx context.Context, tx *storage.Tx, actor access.Actor, action, outcome, id, orgID, detail string) error {
	_, err := s.audit.Append(ctx, tx, audit.Entry{
		ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: action, Outcome: outcome,
		SubjectType: "screening", SubjectID: id, SubjectOrgID: orgID, Detail: detail,
	})
	return err
}

// Create starts a draft screening in the actor's organisation.
func (s *Store) Create(ctx context.Context, actor access.Actor, in Start) (Screening, error) {
	return s.CreateWith(ctx, actor, in, nil)
}

// CreateWith is Create that also runs then in the transaction that
// stores the screening, so that a record linking to it (a site check's
// list of the screenings it started) is stored with it or not at all.
func (s *Store) CreateWith(ctx context.Context, actor access.Actor, in Start, then func(tx *storage.Tx, sc Screening) error) (Screening, error) {
	if _, err := s.authorize(ctx, actor, ""); err != nil {
		return Screening{}, err
	}
	if in.Setting == "" {
		return Screening{}, apperr.Validation(apperr.FieldError{Field: "setting", Key: "error.screening.setting_required"})
	}
	if err := s.cat.validate(Input{Setting: in.Setting, Age: in.Age, Answers: in.Answers}); err != nil {
		return Screening{}, err
	}
	now := s.now()
	sc := Screening{
		ID: uuid.Must(uuid.NewV7()).String(), OrgID: actor.OrgID, CreatedBy: actor.UserID,
		Setting: in.Setting, Age: in.Age, Answers: map[string]Answer{}, CatalogueVersion: s.cat.Version,
		Status: StatusDraft, CreatedAt: now, UpdatedAt: now, LocalVersion: max(in.LocalVersion, 0),
	}
	for k, a := range in.Answers {
		if a != "" {
			sc.Answers[k] = a
		}
	}
	answers, err := json.Marshal(sc.Answers)
	if err != nil {
		return Screening{}, fmt.Errorf("encode answers of a new screening: %w", err)
	}
	var years any
	if in.Age.Years != nil {
		years = *in.Age.Years
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO screenings (`+screeningColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13, '[]')`,
			sc.ID, sc.OrgID, sc.CreatedBy, sc.Setting, years, storage.Flag(in.Age.Estimated), storage.Flag(in.Age.ReasonsToBelieveChild),
			string(answers), sc.CatalogueVersion, sc.Status, now, now, sc.LocalVersion)
		if err != nil {
			return fmt.Errorf("insert screening: %w", storage.MapError(err))
		}
		if err := s.record(ctx, tx, actor, "screening.create", audit.Done, sc.ID, sc.OrgID, sc.Setting); err != nil {
			return err
		}
		if in.From != nil {
			if err := markPrefills(ctx, tx, &sc, *in.From, now); err != nil {
				return err
			}
		}
		if then != nil {
			return then(tx, sc)
		}
		return nil
	})
	if err != nil {
		return Screening{}, err
	}
	return sc, nil
}

func getScreening(ctx context.Context, tx *storage.Tx, scope access.Scope, id string, lock string) (Screening, error) {
	sc, err := scanScreening(tx.QueryRowContext(ctx, `SELECT `+screeningColumns+` FROM screenings
		WHERE id = $1 AND ($2 = '*' OR org_id = $2) AND ($3 = '*' OR created_by = $3)`+lock, id, scope.Org(), scope.Author()))
	if err != nil {
		return Screening{}, fmt.Errorf("load screening %s: %w", id, storage.MapError(err))
	}
	sc.Prefills, err = loadPrefills(ctx, tx, id)
	return sc, err
}

// Get returns one screening of the actor's organisation. A screening of
// another organisation is not found, and the attempt is audited.
func (s *Store) Get(ctx context.Context, actor access.Actor, id string) (Screening, error) {
	scope, err := s.authorize(ctx, actor, id)
	if err != nil {
		return Screening{}, err
	}
	var sc Screening
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		sc, err = getScreening(ctx, tx, scope, id, "")
		return err
	})
	if apperr.Is(err, apperr.NotFound) {
		return Screening{}, s.denied(ctx, actor, id, err)
	}
	return sc, err
}

// SaveAnswers merges answers into a screening's answers; an empty answer
// removes one (unanswered again). Changing a completed screening makes it
// a draft again, so its result is only ever shown as final for the answers
// it was completed with; the reopening is audited. A pre-filled answer
// changed loses its mark.
func (s *Store) SaveAnswers(ctx context.Context, actor access.Actor, id string, answers map[string]Answer) (Screening, error) {
	return s.SaveConfirmed(ctx, actor, id, answers, nil)
}

// SaveConfirmed is SaveAnswers that also clears the marks of the
// pre-filled answers named in confirmed (question ids): the screener asked
// the person and the answer stands. Saving the pre-filled answer again
// without naming it leaves the mark, so a page merely sent on confirms
// nothing. Clearing marks alone keeps the status and the result; it is
// audited with the numbers confirmed and changed.
func (s *Store) SaveConfirmed(ctx context.Context, actor access.Actor, id string, answers map[string]Answer, confirmed []string) (Screening, error) {
	scope, err := s.authorize(ctx, actor, id)
	if err != nil {
		return Screening{}, err
	}
	confirm := map[string]bool{}
	for _, q := range confirmed {
		if _, ok := s.cat.Indicator(q); !ok {
			return Screening{}, apperr.Validation(apperr.FieldError{Field: "confirm", Key: "error.screening.confirm_unknown"})
		}
		confirm[q] = true
	}
	set := map[string]Answer{}
	var clear []string
	for k, a := range answers {
		if a == "" {
			clear = append(clear, k)
			continue
		}
		set[k] = a
	}
	var sc Screening
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		sc, err = getScreening(ctx, tx, scope, id, tx.ForUpdate())
		if err != nil {
			return err
		}
		// Answers are checked against the questions of the screening's own
		// catalogue version, so a draft begun under an older one goes on.
		if err := s.CatalogueOf(sc).validate(Input{Age: sc.Age, Answers: set}); err != nil {
			return err
		}
		changed := false
		for k, a := range set {
			if sc.Answers[k] != a {
				sc.Answers[k], changed = a, true
			}
		}
		for _, k := range clear {
			if _, ok := sc.Answers[k]; ok {
				delete(sc.Answers, k)
				changed = true
			}
		}
		now := s.now()
		nConfirmed, nChanged, err := resolvePrefills(ctx, tx, &sc, confirm, actor.UserID, now)
		if err != nil {
			return err
		}
		if nConfirmed+nChanged > 0 {
			if err := s.record(ctx, tx, actor, "screening.prefill.clear", audit.Done, id, sc.OrgID,
				fmt.Sprintf("confirmed=%d changed=%d", nConfirmed, nChanged)); err != nil {
				return err
			}
		}
		if !changed {
			return nil
		}
		b, err := json.Marshal(sc.Answers)
		if err != nil {
			return fmt.Errorf("encode answers of screening %s: %w", id, err)
		}
		reopened := sc.Status == StatusCompleted
		sc.Status, sc.CompletedAt, sc.UpdatedAt = StatusDraft, nil, now
		if _, err := tx.ExecContext(ctx, `UPDATE screenings SET answers = $1, status = $2, completed_at = NULL, updated_at = $3
			WHERE id = $4 AND ($5 = '*' OR org_id = $5)`, string(b), sc.Status, sc.UpdatedAt, id, scope.Org()); err != nil {
			return fmt.Errorf("save answers of screening %s: %w", id, storage.MapError(err))
		}
		if reopened {
			return s.record(ctx, tx, actor, "screening.reopen", audit.Done, id, sc.OrgID, "")
		}
		return nil
	})
	if apperr.Is(err, apperr.NotFound) {
		return Screening{}, s.denied(ctx, actor, id, err)
	}
	return sc, err
}

// MaxLocalSigns is the most local signs one screening can note.
const MaxLocalSigns = 50

// NoteLocalSigns replaces the local signs a worker noted on a screening,
// with the version of the local field guide they were shown from. The caller
// checks that the ids are current local signs without a question; here they
// must look like ids. Signs never change the result, so a completed
// screening stays completed; the change is audited (the count, not the ids).
func (s *Store) NoteLocalSigns(ctx context.Context, actor access.Actor, id string, version int, signs []string) (Screening, error) {
	scope, err := s.authorize(ctx, actor, id)
	if err != nil {
		return Screening{}, err
	}
	signs = slices.Compact(slices.Sorted(slices.Values(signs)))
	if len(signs) > MaxLocalSigns || version < 0 || slices.ContainsFunc(signs, func(x string) bool { return !signID.MatchString(x) }) {
		return Screening{}, apperr.Validation(apperr.FieldError{Field: "local_signs", Key: "error.screening.local_signs"})
	}
	b, err := json.Marshal(signs)
	if err != nil {
		return Screening{}, fmt.Errorf("encode local signs: %w", err)
	}
	var sc Screening
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		sc, err = getScreening(ctx, tx, scope, id, tx.ForUpdate())
		if err != nil {
			return err
		}
		if slices.Equal(sc.LocalSigns, signs) && sc.LocalVersion == version {
			return nil
		}
		sc.LocalSigns, sc.LocalVersion, sc.UpdatedAt = signs, version, s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE screenings SET local_signs = $1, local_version = $2, updated_at = $3
			WHERE id = $4 AND ($5 = '*' OR org_id = $5)`, string(b), version, sc.UpdatedAt, id, scope.Org()); err != nil {
			return fmt.Errorf("save local signs of screening %s: %w", id, storage.MapError(err))
		}
		return s.record(ctx, tx, actor, "screening.local_signs", audit.Done, id, sc.OrgID, "")
	})
	if apperr.Is(err, apperr.NotFound) {
		return Screening{}, s.denied(ctx, actor, id, err)
	}
	return sc, err
}

// signID is the shape of a local sign id.
var signID = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

// Complete marks a screening completed; unanswered questions stay unknown.
// Completing an already completed screening changes nothing.
func (s *Store) Complete(ctx context.Context, actor access.Actor, id string) (Screening, error) {
	scope, err := s.authorize(ctx, actor, id)
	if err != nil {
		return Screening{}, err
	}
	var sc Screening
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		sc, err = getScreening(ctx, tx, scope, id, tx.ForUpdate())
		if err != nil || sc.Status == StatusCompleted {
			return err
		}
		now := s.now()
		sc.Status, sc.CompletedAt, sc.UpdatedAt = StatusCompleted, &now, now
		if _, err := tx.ExecContext(ctx, `UPDATE screenings SET status = $1, completed_at = $2, updated_at = $2
			WHERE id = $3 AND ($4 = '*' OR org_id = $4)`, sc.Status, now, id, scope.Org()); err != nil {
			return fmt.Errorf("complete screening %s: %w", id, storage.MapError(err))
		}
		return s.record(ctx, tx, actor, "screening.complete", audit.Done, id, sc.OrgID, sc.CatalogueVersion)
	})
	if apperr.Is(err, apperr.NotFound) {
		return Screening{}, s.denied(ctx, actor, id, err)
	}
	return sc, err
}

// ListFilter pages through the screenings of a list.
type ListFilter struct {
	Limit  int // at most MaxList; 0 means MaxList
	Offset int
}

// MaxList is the most screenings one List call returns.
const MaxList = 200

// List returns the screenings of the actor's organisation, most recently
// changed first, and how many there are in all.
func (s *Store) List(ctx context.Context, actor access.Actor, f ListFilter) ([]Screening, int, error) {
	scope, err := s.authorize(ctx, actor, "")
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > MaxList {
		f.Limit = MaxList
	}
	f.Offset = max(f.Offset, 0)
	var out []Screening
	var total int
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM screenings WHERE ($1 = '*' OR org_id = $1) AND ($2 = '*' OR created_by = $2)`,
			scope.Org(), scope.Author()).Scan(&total); err != nil {
			return fmt.Errorf("count screenings: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+screeningColumns+` FROM screenings
			WHERE ($1 = '*' OR org_id = $1) AND ($4 = '*' OR created_by = $4) ORDER BY updated_at DESC, id DESC LIMIT $2 OFFSET $3`,
			scope.Org(), f.Limit, f.Offset, scope.Author())
		if err != nil {
			return fmt.Errorf("list screenings: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			sc, err := scanScreening(rows)
			if err != nil {
				return fmt.Errorf("scan screening: %w", err)
			}
			out = append(out, sc)
		}
		return rows.Err()
	})
	return out, total, err
}
