package businesses

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// CommitmentInput is the commitment form.
type CommitmentInput struct {
	Kind       string
	MadeOn     string
	Note       string
	FollowUpOn string
}

const commitmentColumns = `c.id, c.business_id, b.name, c.kind, c.made_on, c.note, c.follow_up_on, c.followed_on`

// commitments lists commitments matching where (with its ORDER BY).
func commitments(ctx context.Context, tx *storage.Tx, where string, args ...any) ([]Commitment, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+commitmentColumns+` FROM business_commitments c JOIN businesses b ON b.id = c.business_id
		WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list commitments: %w", err)
	}
	defer rows.Close()
	var out []Commitment
	for rows.Next() {
		var c Commitment
		if err := rows.Scan(&c.ID, &c.BusinessID, &c.BusinessName, &c.Kind, &c.MadeOn, &c.Note, &c.FollowUpOn, &c.FollowedOn); err != nil {
			return nil, fmt.Errorf("scan commitment: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddCommitment records what business id committed to. The follow-up, if
// any, comes after the commitment was made.
func (s *Service) AddCommitment(ctx context.Context, actor access.Actor, id string, in CommitmentInput) (Commitment, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageBusinesses, "business", id); err != nil {
		return Commitment{}, err
	}
	in.Kind, in.Note = strings.TrimSpace(in.Kind), strings.TrimSpace(in.Note)
	var fe apperr.Fields
	if !slices.Contains(commitmentKinds, in.Kind) {
		fe.Add("kind", "businesses.error.commitment_kind")
	}
	made, ok := date(in.MadeOn)
	if !ok || made > s.today() {
		fe.Add("made_on", "businesses.error.made_on")
	}
	follow := ""
	if strings.TrimSpace(in.FollowUpOn) != "" {
		if follow, ok = date(in.FollowUpOn); !ok || (made != "" && follow <= made) {
			fe.Add("follow_up_on", "businesses.error.follow_up_on")
		}
	}
	if tooLong(in.Note, maxNote) {
		fe.Add("note", "businesses.error.note")
	}
	if err := fe.Err(); err != nil {
		return Commitment{}, err
	}
	var out Commitment
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := get(ctx, tx, id); err != nil {
			return err
		}
		cid := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO business_commitments (id, business_id, kind, made_on, note, follow_up_on, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, cid, id, in.Kind, made, in.Note, follow, actor.UserID, s.now()); err != nil {
			return fmt.Errorf("insert commitment: %w", err)
		}
		if err := s.gate.Record(ctx, tx, actor, "businesses.commitment.add", "business", id, "", in.Kind); err != nil {
			return err
		}
		list, err := commitments(ctx, tx, `c.id = $1`, cid)
		if err != nil {
			return err
		}
		out = list[0]
		return nil
	})
	return out, err
}

// FollowedUp records that commitment id was followed up today and sets the
// next follow-up date, "" for none.
func (s *Service) FollowedUp(ctx context.Context, actor access.Actor, id, next string) (Commitment, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageBusinesses, "business_commitment", id); err != nil {
		return Commitment{}, err
	}
	today := s.today()
	follow := ""
	if strings.TrimSpace(next) != "" {
		var ok bool
		if follow, ok = date(next); !ok || follow <= today {
			return Commitment{}, apperr.Validation(apperr.FieldError{Field: "next_follow_up_on", Key: "businesses.error.next_follow_up"})
		}
	}
	var out Commitment
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE business_commitments SET followed_on = $1, follow_up_on = $2 WHERE id = $3`, today, follow, id)
		if err != nil {
			return fmt.Errorf("record follow-up: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		list, err := commitments(ctx, tx, `c.id = $1`, id)
		if err != nil {
			return err
		}
		out = list[0]
		return s.gate.Record(ctx, tx, actor, "businesses.commitment.followed_up", "business", out.BusinessID, "", out.Kind)
	})
	return out, err
}
