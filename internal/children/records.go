package children

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// NewGuardian is the form that records a guardian's appointment.
type NewGuardian struct {
	Kind         string
	Name         string
	Organisation string
	Contact      string
	AppointedOn  string // YYYY-MM-DD
	// EndedOn records a guardianship that has already ended; "" for one
	// that lasts.
	EndedOn string
}

// NewBestInterest is the best-interest assessment form.
type NewBestInterest struct {
	HeldOn       string // YYYY-MM-DD
	Participants []string
	ChildHeard   bool
	Decision     string
	Outcome      string
	ReviewOn     string // YYYY-MM-DD
}

// TransitionInput is the transition plan form.
type TransitionInput struct {
	Options []string
	Notes   string
	Status  string
}

// Record is everything the child tab of a case shows.
type Record struct {
	Access cases.Access `json:"-"`
	// Guardians are all guardianships, newest appointment first; Current
	// is the one lasting today, if any.
	Guardians []Guardian
	Current   *Guardian
	// Assessments are the best-interest assessments, newest first.
	Assessments []BestInterest
	// Transition is the plan for the transition at 18, nil until made.
	Transition *Transition
	// Missing are the times the child went missing, newest first.
	Missing []Missing
	// MajorityMonth is the first day of the month the child turns 18
	// (YYYY-MM-DD), "" when the date of birth is unknown.
	MajorityMonth string
}

func guardianField(id string) string   { return "child_guardian." + id }
func outcomeField(id string) string    { return "child_best_interest." + id }
func transitionField(id string) string { return "child_transition." + id }
func (in *NewGuardian) trim() {
	trimAll(&in.Kind, &in.Name, &in.Organisation, &in.Contact, &in.AppointedOn, &in.EndedOn)
}
func (in *NewBestInterest) trim() { trimAll(&in.HeldOn, &in.Decision, &in.Outcome, &in.ReviewOn) }
func trimAll(ss ...*string) {
	for _, s := range ss {
		*s = strings.TrimSpace(*s)
	}
}

