package legalstatus

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Non-punishment: a trafficked person should not be charged, detained,
// prosecuted or sanctioned for offences that follow from having been
// trafficked, such as false documents or irregular border crossing (OSCE
// Alliance position paper, principle 5). The records are the penalties the
// person met, whether each is linked to the exploitation, and the
// submissions made so the person is not punished, with their outcome.
var (
	penaltyKinds       = []string{"criminal_charge", "conviction", "administrative_fine", "detention", "immigration_detention", "other"}
	linkedAnswers      = []string{"yes", "no"}
	submitters         = []string{"person", "lawyer", "assisting_organisation", "prosecutor", "other"}
	submissionOutcomes = []string{"pending", "accepted", "partly", "rejected"}
)

// PenaltyKinds lists the kinds of penalty: charges, fines and detention.
func PenaltyKinds() []string { return slices.Clone(penaltyKinds) }

// LinkedAnswers lists whether a penalty is linked to the exploitation.
func LinkedAnswers() []string { return slices.Clone(linkedAnswers) }

// Submitters lists who made a submission for non-punishment.
func Submitters() []string { return slices.Clone(submitters) }

// SubmissionOutcomes lists the outcomes of a submission for non-punishment.
func SubmissionOutcomes() []string { return slices.Clone(submissionOutcomes) }

// maxNote is the longest note on a penalty or a protective measure.
const maxNote = 2000

// Penalty is a charge, fine or detention the person met.
type Penalty struct {
	ID         string `json:"id"`
	Number     int    `json:"number"`
	Kind       string `json:"kind"`
	OccurredOn string `json:"date,omitempty"`
	// Linked is "yes" when the penalty is linked to the exploitation.
	Linked string `json:"linked_to_exploitation"`
	// Authority and Note are decrypted.
	Authority string    `json:"authority,omitempty"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"recorded_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Submission is a submission asking that the person not be punished for a
// penalty, and its outcome.
type Submission struct {
	ID string `json:"id"`
	// Number is the submission's; Penalty the number of its penalty.
	Number      int    `json:"number"`
	Penalty     int    `json:"penalty"`
	SubmittedOn string `json:"submitted_on"`
	SubmittedBy string `json:"submitted_by"`
	// SubmittedTo is decrypted: the prosecutor, court or office.
	SubmittedTo string    `json:"submitted_to,omitempty"`
	Outcome     string    `json:"outcome"`
	DecidedOn   string    `json:"decided_on,omitempty"`
	HearingOn   string    `json:"hearing_on,omitempty"`
	CreatedAt   time.Time `json:"recorded_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	penaltyID   string
}

// PenaltyInput is the penalty form: Number 0 records a new penalty,
// otherwise penalty Number of the case is changed.
type PenaltyInput struct {
	Number int
	// Kind is one of PenaltyKinds, Linked one of LinkedAnswers.
	Kind, Linked string
	// OccurredOn is YYYY-MM-DD or "".
	OccurredOn string
	// Authority and Note are encrypted; on a change "" keeps the current ones.
	Authority, Note string
}

func checkPenalty(c *checker, in PenaltyInput, p *Penalty) {
	c.code("penalty_kind", in.Kind, penaltyKinds)
	c.code("penalty_linked", in.Linked, linkedAnswers)
	p.Kind, p.Linked = in.Kind, in.Linked
	p.OccurredOn = day(c.date("penalty_on", in.OccurredOn, past))
	if a := c.text("penalty_authority", in.Authority); a != "" {
		p.Authority = a
	}
	if n := c.note("penalty_note", in.Note); n != "" {
		p.Note = n
	}
}

