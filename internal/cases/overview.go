package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Overview is what the case's first page shows, read in one audited view.
type Overview struct {
	Access
	History  []StageChange
	Consents []ConsentRecord
	Team     []Member
	// Candidates could join the team (owner only).
	Candidates []Member
	// Deadlines of this case in categories the actor sees, soonest first.
	Deadlines []Deadline
}

// Overview reads the case's first page.
func (s *Service) Overview(ctx context.Context, actor access.Actor, caseID string) (Overview, error) {
	var o Overview
	err := s.View(ctx, actor, caseID, Profile, func(tx *storage.Tx, a Access) error {
		o.Access = a
		var err error
		if o.History, err = History(ctx, tx, caseID); err != nil {
			return err
		}
		if o.Consents, err = Consents(ctx, tx, caseID); err != nil {
			return err
		}
		if o.Team, err = Team(ctx, tx, a.Case); err != nil {
			return err
		}
		if a.Owner {
			if o.Candidates, err = Candidates(ctx, tx, a.Case); err != nil {
				return err
			}
		}
		if o.Deadlines, err = caseDeadlines(ctx, tx, a); err != nil {
			return err
		}
		return nil
	})
	return o, err
}

func caseDeadlines(ctx context.Context, tx *storage.Tx, a Access) ([]Deadline, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+deadlineColumns+` FROM case_deadlines d JOIN cases c ON c.id = d.case_id
		WHERE d.case_id = $1 ORDER BY d.due_on`, a.Case.ID)
	if err != nil {
		return nil, fmt.Errorf("load deadlines of case %s: %w", a.Case.ID, err)
	}
	all, err := scanDeadlines(rows)
	if err != nil {
		return nil, err
	}
	var out []Deadline
	for _, d := range all {
		if a.Sees(d.Category) {
			out = append(out, d)
		}
	}
	return out, nil
}

// SharesOf lists the shares of a case for its owner's sharing tab, with
// the consents they can rest on.
func (s *Service) SharesOf(ctx context.Context, actor access.Actor, caseID string) (Access, []Share, []ConsentRecord, error) {
	var acc Access
	var shares []Share
	var consents []ConsentRecord
	err := s.View(ctx, actor, caseID, Profile, func(tx *storage.Tx, a Access) error {
		if !a.Owner {
			return apperr.New(apperr.Forbidden, "error.case_not_owner")
		}
		acc = a
		var err error
		if shares, err = Shares(ctx, tx, caseID); err != nil {
			return err
		}
		consents, err = Consents(ctx, tx, caseID)
		return err
	})
	return acc, shares, consents, err
}

// ConsentTab is what the consent tab of a case shows.
type ConsentTab struct {
	Access   Access
	Consents []ConsentRecord
	Informed []Informed
	// Basis is the timeline entry of a case opened without the person's
	// consent on a legal basis (immediate danger, child protection); nil
	// when it opened otherwise.
	Basis *Event
}

// ConsentsOf reads the consent tab of a case: its consent records, the
// records of the person being informed, and the legal basis it opened on
// without consent, if any (an audited read of the consent category).
func (s *Service) ConsentsOf(ctx context.Context, actor access.Actor, caseID string) (ConsentTab, error) {
	var out ConsentTab
	err := s.View(ctx, actor, caseID, Consent, func(tx *storage.Tx, a Access) error {
		out.Access = a
		var err error
		if out.Consents, err = Consents(ctx, tx, caseID); err != nil {
			return err
		}
		if out.Informed, err = s.InformedOf(ctx, tx, caseID); err != nil {
			return err
		}
		var e Event
		err = tx.QueryRowContext(ctx, `SELECT kind, detail, COALESCE(actor_id, ''), at FROM case_events
			WHERE case_id = $1 AND category = 'consent' AND kind LIKE 'legal_basis_%' ORDER BY at LIMIT 1`, caseID).
			Scan(&e.Kind, &e.Detail, &e.ActorID, &e.At)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return fmt.Errorf("load legal basis of case %s: %w", caseID, err)
		}
		e.CaseID, e.Category = caseID, Consent
		out.Basis = &e
		return nil
	})
	return out, err
}
