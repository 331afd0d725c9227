package workgroup

import (
	"context"
	"fmt"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Member is an organisation of the partnership in the group, or a named
// person of one.
type Member struct {
	ID      string
	OrgID   string
	OrgName string
	// Name is the person's name; "" for the organisation itself.
	Name     string
	Function string
	// JoinedOn and LeftOn are YYYY-MM-DD; LeftOn is "" while a member.
	JoinedOn string
	LeftOn   string
}

// Person reports whether the member is a named person rather than an
// organisation.
func (m Member) Person() bool { return m.Name != "" }

// Current reports whether the member belongs to the group on day.
func (m Member) Current(day string) bool {
	return m.JoinedOn <= day && (m.LeftOn == "" || m.LeftOn >= day)
}

// MemberInput adds a member: an organisation, or with Name a person of it.
type MemberInput struct {
	OrgID    string
	Name     string
	Function string
	JoinedOn string
}

func (in *MemberInput) check(today string) fields {
	var fe fields
	in.OrgID, in.Name = strings.TrimSpace(in.OrgID), strings.TrimSpace(in.Name)
	in.Function, in.JoinedOn = strings.TrimSpace(in.Function), strings.TrimSpace(in.JoinedOn)
	if tooLong(in.Name, maxName) {
		fe.Add("name", "workgroup.error.too_long")
	}
	if tooLong(in.Function, maxName) {
		fe.Add("function", "workgroup.error.too_long")
	}
	switch {
	case !day(in.JoinedOn):
		fe.Add("joined_on", "workgroup.error.date")
	case in.JoinedOn > today:
		fe.Add("joined_on", "workgroup.error.date_future")
	}
	return fe
}

const memberColumns = `m.id, m.org_id, o.name, m.name, m.function, m.joined_on, m.left_on`

type memberRow struct {
	Member
	name []byte
}

func scanMember(r interface{ Scan(...any) error }) (memberRow, error) {
	var out memberRow
	err := r.Scan(&out.ID, &out.OrgID, &out.OrgName, &out.name, &out.Function, &out.JoinedOn, &out.LeftOn)
	return out, err
}

// members loads member rows matching where (with args), names decrypted.
func (s *Service) members(ctx context.Context, tx *storage.Tx, where string, args ...any) ([]Member, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+memberColumns+` FROM workgroup_members m JOIN organisations o ON o.id = m.org_id
		WHERE `+where+` ORDER BY o.name, m.joined_on, m.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	var list []memberRow
	for rows.Next() {
		r, err := scanMember(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan member: %w", err)
		}
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	out := make([]Member, 0, len(list))
	for _, r := range list {
		if r.name != nil {
			if r.Member.Name, err = s.open(ctx, tx, memberRecord(r.ID), "name", r.name); err != nil {
				return nil, err
			}
		}
		out = append(out, r.Member)
	}
	return out, nil
}

func (s *Service) member(ctx context.Context, tx *storage.Tx, id string) (Member, error) {
	list, err := s.members(ctx, tx, `m.id = $1`, id)
	if err != nil {
		return Member{}, err
	}
	if len(list) == 0 {
		return Member{}, apperr.New(apperr.NotFound, "error.not_found")
	}
	return list[0], nil
}

// AddMember adds an organisation, or a named person of one, to the group.
// An organisation that is a member already is refused.
func (s *Service) AddMember(ctx context.Context, actor access.Actor, in MemberInput) (Member, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageWorkingGroup, "workgroup_member", ""); err != nil {
		return Member{}, err
	}
	today := s.today()
	fe := in.check(today)
	var out Member
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := checkOrg(ctx, tx, &fe, "org", in.OrgID); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if in.Name == "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM workgroup_members WHERE org_id = $1 AND name IS NULL AND left_on = ''`,
				in.OrgID).Scan(&n); err != nil {
				return fmt.Errorf("check membership of %s: %w", in.OrgID, err)
			}
			if n > 0 {
				return apperr.Validation(apperr.FieldError{Field: "org", Key: "workgroup.error.already_member"})
			}
		}
		id, now := newID(), s.now()
		var name []byte
		if in.Name != "" {
			var err error
			if name, err = s.vault.Seal(ctx, tx, memberRecord(id), "name", []byte(in.Name)); err != nil {
				return fmt.Errorf("seal name of member %s: %w", id, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO workgroup_members (id, org_id, name, function, joined_on, left_on,
				created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, '', $6, $7, $6, $7)`,
			id, in.OrgID, name, in.Function, in.JoinedOn, actor.UserID, now); err != nil {
			return fmt.Errorf("insert member: %w", storage.MapError(err))
		}
		kind := "organisation"
		if in.Name != "" {
			kind = "person"
		}
		if err := s.gate.Record(ctx, tx, actor, "workgroup.member.add", "workgroup_member", id, in.OrgID, kind); err != nil {
			return err
		}
		var err error
		out, err = s.member(ctx, tx, id)
		return err
	})
	return out, err
}

// Leave records that a member left the group on leftOn (YYYY-MM-DD), which
// is neither before they joined nor in the future.
func (s *Service) Leave(ctx context.Context, actor access.Actor, id, leftOn string) (Member, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageWorkingGroup, "workgroup_member", id); err != nil {
		return Member{}, err
	}
	leftOn = strings.TrimSpace(leftOn)
	today := s.today()
	var out Member
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var joined, left string
		if err := tx.QueryRowContext(ctx, `SELECT joined_on, left_on FROM workgroup_members WHERE id = $1`+tx.ForUpdate(), id).
			Scan(&joined, &left); err != nil {
			return fmt.Errorf("load member %s: %w", id, storage.MapError(err))
		}
		switch {
		case left != "":
			return apperr.New(apperr.Conflict, "workgroup.error.already_left")
		case !day(leftOn):
			return apperr.Validation(apperr.FieldError{Field: "left_on", Key: "workgroup.error.date"})
		case leftOn > today:
			return apperr.Validation(apperr.FieldError{Field: "left_on", Key: "workgroup.error.date_future"})
		case leftOn < joined:
			return apperr.Validation(apperr.FieldError{Field: "left_on", Key: "workgroup.error.left_before_joined"})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE workgroup_members SET left_on = $1, updated_by = $2, updated_at = $3 WHERE id = $4`,
			leftOn, actor.UserID, s.now(), id); err != nil {
			return fmt.Errorf("update member %s: %w", id, err)
		}
		var err error
		if out, err = s.member(ctx, tx, id); err != nil {
			return err
		}
		return s.gate.Record(ctx, tx, actor, "workgroup.member.leave", "workgroup_member", id, out.OrgID, "")
	})
	return out, err
}
