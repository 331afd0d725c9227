package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/storage"
)

// ActivationLifetime is how long an activation link works: long enough for
// a weekend, short enough that a forgotten link soon stops working.
const ActivationLifetime = 72 * time.Hour

// Activation is an account's new activation link.
type Activation struct {
	// Token is the secret part of the link /activate/{token}. It is empty
	// when the link went by mail: then the creator never sees it.
	Token     string
	ExpiresAt time.Time
	// Mailed is true when the link was sent to the owner's address.
	Mailed bool
	// MailFailed is true when sending was tried and failed; the link is
	// then not shown either, and a new one can be sent from the account.
	MailFailed bool
}

// ActivationMail is what the mail of an activation link needs.
type ActivationMail struct {
	To, Language, Username, Token string
	ExpiresAt                     time.Time
}

// PendingAccount is what the activation page shows before the password is set.
type PendingAccount struct {
	Username  string
	ExpiresAt time.Time
}

// activationHash is the stored form of a token: the token is 32 random
// bytes, so a plain SHA-256 cannot be reversed by guessing.
func activationHash(token string) []byte {
	// Strict: a last character differing only in the bits the encoding
	// leaves over is another token, not a second spelling of this one.
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) != 32 {
		return nil
	}
	sum := sha256.Sum256(raw)
	return sum[:]
}

