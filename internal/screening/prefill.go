package screening

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/storage"
)

// Source is the record a screening's answers were filled in from before
// anyone asked the person: a site check (Kind "site_check", ID the check,
// On the day it was made, YYYY-MM-DD).
type Source struct {
	Kind string
	ID   string
	On   string
}

// How a pre-filled answer's mark was cleared.
const (
	PrefillConfirmed = "confirmed"
	PrefillChanged   = "changed"
)

// Prefill marks an answer filled in from a Source. It stands (Resolution
// "") until the screener confirms the answer with the person or changes
// it; an answer still marked was never given by the person.
type Prefill struct {
	Question string
	Answer   Answer
	Source
	Resolution string
}

// Pending reports whether the mark still stands.
func (p Prefill) Pending() bool { return p.Resolution == "" }

// Unconfirmed lists the pre-filled answers not yet confirmed with the
// person nor changed, in question order.
func (s Screening) Unconfirmed() []Prefill {
	var out []Prefill
	for _, p := range s.Prefills {
		if p.Pending() {
			out = append(out, p)
		}
	}
	return out
}

// UnconfirmedAsked lists the pre-filled answers not yet confirmed among
// the questions the plan asks: an answer to a question the other answers
// no longer open does not count in the result, so it needs no warning.
func (s Screening) UnconfirmedAsked(plan Plan) []Prefill {
	var out []Prefill
	for _, p := range s.Unconfirmed() {
		if _, asked := plan.PageOf[p.Question]; asked {
			out = append(out, p)
		}
	}
	return out
}

// Prefilled returns the standing mark of a question's answer.
func (s Screening) Prefilled(question string) (Prefill, bool) {
	for _, p := range s.Prefills {
		if p.Question == question && p.Pending() {
			return p, true
		}
	}
	return Prefill{}, false
}

// loadPrefills reads a screening's marks.
func loadPrefills(ctx context.Context, tx *storage.Tx, id string) ([]Prefill, error) {
	rows, err := tx.QueryContext(ctx, `SELECT question_id, answer, source, source_id, source_on, resolution
		FROM screening_prefills WHERE screening_id = $1 ORDER BY question_id`, id)
	if err != nil {
		return nil, fmt.Errorf("load pre-filled answers of screening %s: %w", id, err)
	}
	defer rows.Close()
	var out []Prefill
	for rows.Next() {
		var p Prefill
		if err := rows.Scan(&p.Question, &p.Answer, &p.Kind, &p.ID, &p.On, &p.Resolution); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// markPrefills marks every answer of a new screening as filled in from src.
func markPrefills(ctx context.Context, tx *storage.Tx, sc *Screening, src Source, now time.Time) error {
	for q, a := range sc.Answers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO screening_prefills (screening_id, question_id, answer, source, source_id, source_on, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, sc.ID, q, string(a), src.Kind, src.ID, src.On, now); err != nil {
			return fmt.Errorf("mark pre-filled answer of screening %s: %w", sc.ID, storage.MapError(err))
		}
		sc.Prefills = append(sc.Prefills, Prefill{Question: q, Answer: a, Source: src})
	}
	return nil
}

// resolvePrefills clears the standing marks whose answer sc now has
// differently (changed) or that the screener confirmed with the person
// (confirmed, question ids), and counts both.
func resolvePrefills(ctx context.Context, tx *storage.Tx, sc *Screening, confirmed map[string]bool, by string, now time.Time) (nConfirmed, nChanged int, err error) {
	for i, p := range sc.Prefills {
		if !p.Pending() {
			continue
		}
		switch {
		case sc.Answers[p.Question] != p.Answer:
			p.Resolution = PrefillChanged
			nChanged++
		case confirmed[p.Question]:
			p.Resolution = PrefillConfirmed
			nConfirmed++
		default:
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE screening_prefills SET resolution = $1, resolved_by = $2, resolved_at = $3
			WHERE screening_id = $4 AND question_id = $5`, p.Resolution, by, now, sc.ID, p.Question); err != nil {
			return 0, 0, fmt.Errorf("clear pre-filled mark of screening %s: %w", sc.ID, storage.MapError(err))
		}
		sc.Prefills[i] = p
	}
	return nConfirmed, nChanged, nil
}