func (in *NewGuardian) validate(now time.Time) error {
	in.trim()
	var fields []apperr.FieldError
	if !slices.Contains(guardianKinds, in.Kind) {
		fields = append(fields, apperr.FieldError{Field: "kind", Key: "error.child.guardian_kind_required"})
	}
	if in.Name == "" && in.Organisation == "" {
		fields = append(fields, apperr.FieldError{Field: "name", Key: "error.child.guardian_who_required"})
	}
	text(&fields, "name", in.Name, MaxName)
	text(&fields, "organisation", in.Organisation, MaxName)
	text(&fields, "contact", in.Contact, MaxContact)
	pastDay(&fields, "appointed_on", in.AppointedOn, now, "error.child.appointed_required", "error.child.appointed_future")
	if in.EndedOn != "" {
		switch {
		case !validDay(in.EndedOn):
			fields = append(fields, apperr.FieldError{Field: "ended_on", Key: "error.date_invalid"})
		case in.EndedOn > latest(now):
			fields = append(fields, apperr.FieldError{Field: "ended_on", Key: "error.child.ended_future"})
		case validDay(in.AppointedOn) && in.EndedOn < in.AppointedOn:
			fields = append(fields, apperr.FieldError{Field: "ended_on", Key: "error.child.end_before_start"})
		}
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// AppointGuardian records a guardian of a child's case. A lasting
// appointment ends the guardianship before it on the day it starts. A case
// that is not a child's is refused.
func (s *Service) AppointGuardian(ctx context.Context, actor access.Actor, caseID string, in NewGuardian) (Guardian, error) {
	now := s.cases.Now()
	if err := in.validate(now); err != nil {
		return Guardian{}, err
	}
	g := Guardian{ID: cases.NewID(), CaseID: caseID, Kind: in.Kind, Name: in.Name, Organisation: in.Organisation, Contact: in.Contact,
		AppointedOn: in.AppointedOn, EndedOn: in.EndedOn, RecordedBy: actor.UserID, RecordedAt: now}
	err := s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Children, func(tx *storage.Tx, a cases.Access) error {
		if !a.Case.Child {
			return notChild()
		}
		if g.EndedOn == "" {
			lasting, err := s.loadGuardians(ctx, tx, caseID, false)
			if err != nil {
				return err
			}
			for _, old := range lasting {
				if old.EndedOn != "" {
					continue
				}
				if old.AppointedOn > g.AppointedOn {
					return apperr.Validation(apperr.FieldError{Field: "appointed_on", Key: "error.child.before_current"})
				}
				if err := s.endGuardian(ctx, tx, actor, a.Case, old.ID, g.AppointedOn); err != nil {
					return err
				}
			}
		}
		details, err := json.Marshal(guardianDetails{Name: g.Name, Organisation: g.Organisation, Contact: g.Contact})
		if err != nil {
			return fmt.Errorf("encode guardian: %w", err)
		}
		sealed, err := s.cases.Vault().Seal(ctx, tx, cases.Record(caseID), guardianField(g.ID), details)
		if err != nil {
			return fmt.Errorf("seal guardian: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO child_guardians (id, case_id, org_id, kind, details, appointed_on, ended_on, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			g.ID, caseID, a.Case.OrgID, g.Kind, sealed, g.AppointedOn, g.EndedOn, actor.UserID, now); err != nil {
			return fmt.Errorf("insert guardian of case %s: %w", caseID, err)
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "guardian_appointed", Category: cases.Children, RefID: g.ID, Detail: g.Kind})
	})
	if err != nil {
		return Guardian{}, err
	}
	return g, nil
}

// EndGuardian records the end of a lasting guardianship on endedOn
// (YYYY-MM-DD), e.g. when the child turns 18 or another guardian takes over.
func (s *Service) EndGuardian(ctx context.Context, actor access.Actor, caseID, guardianID, endedOn string) error {
	now := s.cases.Now()
	endedOn = strings.TrimSpace(endedOn)
	var fields []apperr.FieldError
	pastDay(&fields, "end_on", endedOn, now, "error.child.ended_required", "error.child.ended_future")
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Children, func(tx *storage.Tx, a cases.Access) error {
		var appointed, ended string
		err := tx.QueryRowContext(ctx, `SELECT appointed_on, ended_on FROM child_guardians WHERE id = $1 AND case_id = $2`,
			guardianID, caseID).Scan(&appointed, &ended)
		switch {
		case err != nil:
			return fmt.Errorf("load guardian %s: %w", guardianID, storage.MapError(err))
		case ended != "":
			return apperr.New(apperr.Conflict, "error.child.guardian_ended")
		case endedOn < appointed:
			return apperr.Validation(apperr.FieldError{Field: "end_on", Key: "error.child.end_before_start"})
		}
		return s.endGuardian(ctx, tx, actor, a.Case, guardianID, endedOn)
	})
}

