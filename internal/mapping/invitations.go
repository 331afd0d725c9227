package mapping

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Limits of a link invitation.
const (
	MaxLinkUses = 500
	MaxLinkDays = 90
	maxLabel    = 200
)

// Invitation asks an organisation's respondents, or the holders of a
// link, to answer one questionnaire of a round.
type Invitation struct {
	ID              string
	RoundID         string
	QuestionnaireID string
	// OrgID and OrgName name the invited organisation; Role narrows it to
	// one role ("" for every role that may respond).
	OrgID, OrgName string
	Role           access.Role
	// Link invitations have a RespondentKind (the key actor it was made
	// for), a Label, a cap on answers and an expiry.
	Link           bool
	RespondentKind string
	Label          string
	MaxUses, Uses  int
	ExpiresAt      *time.Time
	CreatedAt      time.Time
	// Token is the secret part of the link /m/{token}, returned once by
	// Invite and never stored.
	Token string
}

// InviteInput is the invitation form: an organisation (and role), or a link.
type InviteInput struct {
	QuestionnaireID string
	OrgID           string
	Role            string
	Link            bool
	RespondentKind  string
	Label           string
	MaxUses         int
	// Days is how long the link works.
	Days int
}

// tokenHash is the stored form of a link token: the token is 32 random
// bytes, so a plain SHA-256 cannot be reversed by guessing.
func tokenHash(token string) []byte {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) != 32 {
		return nil
	}
	sum := sha256.Sum256(raw)
	return sum[:]
}

func newToken() string {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // crypto/rand.Read never fails; it crashes the program instead.
	return base64.RawURLEncoding.EncodeToString(raw)
}

// mayRespond reports whether role can be asked to answer at all.
func mayRespond(role access.Role) bool {
	return access.ReachOf(role, access.RespondMapping) != access.None
}

func (in *InviteInput) check() fields {
	var fe fields
	in.QuestionnaireID, in.OrgID = strings.TrimSpace(in.QuestionnaireID), strings.TrimSpace(in.OrgID)
	in.Role, in.RespondentKind, in.Label = strings.TrimSpace(in.Role), strings.TrimSpace(in.RespondentKind), strings.TrimSpace(in.Label)
	if in.QuestionnaireID == "" {
		fe.bad("questionnaire", "mapping.error.questionnaire")
	}
	if !in.Link {
		if in.OrgID == "" {
			fe.bad("org", "mapping.error.org")
		}
		if in.Role != "" && !mayRespond(access.Role(in.Role)) {
			fe.bad("role", "mapping.error.role")
		}
		return fe
	}
	if !slices.Contains(Actors(), in.RespondentKind) {
		fe.bad("respondent_kind", "mapping.error.respondent_kind")
	}
	if tooLong(in.Label, maxLabel) {
		fe.bad("label", "mapping.error.label")
	}
	if in.MaxUses < 1 || in.MaxUses > MaxLinkUses {
		fe.bad("max_uses", "mapping.error.max_uses")
	}
	if in.Days < 1 || in.Days > MaxLinkDays {
		fe.bad("days", "mapping.error.days")
	}
	return fe
}

