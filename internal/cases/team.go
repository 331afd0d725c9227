package cases

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Member is a user on a case's team.
type Member struct {
	UserID   string
	Username string
	OrgName  string
	Worker   bool
	AddedAt  time.Time
}

// Team lists the case's worker and team, inside a transaction that went
// through the gate.
func Team(ctx context.Context, tx *storage.Tx, c Case) ([]Member, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.username, o.name, m.added_at
		FROM users u JOIN organisations o ON o.id = u.org_id
		LEFT JOIN case_members m ON m.user_id = u.id AND m.case_id = $1
		WHERE m.case_id = $1 OR u.id = $2 ORDER BY u.username`, c.ID, c.WorkerID)
	if err != nil {
		return nil, fmt.Errorf("load team of case %s: %w", c.ID, err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		var added *time.Time
		if err := rows.Scan(&m.UserID, &m.Username, &m.OrgName, &added); err != nil {
			return nil, fmt.Errorf("scan team of case %s: %w", c.ID, err)
		}
		m.Worker = m.UserID == c.WorkerID
		if added != nil {
			m.AddedAt = *added
		} else {
			m.AddedAt = c.CreatedAt
		}
		if m.Worker {
			// The responsible worker comes first.
			out = append([]Member{m}, out...)
			continue
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetWorker makes a case worker of the owning organisation responsible for
// the case.
func (s *Service) SetWorker(ctx context.Context, actor access.Actor, caseID, userID string) error {
	return s.Change(ctx, actor, access.ManageCases, caseID, Profile, func(tx *storage.Tx, a Access) error {
		if err := checkWorker(ctx, tx, a.Case.OrgID, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET worker_id = $1 WHERE id = $2`, userID, caseID); err != nil {
			return fmt.Errorf("set worker of case %s: %w", caseID, err)
		}
		return s.Log(ctx, tx, actor, a.Case, Event{Kind: "worker_set", Category: Profile, RefID: userID})
	})
}

// AddMember puts a user on the case's team: a user of the owning
// organisation, or of an organisation the case is shared with, who may then
// see what their organisation sees, including the identity if it was given.
func (s *Service) AddMember(ctx context.Context, actor access.Actor, caseID, userID string) error {
	return s.Change(ctx, actor, access.ManageCases, caseID, Profile, func(tx *storage.Tx, a Access) error {
		var orgID string
		err := tx.QueryRowContext(ctx, `SELECT u.org_id FROM users u WHERE u.id = $1 AND u.disabled_at IS NULL
			AND u.role IN ('case_worker', 'coordinator', 'police_contact')
			AND (u.org_id = $2 OR u.org_id IN (SELECT to_org FROM case_shares WHERE case_id = $3 AND status = 'accepted'))`,
			userID, a.Case.OrgID, caseID).Scan(&orgID)
		if err != nil {
			if apperr.Is(storage.MapError(err), apperr.NotFound) {
				return apperr.Validation(apperr.FieldError{Field: "user", Key: "error.case_member_unknown"})
			}
			return fmt.Errorf("check member %s: %w", userID, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO case_members (case_id, user_id, org_id, added_by, added_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (case_id, user_id) DO NOTHING`, caseID, userID, orgID, actor.UserID, s.now())
		if err != nil {
			return fmt.Errorf("add member to case %s: %w", caseID, err)
		}
		return s.Log(ctx, tx, actor, a.Case, Event{Kind: "member_added", Category: Profile, RefID: userID})
	})
}

// RemoveMember takes a user off the case's team.
func (s *Service) RemoveMember(ctx context.Context, actor access.Actor, caseID, userID string) error {
	return s.Change(ctx, actor, access.ManageCases, caseID, Profile, func(tx *storage.Tx, a Access) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_members WHERE case_id = $1 AND user_id = $2`, caseID, userID); err != nil {
			return fmt.Errorf("remove member from case %s: %w", caseID, err)
		}
		return s.Log(ctx, tx, actor, a.Case, Event{Kind: "member_removed", Category: Profile, RefID: userID})
	})
}

// Candidates lists the users who could join the team of a case: active
// case workers, coordinators and police contacts of the owning organisation
// and of the organisations it is shared with.
func Candidates(ctx context.Context, tx *storage.Tx, c Case) ([]Member, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.username, o.name FROM users u JOIN organisations o ON o.id = u.org_id
		WHERE u.disabled_at IS NULL AND u.role IN ('case_worker', 'coordinator', 'police_contact')
		  AND (u.org_id = $1 OR u.org_id IN (SELECT to_org FROM case_shares WHERE case_id = $2 AND status = 'accepted'))
		ORDER BY o.name, u.username LIMIT 200`, c.OrgID, c.ID)
	if err != nil {
		return nil, fmt.Errorf("list team candidates of case %s: %w", c.ID, err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.UserID, &m.Username, &m.OrgName); err != nil {
			return nil, fmt.Errorf("scan candidate: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