// issueActivation stores a new link for userID, dropping earlier unused
// ones, so only the latest link works.
func (s *Service) issueActivation(ctx context.Context, tx *storage.Tx, actor access.Actor, userID string) (Activation, error) {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // crypto/rand.Read never fails; it crashes the program instead.
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.now()
	a := Activation{Token: token, ExpiresAt: now.Add(ActivationLifetime)}
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_activations WHERE user_id = $1 AND used_at IS NULL`, userID); err != nil {
		return Activation{}, fmt.Errorf("drop old activations of %s: %w", userID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO user_activations (token_hash, user_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		activationHash(token), userID, actor.UserID, now, a.ExpiresAt); err != nil {
		return Activation{}, fmt.Errorf("store activation of %s: %w", userID, err)
	}
	return a, nil
}

// deliver mails the link when the installation can, keeping it from the
// creator; otherwise the link is returned for the creator to hand over.
func (s *Service) deliver(ctx context.Context, u User, language, email string, a Activation) Activation {
	if s.sendActivation == nil {
		return a
	}
	err := s.sendActivation(ctx, ActivationMail{To: email, Language: language, Username: u.Username, Token: a.Token, ExpiresAt: a.ExpiresAt})
	a.Token = ""
	if err != nil {
		s.log.Error("send activation link", "user", u.ID, "err", err)
		a.MailFailed = true
		return a
	}
	a.Mailed = true
	return a
}

// IssueActivation replaces the link of an account not yet activated (one
// expired or got lost) and delivers it like CreateUser. It needs the same
// right as creating the account: an account outside that scope is not found.
func (s *Service) IssueActivation(ctx context.Context, actor access.Actor, id string) (Activation, error) {
	scope, err := s.authorize(ctx, actor, access.CreateUsers, "user", id, "")
	if err != nil {
		return Activation{}, err
	}
	var u User
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		u, err = getUser(ctx, tx, scope, id)
		return err
	})
	if err != nil {
		s.auditNotFound(ctx, actor, "user.activation_issue", "user", id, err)
		return Activation{}, err
	}
	if err := mayManage(actor, u); err != nil {
		s.recordDenied(ctx, actor, "user.activation_issue", "user", id, u.OrgID)
		return Activation{}, err
	}
	if !u.Pending {
		return Activation{}, apperr.New(apperr.Conflict, "user.already_active")
	}
	var a Activation
	var language string
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		// Checked again under the account's lock: the owner may have just
		// activated (Activate takes the same lock).
		var pending bool
		if err := tx.QueryRowContext(ctx, `SELECT language, EXISTS (SELECT 1 FROM user_activations a WHERE a.user_id = u.id AND a.used_at IS NULL)
			FROM users u WHERE u.id = $1`+tx.ForUpdate(), id).Scan(&language, &pending); err != nil {
			return fmt.Errorf("load user %s: %w", id, storage.MapError(err))
		}
		if !pending {
			return apperr.New(apperr.Conflict, "user.already_active")
		}
		if a, err = s.issueActivation(ctx, tx, actor, id); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "user.activation_issue", audit.Done, "user", id, u.OrgID, "")
	})
	if err != nil {
		return Activation{}, err
	}
	email := ""
	if s.sendActivation != nil {
		p, err := s.RevealProfile(ctx, System, id)
		if err != nil {
			return Activation{}, err
		}
		email = p.Email
	}
	return s.deliver(ctx, u, language, email, a), nil
}

// activationRow is an activation with the state of its account.
type activationRow struct {
	userID, orgID, username string
	role                    access.Role
	expiresAt               time.Time
	usedAt                  *time.Time
	disabled                bool
}

// loadActivation finds the link of token and says why it no longer works:
// unknown (forged, mistyped, or replaced by a newer link), used or expired.
func (s *Service) loadActivation(ctx context.Context, tx *storage.Tx, token string, lock bool) (activationRow, error) {
	hash := activationHash(token)
	if hash == nil {
		return activationRow{}, apperr.New(apperr.NotFound, "activate.unknown")
	}
	suffix := ""
	if lock {
		// Locks the link and the account row (PostgreSQL; SQLite has one
		// writer); IssueActivation takes the account's lock too.
		suffix = tx.ForUpdate()
	}
	var r activationRow
	var disabledAt *time.Time
	var orgDisabled bool
	err := tx.QueryRowContext(ctx, `
		SELECT u.id, u.org_id, u.username, u.role, a.expires_at, a.used_at, u.disabled_at,
		       (SELECT o.disabled_at IS NOT NULL FROM organisations o WHERE o.id = u.org_id)
		FROM user_activations a JOIN users u ON u.id = a.user_id
		WHERE a.token_hash = $1`+suffix, hash).
		Scan(&r.userID, &r.orgID, &r.username, &r.role, &r.expiresAt, &r.usedAt, &disabledAt, &orgDisabled)
	if errors.Is(err, sql.ErrNoRows) {
		return activationRow{}, apperr.New(apperr.NotFound, "activate.unknown")
	}
	if err != nil {
		return activationRow{}, fmt.Errorf("load activation: %w", err)
	}
	r.disabled = disabledAt != nil || orgDisabled
	switch {
	case r.usedAt != nil:
		return activationRow{}, apperr.New(apperr.Conflict, "activate.used")
	case !s.now().Before(r.expiresAt):
		return activationRow{}, apperr.New(apperr.Conflict, "activate.expired")
	case r.disabled:
		return activationRow{}, apperr.New(apperr.NotFound, "activate.unknown")
	}
	return r, nil
}

// PendingActivation checks a link before its page asks for a password.
func (s *Service) PendingActivation(ctx context.Context, token string) (PendingAccount, error) {
	var p PendingAccount
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		r, err := s.loadActivation(ctx, tx, token, false)
		p = PendingAccount{Username: r.username, ExpiresAt: r.expiresAt}
		return err
	})
	return p, err
}

// Activate sets the owner's password through the link of token, uses the
// link up and signs the owner in; the next step is setting up the second
// factor (StepEnrol) for every role that sees personal data.
func (s *Service) Activate(ctx context.Context, token, password, confirm string) (SignInResult, error) {
	var r activationRow
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		r, err = s.loadActivation(ctx, tx, token, false)
		return err
	})
	if err != nil {
		return SignInResult{}, err
	}
	if err := auth.ValidatePassword(password, r.username); err != nil {
		return SignInResult{}, err
	}
	if confirm != password {
		return SignInResult{}, apperr.Validation(apperr.FieldError{Field: "confirm", Key: "account.password_mismatch"})
	}
	// The slow hash runs outside any transaction so it never holds the writer.
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return SignInResult{}, fmt.Errorf("hash password: %w", err)
	}
	var res SignInResult
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		// Checked again under the lock: two tabs may submit the same link.
		r, err := s.loadActivation(ctx, tx, token, true)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3`,
			hash, now, r.userID); err != nil {
			return fmt.Errorf("set password of %s: %w", r.userID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE user_activations SET used_at = $1 WHERE token_hash = $2`, now, activationHash(token)); err != nil {
			return fmt.Errorf("use activation of %s: %w", r.userID, err)
		}
		if res.Token, err = auth.CreateSession(ctx, tx, r.userID, now); err != nil {
			return err
		}
		res.Next = StepEnrol
		if !r.role.SeesPersonalData() {
			res.Next = StepDone
			if err := auth.MarkMFA(ctx, tx, auth.TokenHash(res.Token), now); err != nil {
				return err
			}
		}
		actor := access.Actor{UserID: r.userID, OrgID: r.orgID, Role: r.role}
		return s.record(ctx, tx, actor, "user.activate", audit.Done, "user", r.userID, r.orgID, "")
	})
	if err != nil {
		return SignInResult{}, err
	}
	return res, nil
}

// CreatedElsewhere is an account created in the actor's organisation by a
// user of another organisation.
type CreatedElsewhere struct {
	UserID, Username string
	Role             access.Role
	ByUsername       string
	ByOrgName        string
	CreatedAt        time.Time
}

// CreatedElsewhere lists, for those who manage accounts of their
// organisation, the accounts someone from another organisation created in
// it (an administrator may), newest first, so such an account is never a
// surprise.
func (s *Service) CreatedElsewhere(ctx context.Context, actor access.Actor) ([]CreatedElsewhere, error) {
	if !access.Can(actor, access.ManageUsers) {
		return nil, nil
	}
	var out []CreatedElsewhere
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT u.id, u.username, u.role, u.created_at, o.name, COALESCE(c.username, '')
			FROM users u JOIN organisations o ON o.id = u.created_by_org LEFT JOIN users c ON c.id = u.created_by
			WHERE u.org_id = $1 AND u.created_by_org <> u.org_id
			ORDER BY u.created_at DESC LIMIT 50`, actor.OrgID)
		if err != nil {
			return fmt.Errorf("list accounts created elsewhere: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c CreatedElsewhere
			if err := rows.Scan(&c.UserID, &c.Username, &c.Role, &c.CreatedAt, &c.ByOrgName, &c.ByUsername); err != nil {
				return fmt.Errorf("scan account created elsewhere: %w", err)
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}
