package cases

import (
	"context"
	"encoding/json"
	"fmt"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// RevealPerson shows who the person is. Only the case team of an
// organisation that sees the identity category may, and only after a
// recent step-up; the reading is audited.
func (s *Service) RevealPerson(ctx context.Context, actor access.Actor, caseID string) (Access, Person, error) {
	if _, err := s.authorize(ctx, actor, access.RevealIdentity, "case", caseID); err != nil {
		return Access{}, Person{}, err
	}
	var p Person
	var acc Access
	err := s.View(ctx, actor, caseID, Identity, func(tx *storage.Tx, a Access) error {
		acc = a
		if !a.Member {
			return apperr.New(apperr.Forbidden, "error.case_not_member")
		}
		// The step-up is asked for only once the case is known to be in
		// reach, so a case out of reach looks missing rather than guarded.
		if !actor.SteppedUp {
			return apperr.New(apperr.StepUp, "error.step_up")
		}
		var err error
		if p, err = s.PersonIn(ctx, tx, a.Case); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "case.reveal_identity", audit.Allowed, "case", caseID, a.Case.OrgID, "")
	})
	return acc, p, err
}

// PersonIn decrypts the identity of a case inside a transaction that went
// through the gate (the data-protection export). An anonymised case has none.
func (s *Service) PersonIn(ctx context.Context, tx *storage.Tx, c Case) (Person, error) {
	var sealed []byte
	if err := tx.QueryRowContext(ctx, `SELECT identity FROM cases WHERE id = $1`, c.ID).Scan(&sealed); err != nil {
		return Person{}, fmt.Errorf("load identity of case %s: %w", c.ID, storage.MapError(err))
	}
	if sealed == nil {
		return Person{}, nil
	}
	plain, err := s.vault.Open(ctx, tx, Record(c.ID), "identity", sealed)
	if err != nil {
		return Person{}, fmt.Errorf("open identity of case %s: %w", c.ID, err)
	}
	var p Person
	if err := json.Unmarshal(plain, &p); err != nil {
		return Person{}, fmt.Errorf("decode identity of case %s: %w", c.ID, err)
	}
	return p, nil
}

// UpdatePerson corrects the person's identity and demographics. Like
// reading the identity it needs the case team and a step-up.
func (s *Service) UpdatePerson(ctx context.Context, actor access.Actor, caseID string, in PersonInput) (Case, error) {
	in.Normalise()
	var out Case
	// The case team corrects the identity it may see, whatever else its
	// members may change.
	err := s.Change(ctx, actor, access.RevealIdentity, caseID, Identity, func(tx *storage.Tx, a Access) error {
		if !a.Member {
			return apperr.New(apperr.Forbidden, "error.case_not_member")
		}
		if !actor.SteppedUp {
			return apperr.New(apperr.StepUp, "error.step_up")
		}
		d, err := in.Demographics(s.now())
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE cases SET gender = $1, age_band = $2, age_estimated = $3, child = $4, majority_month = $5,
			citizenships = $6, languages = $7, interpreter = $8, contact_method = $9, exploitation = $10 WHERE id = $11`,
			d.Gender, d.AgeBand, storage.Flag(d.AgeEstimated), storage.Flag(d.Child), d.MajorityMonth, jsonList(d.Citizenships),
			jsonList(d.Languages), storage.Flag(d.Interpreter), d.ContactMethod, jsonList(d.Exploitation), caseID)
		if err != nil {
			return fmt.Errorf("update person of case %s: %w", caseID, err)
		}
		if err := s.sealPerson(ctx, tx, caseID, a.Case.OrgID, in.Person); err != nil {
			return err
		}
		out = a.Case
		out.Demographics = d
		if err := s.setMajorityDeadline(ctx, tx, out); err != nil {
			return err
		}
		return s.Log(ctx, tx, actor, a.Case, Event{Kind: "person_updated", Category: Identity})
	})
	return out, err
}

// Anonymise removes what identifies the person from a case inside the
// caller's transaction: the data key of the case record is forgotten, so
// every field sealed under it (identity, notes, the capabilities' free
// text) becomes unreadable at once; the identity column and the name search
// tokens are deleted and the deadlines dropped. Codes stay for statistics.
// Retention and erasure requests (package dataprotection) call it inside
// Change with access.ExportCase.
func (s *Service) Anonymise(ctx context.Context, tx *storage.Tx, actor access.Actor, c Case, reason string) error {
	if err := s.vault.Forget(ctx, tx, Record(c.ID)); err != nil {
		return fmt.Errorf("forget key of case %s: %w", c.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET identity = NULL, majority_month = '', anonymised_at = $1 WHERE id = $2`, s.now(), c.ID); err != nil {
		return fmt.Errorf("anonymise case %s: %w", c.ID, err)
	}
	for _, q := range []string{
		`UPDATE case_events SET body = NULL, attachment = NULL WHERE case_id = $1`,
		`DELETE FROM case_search WHERE case_id = $1`,
		`DELETE FROM case_deadlines WHERE case_id = $1`,
		`DELETE FROM case_members WHERE case_id = $1`,
	} {
		if _, err := tx.ExecContext(ctx, q, c.ID); err != nil {
			return fmt.Errorf("anonymise case %s: %w", c.ID, err)
		}
	}
	return s.Log(ctx, tx, actor, c, Event{Kind: "anonymised", Category: Profile, Detail: reason})
}