func (s *Service) endGuardian(ctx context.Context, tx *storage.Tx, actor access.Actor, c cases.Case, guardianID, day string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE child_guardians SET ended_on = $1 WHERE id = $2 AND case_id = $3`, day, guardianID, c.ID); err != nil {
		return fmt.Errorf("end guardian %s: %w", guardianID, err)
	}
	return s.cases.Log(ctx, tx, actor, c, cases.Event{Kind: "guardian_ended", Category: cases.Children, RefID: guardianID})
}

// CurrentGuardian returns the guardian of a case today, decrypted, in the
// caller's transaction (inside View or Change): recording a child's consent
// checks it.
func (s *Service) CurrentGuardian(ctx context.Context, tx *storage.Tx, caseID string) (Guardian, bool, error) {
	list, err := s.loadGuardians(ctx, tx, caseID, true)
	if err != nil {
		return Guardian{}, false, err
	}
	day := today(s.cases.Now())
	for _, g := range list {
		if g.Current(day) {
			return g, true, nil
		}
	}
	return Guardian{}, false, nil
}

// loadGuardians lists the guardians of a case, newest appointment first;
// open decrypts who they are.
func (s *Service) loadGuardians(ctx context.Context, tx *storage.Tx, caseID string, open bool) ([]Guardian, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, case_id, kind, details, appointed_on, ended_on, recorded_by, recorded_at
		FROM child_guardians WHERE case_id = $1 ORDER BY appointed_on DESC, recorded_at DESC, id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load guardians of case %s: %w", caseID, err)
	}
	var out []Guardian
	var sealed [][]byte
	for rows.Next() {
		var g Guardian
		var blob []byte
		if err := rows.Scan(&g.ID, &g.CaseID, &g.Kind, &blob, &g.AppointedOn, &g.EndedOn, &g.RecordedBy, &g.RecordedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan guardian: %w", err)
		}
		out, sealed = append(out, g), append(sealed, blob)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load guardians of case %s: %w", caseID, err)
	}
	if !open {
		return out, nil
	}
	// The vault reads the same transaction, so decrypt after the rows closed.
	for i := range out {
		plain, err := s.cases.Vault().Open(ctx, tx, cases.Record(caseID), guardianField(out[i].ID), sealed[i])
		if err != nil {
			return nil, fmt.Errorf("open guardian %s: %w", out[i].ID, err)
		}
		var d guardianDetails
		if len(plain) > 0 {
			if err := json.Unmarshal(plain, &d); err != nil {
				return nil, fmt.Errorf("decode guardian %s: %w", out[i].ID, err)
			}
		}
		out[i].Name, out[i].Organisation, out[i].Contact = d.Name, d.Organisation, d.Contact
	}
	return out, nil
}

func (in *NewBestInterest) validate(now time.Time) error {
	in.trim()
	var fields []apperr.FieldError
	pastDay(&fields, "held_on", in.HeldOn, now, "error.child.held_required", "error.child.held_future")
	list, ok := codes(in.Participants, participants)
	switch {
	case !ok:
		fields = append(fields, apperr.FieldError{Field: "participants", Key: "error.child.participant_unknown"})
	case len(list) == 0:
		fields = append(fields, apperr.FieldError{Field: "participants", Key: "error.child.participants_required"})
	}
	in.Participants = list
	if !slices.Contains(decisions, in.Decision) {
		fields = append(fields, apperr.FieldError{Field: "decision", Key: "error.child.decision_required"})
	}
	if in.Outcome == "" {
		fields = append(fields, apperr.FieldError{Field: "outcome", Key: "error.child.outcome_required"})
	}
	text(&fields, "outcome", in.Outcome, MaxText)
	switch {
	case in.ReviewOn == "":
		fields = append(fields, apperr.FieldError{Field: "review_on", Key: "error.child.review_required"})
	case !validDay(in.ReviewOn):
		fields = append(fields, apperr.FieldError{Field: "review_on", Key: "error.date_invalid"})
	case in.ReviewOn < earliest(now):
		fields = append(fields, apperr.FieldError{Field: "review_on", Key: "error.child.review_past"})
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// AssessBestInterest records a best-interest assessment of a child's case;
// its next review becomes the case's "best_interest_review" deadline.
func (s *Service) AssessBestInterest(ctx context.Context, actor access.Actor, caseID string, in NewBestInterest) (BestInterest, error) {
	now := s.cases.Now()
	if err := in.validate(now); err != nil {
		return BestInterest{}, err
	}
	b := BestInterest{ID: cases.NewID(), CaseID: caseID, HeldOn: in.HeldOn, Participants: in.Participants, ChildHeard: in.ChildHeard,
		Decision: in.Decision, Outcome: in.Outcome, ReviewOn: in.ReviewOn, RecordedBy: actor.UserID, RecordedAt: now}
	err := s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Children, func(tx *storage.Tx, a cases.Access) error {
		if !a.Case.Child {
			return notChild()
		}
		sealed, err := s.cases.Vault().Seal(ctx, tx, cases.Record(caseID), outcomeField(b.ID), []byte(b.Outcome))
		if err != nil {
			return fmt.Errorf("seal best-interest outcome: %w", err)
		}
		who, _ := json.Marshal(b.Participants)
		heard := 0
		if b.ChildHeard {
			heard = 1
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO child_assessments (id, case_id, org_id, held_on, participants, child_heard, decision, outcome, review_on, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			b.ID, caseID, a.Case.OrgID, b.HeldOn, string(who), heard, b.Decision, sealed, b.ReviewOn, actor.UserID, now); err != nil {
			return fmt.Errorf("insert best-interest assessment of case %s: %w", caseID, err)
		}
		due, _ := time.Parse(time.DateOnly, b.ReviewOn)
		if err := s.cases.SetDeadline(ctx, tx, a.Case, cases.Deadline{Kind: "best_interest_review", RefID: caseID, Due: due, RemindOn: due.AddDate(0, 0, -14)}); err != nil {
			return err
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "best_interest_assessed", Category: cases.Children, RefID: b.ID, Detail: b.Decision})
	})
	if err != nil {
		return BestInterest{}, err
	}
	return b, nil
}

func (s *Service) loadAssessments(ctx context.Context, tx *storage.Tx, caseID string) ([]BestInterest, error) {
	rows, err := tx.QueryContext(ctx, `SELECT b.id, b.case_id, b.held_on, b.participants, b.child_heard, b.decision, b.outcome, b.review_on,
			b.recorded_by, u.username, b.recorded_at
		FROM child_assessments b JOIN users u ON u.id = b.recorded_by
		WHERE b.case_id = $1 ORDER BY b.recorded_at DESC, b.id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load best-interest assessments of case %s: %w", caseID, err)
	}
	var out []BestInterest
	var sealed [][]byte
	for rows.Next() {
		var b BestInterest
		var who string
		var heard int
		var blob []byte
		if err := rows.Scan(&b.ID, &b.CaseID, &b.HeldOn, &who, &heard, &b.Decision, &blob, &b.ReviewOn, &b.RecordedBy, &b.RecordedByName, &b.RecordedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan best-interest assessment: %w", err)
		}
		if err := json.Unmarshal([]byte(who), &b.Participants); err != nil {
			rows.Close()
			return nil, fmt.Errorf("decode participants of %s: %w", b.ID, err)
		}
		b.ChildHeard = heard != 0
		out, sealed = append(out, b), append(sealed, blob)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load best-interest assessments of case %s: %w", caseID, err)
	}
	for i := range out {
		plain, err := s.cases.Vault().Open(ctx, tx, cases.Record(caseID), outcomeField(out[i].ID), sealed[i])
		if err != nil {
			return nil, fmt.Errorf("open best-interest outcome %s: %w", out[i].ID, err)
		}
		out[i].Outcome = string(plain)
	}
	return out, nil
}

