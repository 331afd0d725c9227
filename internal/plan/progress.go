package plan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// ProgressInput is a progress report on a measure.
type ProgressInput struct {
	Status Status
	// Note says what was done; it is the reason when the measure is dropped.
	Note string
	// NextReviewOn sets the next review date; "" keeps the one on file.
	NextReviewOn string
	// MeasuredOn is when Values were measured; "" is today.
	MeasuredOn string
	// Values are measured indicator values by indicator id; an empty value
	// is no measurement.
	Values map[string]string
}

// value is a checked measured value.
type value struct {
	indicator string
	value     float64
}

func (in *ProgressInput) check(today string) ([]value, error) {
	var f fields
	in.Status = Status(strings.TrimSpace(string(in.Status)))
	if !oneOf(in.Status, Statuses()) {
		f.Add("status", "actionplan.error.status")
	}
	f.text(&in.Note, "note", maxText, in.Status == Dropped)
	f.date(&in.NextReviewOn, "next_review_on", false)
	f.date(&in.MeasuredOn, "measured_on", false)
	if in.MeasuredOn == "" {
		in.MeasuredOn = today
	}
	if in.MeasuredOn > today {
		f.Add("measured_on", "actionplan.error.future")
	}
	var out []value
	for id, v := range in.Values {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		n, ok := number(v)
		if !ok {
			f.Add("value_"+id, "actionplan.error.indicator_number")
			continue
		}
		out = append(out, value{indicator: id, value: n})
	}
	return out, f.Err()
}

// RecordProgress records progress on a measure: its status, measured
// indicator values and a note. Users of the owner or a partner
// organisation may, and the coordinator; a measure outside the actor's
// organisations is not found for them (and the refusal audited).
func (s *Service) RecordProgress(ctx context.Context, actor access.Actor, measureID string, in ProgressInput) error {
	sc, err := s.gate.Authorize(ctx, actor, access.ReportPlanProgress, "plan_measure", measureID)
	if err != nil {
		return err
	}
	values, err := in.check(s.today())
	if err != nil {
		return err
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		var status Status
		var owner, review string
		err := tx.QueryRowContext(ctx, `SELECT m.status, m.owner_org, m.next_review_on FROM plan_measures m WHERE m.id = $2 AND `+inScope,
			sc.Org(), measureID).Scan(&status, &owner, &review)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound()
		}
		if err != nil {
			return err
		}
		known, err := queryIDs(ctx, tx, `SELECT id FROM plan_indicators WHERE measure_id = $1`, measureID)
		if err != nil {
			return err
		}
		for _, v := range values {
			if !slices.Contains(known, v.indicator) {
				return apperr.Validation(apperr.FieldError{Field: "value_" + v.indicator, Key: "actionplan.error.indicator_unknown"})
			}
		}
		if in.Status == status && in.Note == "" && len(values) == 0 && (in.NextReviewOn == "" || in.NextReviewOn == review) {
			return apperr.Validation(apperr.FieldError{Field: "note", Key: "actionplan.error.no_progress"})
		}
		now := s.now()
		id := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_progress (id, measure_id, org_id, status, note, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, measureID, actor.OrgID, in.Status, in.Note, actor.UserID, now); err != nil {
			return err
		}
		for _, v := range values {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plan_indicator_values (id, indicator_id, progress_id, measured_on, value)
				VALUES ($1, $2, $3, $4, $5)`, newID(), v.indicator, id, in.MeasuredOn, v.value); err != nil {
				return err
			}
		}
		if in.NextReviewOn != "" {
			review = in.NextReviewOn
		}
		reason := ""
		if in.Status == Dropped {
			reason = in.Note
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plan_measures SET status = $2, dropped_reason = $3, next_review_on = $4, updated_at = $5
			WHERE id = $1`, measureID, in.Status, reason, review, now); err != nil {
			return err
		}
		return s.gate.Record(ctx, tx, actor, "plan.measure.progress", "plan_measure", measureID, owner,
			fmt.Sprintf("status=%s values=%d", in.Status, len(values)))
	})
	if apperr.Is(err, apperr.NotFound) {
		return s.gate.Refuse(ctx, actor, access.ReportPlanProgress, "plan_measure", measureID, err)
	}
	return err
}

// progressOf lists a measure's progress reports, newest first.
func progressOf(ctx context.Context, tx *storage.Tx, measureID string) ([]Progress, error) {
	var out []Progress
	err := eachRow(ctx, tx, `SELECT p.id, o.name, u.username, p.status, p.note, p.recorded_at
		FROM plan_progress p JOIN organisations o ON o.id = p.org_id JOIN users u ON u.id = p.recorded_by
		WHERE p.measure_id = $1 ORDER BY p.recorded_at DESC, p.id DESC`, []any{measureID}, func(r *sql.Rows) error {
		var p Progress
		err := r.Scan(&p.ID, &p.OrgName, &p.Username, &p.Status, &p.Note, &p.At)
		out = append(out, p)
		return err
	})
	return out, err
}
