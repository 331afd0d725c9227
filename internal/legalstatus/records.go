package legalstatus

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// hearingRemindDays is how long before a hearing its deadline starts
// reminding: time to prepare the person and arrange an interpreter.
const hearingRemindDays = 14

// hearingDeadline keeps the deadline of kind for record refID on the
// hearing day on (YYYY-MM-DD), or clears it when on is "".
func (s *Service) hearingDeadline(ctx context.Context, tx *storage.Tx, c cases.Case, kind, refID, on string) error {
	if on == "" {
		return s.cases.ClearDeadline(ctx, tx, kind, refID)
	}
	due, _ := time.Parse(time.DateOnly, on)
	return s.cases.SetDeadline(ctx, tx, c, cases.Deadline{Kind: kind, RefID: refID, Due: due,
		RemindOn: due.AddDate(0, 0, -hearingRemindDays)})
}

// AsylumInput is the asylum form: Number 0 records a new application,
// otherwise application Number of the case is changed.
type AsylumInput struct {
	Number int
	// AppliedOn and DecidedOn are YYYY-MM-DD; Status one of AsylumStatuses.
	AppliedOn, Status, DecidedOn string
}

// decided are the asylum states that follow a decision, which has a date.
var decided = []string{"granted_refugee", "granted_subsidiary", "refused"}

// pending are the asylum states before any decision.
var pending = []string{"intends_to_apply", "applied", "interviewed"}

func checkAsylum(c *checker, in AsylumInput, r *Asylum) {
	c.code("asylum_status", in.Status, asylumStatuses)
	applied := c.date("asylum_applied_on", in.AppliedOn, past)
	dec := c.date("asylum_decided_on", in.DecidedOn, past)
	r.Status, r.AppliedOn, r.DecidedOn = in.Status, day(applied), day(dec)
	if in.Status != "intends_to_apply" && strings.TrimSpace(in.AppliedOn) == "" {
		c.fail("asylum_applied_on", "legalstatus.error.applied_on_required", nil)
	}
	switch {
	case slices.Contains(decided, in.Status) && strings.TrimSpace(in.DecidedOn) == "":
		c.fail("asylum_decided_on", "legalstatus.error.decided_on_required", nil)
	case slices.Contains(pending, in.Status) && strings.TrimSpace(in.DecidedOn) != "":
		c.fail("asylum_decided_on", "legalstatus.error.no_decision_yet", nil)
	case !applied.IsZero() && !dec.IsZero() && dec.Before(applied):
		c.fail("asylum_decided_on", "legalstatus.error.decided_before_applied", nil)
	}
}

// SaveAsylum records an asylum application or changes one (its status,
// the decision and its date). Asylum and a residence permit for victims
// do not exclude each other (OSCE Alliance position paper).
func (s *Service) SaveAsylum(ctx context.Context, actor access.Actor, caseID string, in AsylumInput) (Asylum, error) {
	var out Asylum
	err := s.change(ctx, actor, caseID, func(tx *storage.Tx, a cases.Access) error {
		now := s.cases.Now()
		c := newChecker(now)
		r := Asylum{ID: cases.NewID(), CreatedAt: now, UpdatedAt: now}
		checkAsylum(c, in, &r)
		if err := c.err(); err != nil {
			return err
		}
		kind := "legal_asylum_recorded"
		var err error
		if in.Number == 0 {
			if r.Number, err = nextNumber(ctx, tx, "legal_asylum", a.Case.ID); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO legal_asylum (id, case_id, number, applied_on, status, decided_on, recorded_by, created_at, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $8)`, r.ID, a.Case.ID, r.Number, r.AppliedOn, r.Status, r.DecidedOn, actor.UserID, now)
		} else {
			kind, r.Number = "legal_asylum_updated", in.Number
			if r.ID, err = recordID(ctx, tx, "legal_asylum", a.Case.ID, in.Number); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE legal_asylum SET applied_on = $1, status = $2, decided_on = $3, updated_by = $4, updated_at = $5
				WHERE id = $6`, r.AppliedOn, r.Status, r.DecidedOn, actor.UserID, now, r.ID)
		}
		if err != nil {
			return fmt.Errorf("save asylum application of case %s: %w", a.Case.ID, err)
		}
		out = r
		return s.log(ctx, tx, actor, a.Case, kind, r.ID, r.Status)
	})
	return out, err
}

