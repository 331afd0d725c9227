package mapping

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Statuses of a round.
const (
	Draft  = "draft"
	Open   = "open"
	Closed = "closed"
)

// Round is a mapping round.
type Round struct {
	ID     string
	Title  string
	Status string
	// Areas are the area codes the round covers; none is the whole city.
	Areas       []string
	PeriodStart string // YYYY-MM-DD
	PeriodEnd   string
	CreatedAt   time.Time
	OpenedAt    *time.Time
	ClosedAt    *time.Time
	// Questionnaires are the questionnaires the round asks.
	Questionnaires []Questionnaire
	// Responses counts the answered questionnaires.
	Responses int
	// revisions count the changes to each questionnaire's responses and
	// reviewed free text in this round, by questionnaire id.
	revisions map[string]revision
}

// revision counts the changes to a questionnaire's responses and to its
// reviewed free text in a round (migration 0040): what the sums, places
// and reports kept in memory are checked against.
type revision struct{ responses, texts int64 }

// Asks reports whether the round asks questionnaire id.
func (r Round) Asks(id string) bool {
	return slices.ContainsFunc(r.Questionnaires, func(q Questionnaire) bool { return q.ID == id })
}

// RoundInput is the form of a new round.
type RoundInput struct {
	Title            string
	QuestionnaireIDs []string
	Areas            []string
	PeriodStart      string
	PeriodEnd        string
	// Open opens the round at once; otherwise it stays a draft.
	Open bool
}

const maxTitle = 200

func (s *Service) checkRound(ctx context.Context, in *RoundInput) (fields, error) {
	var fe fields
	in.Title = strings.TrimSpace(in.Title)
	in.PeriodStart, in.PeriodEnd = strings.TrimSpace(in.PeriodStart), strings.TrimSpace(in.PeriodEnd)
	in.QuestionnaireIDs = cleanIDs(in.QuestionnaireIDs)
	// Area codes are the city's own, case and spaces included.
	in.Areas = cleanIDs(in.Areas)
	if in.Title == "" || tooLong(in.Title, maxTitle) {
		fe.bad("title", "mapping.error.title")
	}
	if len(in.QuestionnaireIDs) == 0 || len(in.QuestionnaireIDs) > 20 {
		fe.bad("questionnaires", "mapping.error.questionnaires")
	}
	start, errStart := time.Parse(time.DateOnly, in.PeriodStart)
	end, errEnd := time.Parse(time.DateOnly, in.PeriodEnd)
	switch {
	case errStart != nil:
		fe.bad("period_start", "mapping.error.date")
	case errEnd != nil:
		fe.bad("period_end", "mapping.error.date")
	case end.Before(start):
		fe.bad("period_end", "mapping.error.period")
	}
	if len(in.Areas) > 0 {
		known, err := s.areasIn(ctx, nil)
		if err != nil {
			return nil, err
		}
		for _, c := range in.Areas {
			if !slices.ContainsFunc(known, func(a Area) bool { return a.Code == c }) {
				fe.bad("areas", "mapping.error.area")
				break
			}
		}
	}
	return fe, nil
}

func cleanIDs(in []string) []string {
	out := []string{}
	for _, v := range in {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) && !tooLong(v, 100) {
			out = append(out, v)
		}
	}
	return out
}

// CreateRound creates a mapping round, open at once when in.Open.
func (s *Service) CreateRound(ctx context.Context, actor access.Actor, in RoundInput) (Round, error) {
	return s.createRound(ctx, actor, newID(), in)
}

// CreateRoundWithID is CreateRound under a chosen id: the demo's rounds
// have ids that other demo records (the plan's findings) point at.
func (s *Service) CreateRoundWithID(ctx context.Context, actor access.Actor, id string, in RoundInput) (Round, error) {
	if !code.MatchString(id) {
		return Round{}, apperr.Validation(apperr.FieldError{Field: "id", Key: "mapping.error.round_id"})
	}
	return s.createRound(ctx, actor, id, in)
}