// Invite invites an organisation (or one role in it) to answer a
// questionnaire of a round, or makes a link for people without an
// account; the link's token is in the returned Invitation only.
func (s *Service) Invite(ctx context.Context, actor access.Actor, roundID string, in InviteInput) (Invitation, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageMapping, "mapping_round", roundID); err != nil {
		return Invitation{}, err
	}
	if err := in.check().err(); err != nil {
		return Invitation{}, err
	}
	inv := Invitation{ID: newID(), RoundID: roundID, QuestionnaireID: in.QuestionnaireID, Link: in.Link, CreatedAt: s.now()}
	var org sql.NullString
	var hash []byte
	if in.Link {
		inv.Token = newToken()
		hash = tokenHash(inv.Token)
		expires := inv.CreatedAt.Add(time.Duration(in.Days) * 24 * time.Hour)
		inv.RespondentKind, inv.Label, inv.MaxUses, inv.ExpiresAt = in.RespondentKind, in.Label, in.MaxUses, &expires
	} else {
		inv.OrgID, inv.Role = in.OrgID, access.Role(in.Role)
		org = storage.NullString(in.OrgID)
	}
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		r, err := getRound(ctx, tx, roundID)
		if err != nil {
			return err
		}
		if r.Status == Closed {
			return apperr.New(apperr.Conflict, "mapping.error.round_closed")
		}
		if !r.Asks(in.QuestionnaireID) {
			return apperr.Validation(apperr.FieldError{Field: "questionnaire", Key: "mapping.error.questionnaire"})
		}
		if !in.Link {
			err := tx.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = $1 AND disabled_at IS NULL`, in.OrgID).Scan(&inv.OrgName)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Validation(apperr.FieldError{Field: "org", Key: "mapping.error.org"})
			}
			if err != nil {
				return fmt.Errorf("load organisation %s: %w", in.OrgID, err)
			}
			var dup bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM mapping_invitations WHERE round_id = $1 AND questionnaire_id = $2
				AND org_id = $3 AND (role = '' OR role = $4) AND revoked_at IS NULL)`, roundID, in.QuestionnaireID, in.OrgID, in.Role).Scan(&dup); err != nil {
				return fmt.Errorf("check invitation: %w", err)
			}
			if dup {
				return apperr.New(apperr.Conflict, "mapping.error.invited")
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mapping_invitations (id, round_id, questionnaire_id, org_id, role, respondent_kind, label,
			token_hash, max_uses, uses, expires_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12)`,
			inv.ID, roundID, in.QuestionnaireID, org, string(inv.Role), inv.RespondentKind, inv.Label, hash, inv.MaxUses, inv.ExpiresAt,
			actor.UserID, inv.CreatedAt); err != nil {
			return fmt.Errorf("store invitation: %w", storage.MapError(err))
		}
		detail := "org"
		if in.Link {
			detail = "link"
		}
		return s.log(ctx, tx, actor, "invite", "mapping_round", roundID, detail)
	})
	if err != nil {
		return Invitation{}, err
	}
	return inv, nil
}

// Invitations lists a round's invitations for those who run the mapping.
func (s *Service) Invitations(ctx context.Context, actor access.Actor, roundID string) ([]Invitation, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageMapping, "mapping_round", roundID); err != nil {
		return nil, err
	}
	var out []Invitation
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT i.id, i.round_id, i.questionnaire_id, COALESCE(i.org_id, ''), COALESCE(o.name, ''), i.role,
			i.token_hash IS NOT NULL, i.respondent_kind, i.label, i.max_uses, i.uses, i.expires_at, i.created_at
			FROM mapping_invitations i LEFT JOIN organisations o ON o.id = i.org_id
			WHERE i.round_id = $1 AND i.revoked_at IS NULL ORDER BY i.created_at, i.id`, roundID)
		if err != nil {
			return fmt.Errorf("list invitations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var inv Invitation
			if err := rows.Scan(&inv.ID, &inv.RoundID, &inv.QuestionnaireID, &inv.OrgID, &inv.OrgName, &inv.Role, &inv.Link,
				&inv.RespondentKind, &inv.Label, &inv.MaxUses, &inv.Uses, &inv.ExpiresAt, &inv.CreatedAt); err != nil {
				return fmt.Errorf("scan invitation: %w", err)
			}
			out = append(out, inv)
		}
		return rows.Err()
	})
	return out, err
}

// Assignment is a questionnaire a respondent is asked to answer.
type Assignment struct {
	Round         Round
	Questionnaire Questionnaire
	// AnsweredAt is when the respondent last answered it, nil before.
	AnsweredAt *time.Time
}

