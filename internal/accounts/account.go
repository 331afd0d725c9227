package accounts

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/storage"
)

// Account is what a user sees about their own account on "My account".
type Account struct {
	User User
	// RecoveryCodesLeft counts the unused recovery codes.
	RecoveryCodesLeft int
	Sessions          []SessionInfo
	Passkeys          []Passkey
}

// SessionInfo describes one session of the user; no token, address or
// browser is kept, so none is shown.
type SessionInfo struct {
	CreatedAt  time.Time
	LastSeenAt time.Time
	// Current is the session the request came with.
	Current bool
	// Complete is false while the second factor is outstanding.
	Complete bool
}

// PasswordChange is the input of ChangePassword.
type PasswordChange struct {
	Current string
	New     string
	Confirm string
}

// ownAccount authorises an action on the actor's own account.
func (s *Service) ownAccount(ctx context.Context, actor access.Actor) error {
	_, err := s.authorize(ctx, actor, access.ManageOwnAccount, "user", actor.UserID, actor.OrgID)
	return err
}

// ownSession returns the stored hash of token after checking that the
// session belongs to the actor.
func ownSession(ctx context.Context, tx *storage.Tx, actor access.Actor, token string) ([]byte, error) {
	sess, err := auth.LookupSession(ctx, tx, token)
	if err != nil || sess.UserID != actor.UserID {
		return nil, apperr.Wrap(apperr.Unauthorized, "error.unauthorized", err)
	}
	return sess.TokenHash, nil
}

// Account returns the actor's own account: facts, sessions and passkeys.
// token is the session of the request, marked Current in the list.
func (s *Service) Account(ctx context.Context, actor access.Actor, token string) (Account, error) {
	if err := s.ownAccount(ctx, actor); err != nil {
		return Account{}, err
	}
	var a Account
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		u, err := getUser(ctx, tx, access.SystemScope(), actor.UserID)
		if err != nil {
			return err
		}
		a.User = u
		if a.RecoveryCodesLeft, err = auth.RemainingRecoveryCodes(ctx, tx, u.ID); err != nil {
			return err
		}
		if a.Sessions, err = listSessions(ctx, tx, u.ID, auth.TokenHash(token)); err != nil {
			return err
		}
		a.Passkeys, err = s.listPasskeys(ctx, tx, u.ID)
		return err
	})
	return a, err
}

