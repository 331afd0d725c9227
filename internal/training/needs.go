package training

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Need is a training need of an actor group, and when known of one
// organisation and job role.
type Need struct {
	ID      string
	OrgID   string
	OrgName string
	Group   string
	// Role is the job role in the organisation's words ("front desk").
	Role     string
	Topic    string
	Priority string
	// SourceKind is FromMapping (SourceID names the round) or Entered.
	SourceKind string
	SourceID   string
	// Status is "open" or "met".
	Status    string
	CreatedAt time.Time
}

// NeedInput records a need. An empty Group is the organisation's; an
// empty SourceKind is Entered.
type NeedInput struct {
	OrgID      string
	Group      string
	Role       string
	Topic      string
	Priority   string
	SourceKind string
	SourceID   string
}

func (in *NeedInput) check() fields {
	var fe fields
	for _, p := range []*string{&in.OrgID, &in.Group, &in.Role, &in.Topic, &in.Priority, &in.SourceKind, &in.SourceID} {
		*p = strings.TrimSpace(*p)
	}
	if in.SourceKind == "" {
		in.SourceKind = Entered
	}
	if tooLong(in.Role, maxRole) {
		fe.Add("role", "training.error.too_long")
	}
	if in.Topic == "" || tooLong(in.Topic, maxText) {
		fe.Add("topic", "training.error.topic")
	}
	if !slices.Contains(priorities, in.Priority) {
		fe.Add("priority", "training.error.priority")
	}
	switch in.SourceKind {
	case FromMapping:
		if in.SourceID == "" || tooLong(in.SourceID, 64) {
			fe.Add("source_id", "training.error.source")
		}
	case Entered:
		if in.SourceID != "" {
			fe.Add("source_id", "training.error.source")
		}
	default:
		fe.Add("source_kind", "training.error.source")
	}
	return fe
}

// resolveGroup checks an optional organisation and fills an empty group
// with the organisation kind's; field names the form's fields.
func resolveGroup(ctx context.Context, tx *storage.Tx, fe *fields, orgField, groupField, orgID string, group *string) error {
	if orgID != "" {
		kind, err := orgKind(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if kind == "" {
			fe.Add(orgField, "training.error.org_unknown")
			return nil
		}
		if *group == "" {
			*group = GroupOfKind(kind)
		}
	}
	if !slices.Contains(groups, *group) {
		fe.Add(groupField, "training.error.group")
	}
	return nil
}

const needColumns = `n.id, COALESCE(n.org_id, ''), COALESCE(o.name, ''), n.actor_group, n.role, n.topic, n.priority, n.source_kind, n.source_id, n.status, n.created_at`

func needs(ctx context.Context, tx *storage.Tx, where string, args ...any) ([]Need, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+needColumns+` FROM training_needs n LEFT JOIN organisations o ON o.id = n.org_id
		WHERE `+where+` ORDER BY CASE n.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, n.created_at, n.id LIMIT 1000`, args...)
	if err != nil {
		return nil, fmt.Errorf("list training needs: %w", err)
	}
	defer rows.Close()
	var out []Need
	for rows.Next() {
		var n Need
		if err := rows.Scan(&n.ID, &n.OrgID, &n.OrgName, &n.Group, &n.Role, &n.Topic, &n.Priority, &n.SourceKind, &n.SourceID, &n.Status, &n.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan training need: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// CreateNeed records a training need.
func (s *Service) CreateNeed(ctx context.Context, actor access.Actor, in NeedInput) (Need, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageTraining, "training_need", ""); err != nil {
		return Need{}, err
	}
	fe := in.check()
	var out Need
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := resolveGroup(ctx, tx, &fe, "org", "group", in.OrgID, &in.Group); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		id, now := newID(), s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO training_needs (id, org_id, actor_group, role, topic, priority, source_kind, source_id, status,
				created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $9, $10)`,
			id, storage.NullString(in.OrgID), in.Group, in.Role, in.Topic, in.Priority, in.SourceKind, in.SourceID, actor.UserID, now); err != nil {
			return fmt.Errorf("insert training need: %w", err)
		}
		if err := s.gate.Record(ctx, tx, actor, "training.need.create", "training_need", id, in.OrgID, in.Group+" "+in.SourceKind); err != nil {
			return err
		}
		list, err := needs(ctx, tx, `n.id = $1`, id)
		if err == nil {
			out = list[0]
		}
		return err
	})
	return out, err
}

// MeetNeed marks an open need as met.
func (s *Service) MeetNeed(ctx context.Context, actor access.Actor, id string) error {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageTraining, "training_need", id); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		var status, org string
		if err := tx.QueryRowContext(ctx, `SELECT status, COALESCE(org_id, '') FROM training_needs WHERE id = $1`+tx.ForUpdate(), id).Scan(&status, &org); err != nil {
			return fmt.Errorf("load training need %s: %w", id, storage.MapError(err))
		}
		if status != "open" {
			return apperr.New(apperr.Conflict, "training.error.need_met")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE training_needs SET status = 'met', updated_by = $1, updated_at = $2 WHERE id = $3`,
			actor.UserID, s.now(), id); err != nil {
			return fmt.Errorf("update training need %s: %w", id, err)
		}
		return s.gate.Record(ctx, tx, actor, "training.need.met", "training_need", id, org, "")
	})
}

// NeedsFrom lists the needs recorded from one source (a mapping round), by
// priority: the mapping report's "training needs by organisation and role".
func (s *Service) NeedsFrom(ctx context.Context, actor access.Actor, kind, id string) ([]Need, error) {
	if err := s.readable(ctx, actor, "training_need", ""); err != nil {
		return nil, err
	}
	var out []Need
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = needs(ctx, tx, `n.source_kind = $1 AND n.source_id = $2`, kind, id)
		return err
	})
	return out, err
}