// Assigned lists the questionnaires of open rounds the actor's
// organisation (or role) is invited to answer.
func (s *Service) Assigned(ctx context.Context, actor access.Actor) ([]Assignment, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.RespondMapping, "mapping_round", ""); err != nil {
		return nil, err
	}
	var out []Assignment
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT i.round_id, i.questionnaire_id FROM mapping_invitations i
			JOIN mapping_rounds r ON r.id = i.round_id
			WHERE i.org_id = $1 AND (i.role = '' OR i.role = $2) AND i.revoked_at IS NULL AND r.status = 'open'`, actor.OrgID, string(actor.Role))
		if err != nil {
			return fmt.Errorf("list assignments: %w", err)
		}
		type pair struct{ round, q string }
		var pairs []pair
		for rows.Next() {
			var p pair
			if err := rows.Scan(&p.round, &p.q); err != nil {
				rows.Close()
				return fmt.Errorf("scan assignment: %w", err)
			}
			pairs = append(pairs, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, p := range pairs {
			r, err := getRound(ctx, tx, p.round)
			if err != nil {
				return err
			}
			q, err := getQuestionnaire(ctx, tx, p.q)
			if err != nil {
				return err
			}
			a := Assignment{Round: r, Questionnaire: q}
			var at time.Time
			err = tx.QueryRowContext(ctx, `SELECT submitted_at FROM mapping_responses WHERE round_id = $1 AND questionnaire_id = $2 AND respondent_user = $3`,
				p.round, p.q, actor.UserID).Scan(&at)
			switch {
			case err == nil:
				a.AnsweredAt = &at
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("load own response: %w", err)
			}
			out = append(out, a)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b Assignment) int {
		if c := strings.Compare(b.Round.PeriodStart, a.Round.PeriodStart); c != 0 {
			return c
		}
		return strings.Compare(a.Questionnaire.Title, b.Questionnaire.Title)
	})
	return out, err
}

// invitationFor finds the invitation that lets actor answer questionnaire
// qID of round roundID; anything else is not found, so a respondent learns
// nothing of questionnaires they were not asked.
func invitationFor(ctx context.Context, tx *storage.Tx, actor access.Actor, roundID, qID string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM mapping_invitations WHERE round_id = $1 AND questionnaire_id = $2 AND org_id = $3
		AND (role = '' OR role = $4) AND revoked_at IS NULL ORDER BY role DESC, created_at LIMIT 1`, roundID, qID, actor.OrgID, string(actor.Role)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.New(apperr.NotFound, "mapping.error.not_invited")
	}
	if err != nil {
		return "", fmt.Errorf("find invitation: %w", err)
	}
	return id, nil
}

// linkRow is a link invitation and the state of its round.
type linkRow struct {
	id, roundID, qID, kind string
	maxUses, uses          int
	expiresAt              time.Time
	status                 string
}

// loadLink finds the link of token and says why it no longer works:
// unknown (forged or mistyped), used up, expired, or its round not open.
func (s *Service) loadLink(ctx context.Context, tx *storage.Tx, token string, lock bool) (linkRow, error) {
	hash := tokenHash(token)
	if hash == nil {
		return linkRow{}, apperr.New(apperr.NotFound, "mapping.error.link_unknown")
	}
	suffix := ""
	if lock {
		suffix = tx.ForUpdate()
	}
	var l linkRow
	var expires *time.Time
	err := tx.QueryRowContext(ctx, `SELECT i.id, i.round_id, i.questionnaire_id, i.respondent_kind, i.max_uses, i.uses, i.expires_at,
		(SELECT r.status FROM mapping_rounds r WHERE r.id = i.round_id)
		FROM mapping_invitations i WHERE i.token_hash = $1 AND i.revoked_at IS NULL`+suffix, hash).
		Scan(&l.id, &l.roundID, &l.qID, &l.kind, &l.maxUses, &l.uses, &expires, &l.status)
	if errors.Is(err, sql.ErrNoRows) {
		return linkRow{}, apperr.New(apperr.NotFound, "mapping.error.link_unknown")
	}
	if err != nil {
		return linkRow{}, fmt.Errorf("load link: %w", err)
	}
	switch {
	case expires == nil || !s.now().Before(*expires):
		return linkRow{}, apperr.New(apperr.Conflict, "mapping.error.link_expired")
	case l.uses >= l.maxUses:
		return linkRow{}, apperr.New(apperr.Conflict, "mapping.error.link_used")
	case l.status != Open:
		return linkRow{}, apperr.New(apperr.Conflict, "mapping.error.round_"+l.status)
	}
	return l, nil
}

// Revoke ends an invitation: the organisation no longer sees the
// questionnaire and a link stops working. Answers given stay. It returns
// the invitation's round.
func (s *Service) Revoke(ctx context.Context, actor access.Actor, id string) (string, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageMapping, "mapping_invitation", id); err != nil {
		return "", err
	}
	var round string
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var revoked *time.Time
		err := tx.QueryRowContext(ctx, `SELECT round_id, revoked_at FROM mapping_invitations WHERE id = $1`+tx.ForUpdate(), id).Scan(&round, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "mapping.error.no_invitation")
		}
		if err != nil {
			return fmt.Errorf("load invitation %s: %w", id, err)
		}
		if revoked != nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mapping_invitations SET revoked_at = $1 WHERE id = $2`, s.now(), id); err != nil {
			return fmt.Errorf("revoke invitation %s: %w", id, err)
		}
		return s.log(ctx, tx, actor, "revoke", "mapping_invitation", id, "round="+round)
	})
	return round, err
}