func (in *TransitionInput) validate() error {
	in.Notes, in.Status = strings.TrimSpace(in.Notes), strings.TrimSpace(in.Status)
	var fields []apperr.FieldError
	list, ok := codes(in.Options, aftercareOptions)
	if !ok {
		fields = append(fields, apperr.FieldError{Field: "options", Key: "error.child.option_unknown"})
	}
	in.Options = list
	if !slices.Contains(transitionStatuses, in.Status) {
		fields = append(fields, apperr.FieldError{Field: "status", Key: "error.child.status_required"})
	}
	text(&fields, "notes", in.Notes, MaxText)
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// PlanTransition records or updates the plan for a child's transition at
// 18. A case that is not a child's is refused unless it already has a plan
// (the person may have turned 18 while it runs).
func (s *Service) PlanTransition(ctx context.Context, actor access.Actor, caseID string, in TransitionInput) (Transition, error) {
	if err := in.validate(); err != nil {
		return Transition{}, err
	}
	now := s.cases.Now()
	t := Transition{CaseID: caseID, Options: in.Options, Notes: in.Notes, Status: in.Status, CreatedAt: now, UpdatedBy: actor.UserID, UpdatedAt: now}
	err := s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Children, func(tx *storage.Tx, a cases.Access) error {
		var created time.Time
		err := tx.QueryRowContext(ctx, `SELECT created_at FROM child_transitions WHERE case_id = $1`, caseID).Scan(&created)
		exists := err == nil
		if err != nil && !apperr.Is(storage.MapError(err), apperr.NotFound) {
			return fmt.Errorf("load transition plan of case %s: %w", caseID, err)
		}
		if !a.Case.Child && !exists {
			return notChild()
		}
		// One plan per case: its notes are sealed under one field name, so
		// they are overwritten with the plan.
		sealed, err := s.cases.Vault().Seal(ctx, tx, cases.Record(caseID), transitionField(caseID), []byte(t.Notes))
		if err != nil {
			return fmt.Errorf("seal transition notes: %w", err)
		}
		opts, _ := json.Marshal(t.Options)
		if exists {
			t.CreatedAt = created
			_, err = tx.ExecContext(ctx, `UPDATE child_transitions SET options = $1, notes = $2, status = $3, updated_by = $4, updated_at = $5
				WHERE case_id = $6`, string(opts), sealed, t.Status, actor.UserID, now, caseID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO child_transitions (case_id, org_id, options, notes, status, created_at, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, caseID, a.Case.OrgID, string(opts), sealed, t.Status, now, actor.UserID, now)
		}
		if err != nil {
			return fmt.Errorf("save transition plan of case %s: %w", caseID, err)
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "transition_planned", Category: cases.Children, RefID: caseID, Detail: t.Status})
	})
	if err != nil {
		return Transition{}, err
	}
	return t, nil
}

