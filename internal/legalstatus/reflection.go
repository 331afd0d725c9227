package legalstatus

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// maxReflectionYears caps an extension: a longer stay is a residence
// permit's business, not the reflection period's.
const maxReflectionYears = 2

// reflectionRemindDays is how long before its end the reflection period's
// deadline starts reminding, as the case core registers it.
const reflectionRemindDays = 14

// ReflectionInput extends the reflection and recovery period.
type ReflectionInput struct {
	// End is the new last day, YYYY-MM-DD: later than the current end.
	End string
	// Reason is one of ExtensionReasons.
	Reason string
}

// ExtendReflection moves the end of the case's reflection and recovery
// period later and its deadline with it. The period starts when the case
// enters the reflection stage (cases.MoveStage); it can be extended, never
// shortened, because while it runs the person may not be removed
// (Council of Europe Convention art. 13; OSCE Alliance position paper).
func (s *Service) ExtendReflection(ctx context.Context, actor access.Actor, caseID string, in ReflectionInput) (Extension, error) {
	var out Extension
	err := s.change(ctx, actor, caseID, func(tx *storage.Tx, a cases.Access) error {
		now := s.cases.Now()
		c := newChecker(now)
		c.required("reflection_end", in.End)
		end := c.date("reflection_end", in.End, planned)
		c.code("reflection_reason", in.Reason, extensionReasons)
		if err := c.err(); err != nil {
			return err
		}
		cur := a.Case.ReflectionEnd
		switch {
		case cur == "":
			return apperr.New(apperr.Conflict, "legalstatus.error.reflection_not_started")
		case day(end) <= cur:
			return apperr.Validation(apperr.FieldError{Field: "reflection_end", Key: "legalstatus.error.reflection_not_later", Args: map[string]any{"end": cur}})
		case end.Before(c.today):
			return apperr.Validation(apperr.FieldError{Field: "reflection_end", Key: "legalstatus.error.reflection_end_past"})
		case end.After(c.today.AddDate(maxReflectionYears, 0, 0)):
			return apperr.Validation(apperr.FieldError{Field: "reflection_end", Key: "legalstatus.error.date_range",
				Args: map[string]any{"from": day(c.today), "to": day(c.today.AddDate(maxReflectionYears, 0, 0))}})
		}
		out = Extension{ID: cases.NewID(), PreviousEnd: cur, NewEnd: day(end), Reason: in.Reason, RecordedBy: actor.UserID, RecordedAt: now}
		// The one column of the case this package keeps: the period's end.
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET reflection_end = $1 WHERE id = $2`, out.NewEnd, a.Case.ID); err != nil {
			return fmt.Errorf("extend reflection of case %s: %w", a.Case.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO legal_reflection_extensions (id, case_id, previous_end, new_end, reason, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, out.ID, a.Case.ID, out.PreviousEnd, out.NewEnd, out.Reason, actor.UserID, now); err != nil {
			return fmt.Errorf("record reflection extension of case %s: %w", a.Case.ID, err)
		}
		// Same kind and ref as the core's, so the deadline moves rather than doubles.
		if err := s.cases.SetDeadline(ctx, tx, a.Case, cases.Deadline{Kind: "reflection_end", RefID: a.Case.ID, Due: end,
			RemindOn: end.AddDate(0, 0, -reflectionRemindDays)}); err != nil {
			return err
		}
		return s.log(ctx, tx, actor, a.Case, "legal_reflection_extended", out.ID, out.Reason)
	})
	return out, err
}

func loadExtensions(ctx context.Context, tx *storage.Tx, caseID string) ([]Extension, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, previous_end, new_end, reason, recorded_by, recorded_at
		FROM legal_reflection_extensions WHERE case_id = $1 ORDER BY recorded_at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load reflection extensions of case %s: %w", caseID, err)
	}
	defer rows.Close()
	out := []Extension{}
	for rows.Next() {
		var e Extension
		if err := rows.Scan(&e.ID, &e.PreviousEnd, &e.NewEnd, &e.Reason, &e.RecordedBy, &e.RecordedAt); err != nil {
			return nil, fmt.Errorf("scan reflection extension of case %s: %w", caseID, err)
		}
		e.RecordedAt = e.RecordedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