func (s *Service) createRound(ctx context.Context, actor access.Actor, id string, in RoundInput) (Round, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageMapping, "mapping_round", ""); err != nil {
		return Round{}, err
	}
	fe, err := s.checkRound(ctx, &in)
	if err != nil {
		return Round{}, err
	}
	if err := fe.err(); err != nil {
		return Round{}, err
	}
	now := s.now()
	status := Draft
	var opened *time.Time
	if in.Open {
		status, opened = Open, &now
	}
	areas, _ := json.Marshal(in.Areas)
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		for _, q := range in.QuestionnaireIDs {
			if _, err := getQuestionnaire(ctx, tx, q); err != nil {
				if apperr.Is(err, apperr.NotFound) {
					return apperr.Validation(apperr.FieldError{Field: "questionnaires", Key: "mapping.error.questionnaires"})
				}
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mapping_rounds (id, title, status, areas, period_start, period_end, created_by, created_at, opened_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id, in.Title, status, string(areas), in.PeriodStart, in.PeriodEnd, actor.UserID, now, opened); err != nil {
			return fmt.Errorf("store round: %w", storage.MapError(err))
		}
		for _, q := range in.QuestionnaireIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mapping_round_questionnaires (round_id, questionnaire_id) VALUES ($1, $2)`, id, q); err != nil {
				return fmt.Errorf("store round questionnaire: %w", err)
			}
		}
		return s.log(ctx, tx, actor, "round_create", "mapping_round", id, status)
	})
	if err != nil {
		return Round{}, err
	}
	return s.Round(ctx, actor, id)
}

// OpenRound opens a draft round for answers.
func (s *Service) OpenRound(ctx context.Context, actor access.Actor, id string) error {
	return s.moveRound(ctx, actor, id, Draft, Open, "round_open", "opened_at")
}

// CloseRound closes an open round: no more answers are taken.
func (s *Service) CloseRound(ctx context.Context, actor access.Actor, id string) error {
	return s.moveRound(ctx, actor, id, Open, Closed, "round_close", "closed_at")
}

func (s *Service) moveRound(ctx context.Context, actor access.Actor, id, from, to, action, column string) error {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageMapping, "mapping_round", id); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM mapping_rounds WHERE id = $1`+tx.ForUpdate(), id).Scan(&status); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.New(apperr.NotFound, "mapping.error.no_round")
			}
			return fmt.Errorf("load round %s: %w", id, err)
		}
		if status != from {
			return apperr.New(apperr.Conflict, "mapping.error.round_"+status)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mapping_rounds SET status = $1, `+column+` = $2 WHERE id = $3`, to, s.now(), id); err != nil {
			return fmt.Errorf("move round %s: %w", id, err)
		}
		return s.log(ctx, tx, actor, action, "mapping_round", id, to)
	})
}

// seesRounds reports whether actor may list rounds: those who run the
// mapping and those who read any of its results.
func seesRounds(actor access.Actor) bool {
	return access.Can(actor, access.ManageMapping) || access.Can(actor, access.ViewMappingReport) || access.Can(actor, access.ViewMappingRestricted)
}

func (s *Service) mayListRounds(ctx context.Context, actor access.Actor, id string) error {
	if seesRounds(actor) {
		return nil
	}
	_, err := s.gate.Authorize(ctx, actor, access.ViewMappingReport, "mapping_round", id)
	return err
}

const roundColumns = `r.id, r.title, r.status, r.areas, r.period_start, r.period_end, r.created_at, r.opened_at, r.closed_at,
	(SELECT COUNT(*) FROM mapping_responses p WHERE p.round_id = r.id)`

func scanRound(row interface{ Scan(...any) error }) (Round, error) {
	var r Round
	var areas string
	if err := row.Scan(&r.ID, &r.Title, &r.Status, &areas, &r.PeriodStart, &r.PeriodEnd, &r.CreatedAt, &r.OpenedAt, &r.ClosedAt, &r.Responses); err != nil {
		return Round{}, err
	}
	if err := json.Unmarshal([]byte(areas), &r.Areas); err != nil {
		return Round{}, fmt.Errorf("decode areas of round %s: %w", r.ID, err)
	}
	return r, nil
}

func getRound(ctx context.Context, tx *storage.Tx, id string) (Round, error) {
	r, err := scanRound(tx.QueryRowContext(ctx, `SELECT `+roundColumns+` FROM mapping_rounds r WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Round{}, apperr.New(apperr.NotFound, "mapping.error.no_round")
	}
	if err != nil {
		return Round{}, fmt.Errorf("load round %s: %w", id, err)
	}
	r.Questionnaires, r.revisions, err = roundQuestionnaires(ctx, tx, id)
	return r, err
}

func roundQuestionnaires(ctx context.Context, tx *storage.Tx, id string) ([]Questionnaire, map[string]revision, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+questionnaireColumns+`, rq.responses_revision, rq.texts_revision`+questionnaireFrom+`
		JOIN mapping_round_questionnaires rq ON rq.questionnaire_id = q.id WHERE rq.round_id = $1 ORDER BY q.title, q.id`, id)
	if err != nil {
		return nil, nil, fmt.Errorf("load questionnaires of round %s: %w", id, err)
	}
	defer rows.Close()
	var out []Questionnaire
	revisions := map[string]revision{}
	for rows.Next() {
		var rev revision
		q, err := scanQuestionnaire(withColumns{rows, []any{&rev.responses, &rev.texts}})
		if err != nil {
			return nil, nil, fmt.Errorf("scan questionnaire: %w", err)
		}
		out = append(out, q)
		revisions[q.ID] = rev
	}
	return out, revisions, rows.Err()
}

// withColumns scans a row's first columns into what its caller names and
// the columns after them into more.
type withColumns struct {
	row  interface{ Scan(...any) error }
	more []any
}

func (w withColumns) Scan(dest ...any) error { return w.row.Scan(append(dest, w.more...)...) }

// bump counts a change to a round's responses to a questionnaire
// (column responses_revision) or to their reviewed free text
// (texts_revision), in the transaction that makes it.
func bump(ctx context.Context, tx *storage.Tx, column, roundID, qID string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE mapping_round_questionnaires SET `+column+` = `+column+` + 1
		WHERE round_id = $1 AND questionnaire_id = $2`, roundID, qID); err != nil {
		return fmt.Errorf("count the change to round %s: %w", roundID, err)
	}
	return nil
}

// Rounds lists the rounds, newest first.
func (s *Service) Rounds(ctx context.Context, actor access.Actor) ([]Round, error) {
	if err := s.mayListRounds(ctx, actor, ""); err != nil {
		return nil, err
	}
	var out []Round
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+roundColumns+` FROM mapping_rounds r ORDER BY r.period_start DESC, r.created_at DESC`)
		if err != nil {
			return fmt.Errorf("list rounds: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRound(rows)
			if err != nil {
				return fmt.Errorf("scan round: %w", err)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for i := range out {
			if out[i].Questionnaires, out[i].revisions, err = roundQuestionnaires(ctx, tx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Round returns one round with its questionnaires.
func (s *Service) Round(ctx context.Context, actor access.Actor, id string) (Round, error) {
	if err := s.mayListRounds(ctx, actor, id); err != nil {
		return Round{}, err
	}
	var r Round
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		r, err = getRound(ctx, tx, id)
		return err
	})
	return r, err
}