func loadAsylum(ctx context.Context, tx *storage.Tx, caseID string) ([]Asylum, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, number, applied_on, status, decided_on, created_at, updated_at
		FROM legal_asylum WHERE case_id = $1 ORDER BY number`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load asylum applications of case %s: %w", caseID, err)
	}
	defer rows.Close()
	out := []Asylum{}
	for rows.Next() {
		var r Asylum
		if err := rows.Scan(&r.ID, &r.Number, &r.AppliedOn, &r.Status, &r.DecidedOn, &r.CreatedAt, &r.UpdatedAt); err != nil {
			return nil, fmt.Errorf("scan asylum application of case %s: %w", caseID, err)
		}
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// ProceedingInput is the criminal proceedings form: Number 0 records new
// proceedings, otherwise proceedings Number of the case are changed.
type ProceedingInput struct {
	Number int
	// Role, Stage and Cooperation are codes (ProceedingRoles,
	// ProceedingStages, CooperationChoices).
	Role, Stage, Cooperation string
	// NextHearing is YYYY-MM-DD or "".
	NextHearing string
	// Reference is the court's or prosecutor's file number (encrypted);
	// on a change "" keeps the current one.
	Reference string
}

func checkProceeding(c *checker, in ProceedingInput, r *Proceeding) {
	c.code("proceeding_role", in.Role, proceedingRoles)
	c.code("proceeding_stage", in.Stage, proceedingStages)
	c.code("proceeding_cooperation", in.Cooperation, cooperation)
	hearing := c.date("proceeding_next_hearing", in.NextHearing, planned)
	switch {
	case hearing.IsZero():
	case in.Stage == "closed":
		c.fail("proceeding_next_hearing", "legalstatus.error.hearing_closed", nil)
	case hearing.Before(c.today):
		c.fail("proceeding_next_hearing", "legalstatus.error.hearing_past", nil)
	}
	r.Role, r.Stage, r.Cooperation, r.NextHearing = in.Role, in.Stage, in.Cooperation, day(hearing)
	if ref := c.text("proceeding_reference", in.Reference); ref != "" {
		r.Reference = ref
	}
}

// SaveProceeding records criminal proceedings or changes them. The next
// hearing is a deadline. The person's choice whether to cooperate is kept
// in this record only: it is never logged, and nothing in assistance
// reads it, so no help can be made to depend on it (Danube guidelines on
// unconditional support; OSCE Alliance position paper).
func (s *Service) SaveProceeding(ctx context.Context, actor access.Actor, caseID string, in ProceedingInput) (Proceeding, error) {
	var out Proceeding
	err := s.change(ctx, actor, caseID, func(tx *storage.Tx, a cases.Access) error {
		now := s.cases.Now()
		c := newChecker(now)
		r := Proceeding{ID: cases.NewID(), CreatedAt: now, UpdatedAt: now}
		kind := "legal_proceeding_recorded"
		var old []byte
		if in.Number != 0 {
			kind, r.Number = "legal_proceeding_updated", in.Number
			var err error
			if r.ID, err = recordID(ctx, tx, "legal_proceedings", a.Case.ID, in.Number); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT reference FROM legal_proceedings WHERE id = $1`, r.ID).Scan(&old); err != nil {
				return fmt.Errorf("load proceedings %s: %w", r.ID, err)
			}
		}
		checkProceeding(c, in, &r)
		if err := c.err(); err != nil {
			return err
		}
		ref := old
		if r.Reference != "" {
			var err error
			if ref, err = s.seal(ctx, tx, a.Case.ID, "proceeding."+r.ID+".reference", r.Reference); err != nil {
				return err
			}
		}
		var err error
		if in.Number == 0 {
			if r.Number, err = nextNumber(ctx, tx, "legal_proceedings", a.Case.ID); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO legal_proceedings (id, case_id, number, role, stage, cooperation, next_hearing, reference,
					recorded_by, created_at, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $10)`,
				r.ID, a.Case.ID, r.Number, r.Role, r.Stage, r.Cooperation, r.NextHearing, ref, actor.UserID, now)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE legal_proceedings SET role = $1, stage = $2, cooperation = $3, next_hearing = $4,
				reference = $5, updated_by = $6, updated_at = $7 WHERE id = $8`,
				r.Role, r.Stage, r.Cooperation, r.NextHearing, ref, actor.UserID, now, r.ID)
		}
		if err != nil {
			return fmt.Errorf("save proceedings of case %s: %w", a.Case.ID, err)
		}
		if err := s.hearingDeadline(ctx, tx, a.Case, "proceeding_date", r.ID, r.NextHearing); err != nil {
			return err
		}
		out = r
		out.HasReference = len(ref) > 0
		// The stage only: the cooperation choice stays out of the timeline and the audit log.
		return s.log(ctx, tx, actor, a.Case, kind, r.ID, r.Stage)
	})
	return out, err
}