// SavePenalty records a charge, fine or detention of the person, or
// changes one. Whether it is linked to the exploitation is the worker's
// reading of the case, which a submission for non-punishment argues.
func (s *Service) SavePenalty(ctx context.Context, actor access.Actor, caseID string, in PenaltyInput) (Penalty, error) {
	var out Penalty
	err := s.change(ctx, actor, caseID, func(tx *storage.Tx, a cases.Access) error {
		now := s.cases.Now()
		c := newChecker(now)
		p := Penalty{ID: cases.NewID(), CreatedAt: now, UpdatedAt: now}
		kind := "legal_penalty_recorded"
		if in.Number != 0 {
			old, err := s.penalty(ctx, tx, a.Case.ID, in.Number)
			if err != nil {
				return err
			}
			kind, p = "legal_penalty_updated", old
			p.UpdatedAt = now
		}
		checkPenalty(c, in, &p)
		if err := c.err(); err != nil {
			return err
		}
		auth, err := s.seal(ctx, tx, a.Case.ID, "penalty."+p.ID+".authority", p.Authority)
		if err != nil {
			return err
		}
		note, err := s.seal(ctx, tx, a.Case.ID, "penalty."+p.ID+".note", p.Note)
		if err != nil {
			return err
		}
		if in.Number == 0 {
			if p.Number, err = nextNumber(ctx, tx, "legal_penalties", a.Case.ID); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO legal_penalties (id, case_id, number, kind, occurred_on, linked, authority, note,
					recorded_by, created_at, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $10)`,
				p.ID, a.Case.ID, p.Number, p.Kind, p.OccurredOn, p.Linked, auth, note, actor.UserID, now)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE legal_penalties SET kind = $1, occurred_on = $2, linked = $3, authority = $4, note = $5,
				updated_by = $6, updated_at = $7 WHERE id = $8`, p.Kind, p.OccurredOn, p.Linked, auth, note, actor.UserID, now, p.ID)
		}
		if err != nil {
			return fmt.Errorf("save penalty of case %s: %w", a.Case.ID, err)
		}
		out = p
		// A charge, fine or detention is criminal-offence data: the
		// timeline and audit log name the record, not its kind.
		return s.log(ctx, tx, actor, a.Case, kind, p.ID, "")
	})
	return out, err
}

// SubmissionInput is the non-punishment form: Number 0 records a new
// submission, otherwise submission Number of the case is changed.
type SubmissionInput struct {
	Number int
	// Penalty is the number of the case's penalty the submission is about.
	Penalty int
	// SubmittedOn, DecidedOn and HearingOn are YYYY-MM-DD; SubmittedBy and
	// Outcome are codes (Submitters, SubmissionOutcomes).
	SubmittedOn, SubmittedBy, Outcome, DecidedOn, HearingOn string
	// SubmittedTo is encrypted; on a change "" keeps the current one.
	SubmittedTo string
}

func checkSubmission(c *checker, in SubmissionInput, r *Submission) {
	c.code("submission_by", in.SubmittedBy, submitters)
	c.code("submission_outcome", in.Outcome, submissionOutcomes)
	r.SubmittedBy, r.Outcome = in.SubmittedBy, in.Outcome
	submitted := c.date("submission_on", in.SubmittedOn, past)
	decided := c.date("submission_decided_on", in.DecidedOn, past)
	hearing := c.date("submission_hearing_on", in.HearingOn, planned)
	r.SubmittedOn, r.DecidedOn, r.HearingOn = day(submitted), day(decided), day(hearing)
	c.required("submission_on", in.SubmittedOn)
	c.decision("submission_decided_on", in.Outcome, submissionOutcomes, submitted, decided, in.DecidedOn,
		"legalstatus.error.outcome_before_submission")
	// The hearing is a deadline only while the outcome is awaited.
	switch {
	case hearing.IsZero():
	case in.Outcome != "pending":
		c.fail("submission_hearing_on", "legalstatus.error.hearing_decided", nil)
	case hearing.Before(c.today):
		c.fail("submission_hearing_on", "legalstatus.error.hearing_past", nil)
	}
	if to := c.text("submission_to", in.SubmittedTo); to != "" {
		r.SubmittedTo = to
	}
}