func (s *Service) loadTransition(ctx context.Context, tx *storage.Tx, caseID string) (*Transition, error) {
	var t Transition
	var opts string
	var blob []byte
	err := tx.QueryRowContext(ctx, `SELECT case_id, options, notes, status, created_at, updated_by, updated_at
		FROM child_transitions WHERE case_id = $1`, caseID).Scan(&t.CaseID, &opts, &blob, &t.Status, &t.CreatedAt, &t.UpdatedBy, &t.UpdatedAt)
	if err != nil {
		if apperr.Is(storage.MapError(err), apperr.NotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("load transition plan of case %s: %w", caseID, err)
	}
	if err := json.Unmarshal([]byte(opts), &t.Options); err != nil {
		return nil, fmt.Errorf("decode transition options of case %s: %w", caseID, err)
	}
	plain, err := s.cases.Vault().Open(ctx, tx, cases.Record(caseID), transitionField(caseID), blob)
	if err != nil {
		return nil, fmt.Errorf("open transition notes of case %s: %w", caseID, err)
	}
	t.Notes = string(plain)
	return &t, nil
}

// Get returns the child protection record of a case, decrypted, as an
// audited read of the case's children category.
func (s *Service) Get(ctx context.Context, actor access.Actor, caseID string) (Record, error) {
	var out Record
	err := s.cases.View(ctx, actor, caseID, cases.Children, func(tx *storage.Tx, a cases.Access) error {
		var err error
		out, err = s.Export(ctx, tx, a)
		return err
	})
	return out, err
}

// Export reads the child protection record of a case, decrypted, inside a transaction that went
// through the case gate: for the case page and the data-protection export.
func (s *Service) Export(ctx context.Context, tx *storage.Tx, a cases.Access) (Record, error) {
	var out Record
	caseID := a.Case.ID
	out.Access, out.MajorityMonth = a, a.Case.MajorityMonth
	var err error
	if out.Guardians, err = s.loadGuardians(ctx, tx, caseID, true); err != nil {
		return Record{}, err
	}
	day := today(s.cases.Now())
	for i := range out.Guardians {
		if out.Guardians[i].Current(day) {
			out.Current = &out.Guardians[i]
			break
		}
	}
	if out.Assessments, err = s.loadAssessments(ctx, tx, caseID); err != nil {
		return Record{}, err
	}
	if out.Transition, err = s.loadTransition(ctx, tx, caseID); err != nil {
		return Record{}, err
	}
	out.Missing, err = s.loadMissing(ctx, tx, caseID, true)
	return out, err
}