func (s *Service) loadProceedings(ctx context.Context, tx *storage.Tx, caseID string, reveal bool) ([]Proceeding, error) {
	out, refs, err := loadSealed(ctx, tx, "proceedings", caseID, `SELECT id, number, role, stage, cooperation, next_hearing, reference,
			created_at, updated_at
		FROM legal_proceedings WHERE case_id = $1 ORDER BY number`, func(rows *sql.Rows, r *Proceeding, ref *[]byte) error {
		err := rows.Scan(&r.ID, &r.Number, &r.Role, &r.Stage, &r.Cooperation, &r.NextHearing, ref, &r.CreatedAt, &r.UpdatedAt)
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		r.HasReference = len(*ref) > 0
		return err
	})
	if err != nil || !reveal {
		return out, err
	}
	for i := range out {
		if out[i].Reference, err = s.open(ctx, tx, caseID, "proceeding."+out[i].ID+".reference", refs[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CompensationInput is the compensation form: Number 0 records a new
// claim, otherwise claim Number of the case is changed.
type CompensationInput struct {
	Number int
	// Type and Status are codes (CompensationTypes, CompensationStatuses).
	Type, Status string
	// FiledOn is YYYY-MM-DD or "".
	FiledOn string
	// Currency is an ISO 4217 code ("" is EUR); Claimed and Awarded are
	// optional amounts such as 1500 or 1500.50.
	Currency, Claimed, Awarded string
}

func checkCompensation(c *checker, in CompensationInput, r *Compensation) {
	c.code("compensation_type", in.Type, compTypes)
	c.code("compensation_status", in.Status, compStatuses)
	r.Type, r.Status = in.Type, in.Status
	r.FiledOn = day(c.date("compensation_filed_on", in.FiledOn, past))
	if strings.TrimSpace(in.Currency) == "" {
		in.Currency = "EUR"
	}
	r.Currency = c.currency("compensation_currency", in.Currency)
	r.Claimed = c.amount("compensation_claimed", in.Claimed)
	r.Awarded = c.amount("compensation_awarded", in.Awarded)
	if r.Awarded != nil && (in.Status == "planned" || in.Status == "filed") {
		c.fail("compensation_awarded", "legalstatus.error.awarded_before_decision", nil)
	}
}

// SaveCompensation records a compensation claim or changes one.
func (s *Service) SaveCompensation(ctx context.Context, actor access.Actor, caseID string, in CompensationInput) (Compensation, error) {
	var out Compensation
	err := s.change(ctx, actor, caseID, func(tx *storage.Tx, a cases.Access) error {
		now := s.cases.Now()
		c := newChecker(now)
		r := Compensation{ID: cases.NewID(), CreatedAt: now, UpdatedAt: now}
		checkCompensation(c, in, &r)
		if err := c.err(); err != nil {
			return err
		}
		kind := "legal_compensation_recorded"
		var err error
		if in.Number == 0 {
			if r.Number, err = nextNumber(ctx, tx, "legal_compensation", a.Case.ID); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO legal_compensation (id, case_id, number, type, status, filed_on, currency,
					amount_claimed, amount_awarded, recorded_by, created_at, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $11)`,
				r.ID, a.Case.ID, r.Number, r.Type, r.Status, r.FiledOn, r.Currency, r.Claimed, r.Awarded, actor.UserID, now)
		} else {
			kind, r.Number = "legal_compensation_updated", in.Number
			if r.ID, err = recordID(ctx, tx, "legal_compensation", a.Case.ID, in.Number); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE legal_compensation SET type = $1, status = $2, filed_on = $3, currency = $4,
				amount_claimed = $5, amount_awarded = $6, updated_by = $7, updated_at = $8 WHERE id = $9`,
				r.Type, r.Status, r.FiledOn, r.Currency, r.Claimed, r.Awarded, actor.UserID, now, r.ID)
		}
		if err != nil {
			return fmt.Errorf("save compensation claim of case %s: %w", a.Case.ID, err)
		}
		out = r
		return s.log(ctx, tx, actor, a.Case, kind, r.ID, r.Status)
	})
	return out, err
}

func loadCompensation(ctx context.Context, tx *storage.Tx, caseID string) ([]Compensation, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, number, type, status, filed_on, currency, amount_claimed, amount_awarded, created_at, updated_at
		FROM legal_compensation WHERE case_id = $1 ORDER BY number`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load compensation claims of case %s: %w", caseID, err)
	}
	defer rows.Close()
	out := []Compensation{}
	for rows.Next() {
		var r Compensation
		if err := rows.Scan(&r.ID, &r.Number, &r.Type, &r.Status, &r.FiledOn, &r.Currency, &r.Claimed, &r.Awarded, &r.CreatedAt, &r.UpdatedAt); err != nil {
			return nil, fmt.Errorf("scan compensation claim of case %s: %w", caseID, err)
		}
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