// SaveSubmission records a submission for non-punishment about one of the
// case's penalties, or changes one (its outcome). A pending submission
// with a hearing date registers the hearing as a deadline.
func (s *Service) SaveSubmission(ctx context.Context, actor access.Actor, caseID string, in SubmissionInput) (Submission, error) {
	var out Submission
	err := s.change(ctx, actor, caseID, func(tx *storage.Tx, a cases.Access) error {
		now := s.cases.Now()
		c := newChecker(now)
		r := Submission{ID: cases.NewID(), CreatedAt: now, UpdatedAt: now}
		kind := "legal_submission_recorded"
		if in.Number != 0 {
			old, err := s.submission(ctx, tx, a.Case.ID, in.Number)
			if err != nil {
				return err
			}
			kind, r = "legal_submission_updated", old
			r.UpdatedAt = now
		}
		var err error
		r.penaltyID, err = s.penaltyID(ctx, tx, a.Case.ID, in.Penalty)
		switch {
		case apperr.Is(err, apperr.NotFound):
			c.fail("submission_penalty", "legalstatus.error.choose", nil)
		case err != nil:
			return err
		}
		r.Penalty = in.Penalty
		checkSubmission(c, in, &r)
		if err := c.err(); err != nil {
			return err
		}
		to, err := s.seal(ctx, tx, a.Case.ID, "submission."+r.ID+".to", r.SubmittedTo)
		if err != nil {
			return err
		}
		if in.Number == 0 {
			if r.Number, err = nextNumber(ctx, tx, "legal_nonpunishment", a.Case.ID); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO legal_nonpunishment (id, case_id, number, penalty_id, submitted_on, submitted_by,
					submitted_to, outcome, decided_on, hearing_on, recorded_by, created_at, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $12)`,
				r.ID, a.Case.ID, r.Number, r.penaltyID, r.SubmittedOn, r.SubmittedBy, to, r.Outcome, r.DecidedOn, r.HearingOn, actor.UserID, now)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE legal_nonpunishment SET penalty_id = $1, submitted_on = $2, submitted_by = $3,
				submitted_to = $4, outcome = $5, decided_on = $6, hearing_on = $7, updated_by = $8, updated_at = $9 WHERE id = $10`,
				r.penaltyID, r.SubmittedOn, r.SubmittedBy, to, r.Outcome, r.DecidedOn, r.HearingOn, actor.UserID, now, r.ID)
		}
		if err != nil {
			return fmt.Errorf("save non-punishment submission of case %s: %w", a.Case.ID, err)
		}
		if err := s.hearingDeadline(ctx, tx, a.Case, "nonpunishment_hearing", r.ID, r.HearingOn); err != nil {
			return err
		}
		out = r
		return s.log(ctx, tx, actor, a.Case, kind, r.ID, r.Outcome)
	})
	return out, err
}

// penaltyID finds the id of penalty number of the case; 0 or a number the
// case does not have is NotFound.
func (s *Service) penaltyID(ctx context.Context, tx *storage.Tx, caseID string, number int) (string, error) {
	if number <= 0 {
		return "", apperr.New(apperr.NotFound, "legalstatus.error.record_not_found")
	}
	return recordID(ctx, tx, "legal_penalties", caseID, number)
}

func (s *Service) penalty(ctx context.Context, tx *storage.Tx, caseID string, number int) (Penalty, error) {
	list, err := s.loadPenalties(ctx, tx, caseID)
	if err != nil {
		return Penalty{}, err
	}
	return byNumber(list, number, func(p Penalty) int { return p.Number })
}

func (s *Service) submission(ctx context.Context, tx *storage.Tx, caseID string, number int) (Submission, error) {
	list, err := s.loadSubmissions(ctx, tx, caseID)
	if err != nil {
		return Submission{}, err
	}
	return byNumber(list, number, func(r Submission) int { return r.Number })
}

func (s *Service) loadPenalties(ctx context.Context, tx *storage.Tx, caseID string) ([]Penalty, error) {
	out, texts, err := loadSealed(ctx, tx, "penalties", caseID, `SELECT id, number, kind, occurred_on, linked, authority, note,
			created_at, updated_at
		FROM legal_penalties WHERE case_id = $1 ORDER BY number`, func(rows *sql.Rows, p *Penalty, t *[2][]byte) error {
		err := rows.Scan(&p.ID, &p.Number, &p.Kind, &p.OccurredOn, &p.Linked, &t[0], &t[1], &p.CreatedAt, &p.UpdatedAt)
		p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		p := &out[i]
		if p.Authority, err = s.open(ctx, tx, caseID, "penalty."+p.ID+".authority", texts[i][0]); err != nil {
			return nil, err
		}
		if p.Note, err = s.open(ctx, tx, caseID, "penalty."+p.ID+".note", texts[i][1]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) loadSubmissions(ctx context.Context, tx *storage.Tx, caseID string) ([]Submission, error) {
	out, texts, err := loadSealed(ctx, tx, "non-punishment submissions", caseID, `SELECT n.id, n.number, n.penalty_id, p.number,
			n.submitted_on, n.submitted_by, n.submitted_to, n.outcome, n.decided_on, n.hearing_on, n.created_at, n.updated_at
		FROM legal_nonpunishment n JOIN legal_penalties p ON p.id = n.penalty_id
		WHERE n.case_id = $1 ORDER BY n.number`, func(rows *sql.Rows, r *Submission, to *[]byte) error {
		err := rows.Scan(&r.ID, &r.Number, &r.penaltyID, &r.Penalty, &r.SubmittedOn, &r.SubmittedBy, to, &r.Outcome,
			&r.DecidedOn, &r.HearingOn, &r.CreatedAt, &r.UpdatedAt)
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].SubmittedTo, err = s.open(ctx, tx, caseID, "submission."+out[i].ID+".to", texts[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