func listSessions(ctx context.Context, tx *storage.Tx, userID string, current []byte) ([]SessionInfo, error) {
	rows, err := tx.QueryContext(ctx,
		`SELECT token_hash, created_at, last_seen_at, mfa_at IS NOT NULL FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list sessions of %s: %w", userID, err)
	}
	defer rows.Close()
	var out []SessionInfo
	for rows.Next() {
		var hash []byte
		var si SessionInfo
		if err := rows.Scan(&hash, &si.CreatedAt, &si.LastSeenAt, &si.Complete); err != nil {
			return nil, fmt.Errorf("scan session of %s: %w", userID, err)
		}
		si.CreatedAt, si.LastSeenAt = si.CreatedAt.UTC(), si.LastSeenAt.UTC()
		si.Current = current != nil && bytes.Equal(hash, current)
		out = append(out, si)
	}
	return out, rows.Err()
}

// EndOtherSessions signs the actor out everywhere except the session of
// token and returns how many sessions ended.
func (s *Service) EndOtherSessions(ctx context.Context, actor access.Actor, token string) (int64, error) {
	if err := s.ownAccount(ctx, actor); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		keep, err := ownSession(ctx, tx, actor, token)
		if err != nil {
			return err
		}
		if n, err = auth.DeleteOtherSessions(ctx, tx, actor.UserID, keep); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "account.sessions_end", audit.Done, "user", actor.UserID, actor.OrgID, fmt.Sprint(n))
	})
	return n, err
}

// ChangePassword replaces the actor's password after checking the current
// one, and ends every other session of the actor. Wrong current passwords
// are throttled like sign-in attempts, so a stolen session cannot be used to
// guess the password.
func (s *Service) ChangePassword(ctx context.Context, actor access.Actor, token string, in PasswordChange, client string) error {
	if err := s.ownAccount(ctx, actor); err != nil {
		return err
	}
	var fields []apperr.FieldError
	if in.Current == "" {
		fields = append(fields, apperr.FieldError{Field: "current_password", Key: "account.password_current_required"})
	}
	var c credentials
	var username string
	var wait time.Duration
	now := s.now()
	throttleKey := "password:" + actor.UserID
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		if wait, err = s.throttle.Check(ctx, tx, throttleKey, auth.Client{Key: client}, now); err != nil {
			return err
		}
		if c, err = loadCredentials(ctx, tx, "id = $1", actor.UserID, false); err != nil {
			return fmt.Errorf("load credentials %s: %w", actor.UserID, storage.MapError(err))
		}
		return tx.QueryRowContext(ctx, `SELECT username FROM users WHERE id = $1`, actor.UserID).Scan(&username)
	})
	if err != nil {
		return err
	}
	if wait > 0 {
		return tooMany(wait)
	}
	if err := auth.ValidatePassword(in.New, username); err != nil {
		ae := apperr.As(err)
		if ae.Code != apperr.Invalid {
			return err
		}
		for _, f := range ae.Fields {
			fields = append(fields, apperr.FieldError{Field: "new_password", Key: f.Key, Args: f.Args})
		}
	} else if in.Confirm != in.New {
		fields = append(fields, apperr.FieldError{Field: "confirm_password", Key: "account.password_mismatch"})
	}
	currentOK := false
	if in.Current != "" {
		// The slow hash runs outside any transaction so it never holds the writer.
		if currentOK, _, err = s.hasher.Check(c.passwordHash, in.Current); err != nil {
			return fmt.Errorf("check password of %s: %w", actor.UserID, err)
		}
		if !currentOK {
			fields = append([]apperr.FieldError{{Field: "current_password", Key: "account.password_wrong"}}, fields...)
		}
	}
	if in.Current != "" && !currentOK {
		err := s.db.Write(ctx, func(tx *storage.Tx) error {
			if err := s.throttle.Failure(ctx, tx, throttleKey, auth.Client{Key: client}, now); err != nil {
				return err
			}
			return s.record(ctx, tx, actor, "account.password_change", audit.Failed, "user", actor.UserID, actor.OrgID, "wrong_password")
		})
		if err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	hash, err := s.hasher.Hash(in.New)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		keep, err := ownSession(ctx, tx, actor, token)
		if err != nil {
			return err
		}
		if err := s.throttle.Success(ctx, tx, throttleKey, auth.Client{Key: client}, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3`,
			hash, now, actor.UserID); err != nil {
			return fmt.Errorf("store new password of %s: %w", actor.UserID, err)
		}
		// Whoever knew the old password may hold a session: end them all but this one.
		n, err := auth.DeleteOtherSessions(ctx, tx, actor.UserID, keep)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "account.password_change", audit.Done, "user", actor.UserID, actor.OrgID, fmt.Sprintf("sessions_ended=%d", n))
	})
}

// RegenerateRecoveryCodes replaces all of the actor's recovery codes, used
// or not, with new ones, returned to be shown once. It needs a recent
// step-up: the codes are a second factor.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, actor access.Actor) ([]string, error) {
	if err := s.ownAccount(ctx, actor); err != nil {
		return nil, err
	}
	if !actor.SteppedUp {
		return nil, apperr.New(apperr.StepUp, "error.step_up")
	}
	codes, hashes, err := auth.NewRecoveryCodes(auth.DefaultRecoveryCodes)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := auth.ReplaceRecoveryCodes(ctx, tx, actor.UserID, hashes); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "account.recovery_codes", audit.Done, "user", actor.UserID, actor.OrgID, "")
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}
