package auth

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
	"waymark.city/waymark/internal/storage"
)

// tokenBytes is the session token size: 256 bits from crypto/rand (ASVS
// requires at least 128 bits of entropy).
const tokenBytes = 32

// TouchInterval is how stale last_seen_at may get before TouchSession
// writes it again; it spares the single SQLite writer a write per request
// at the cost of idle timeouts being up to this much early.
const TouchInterval = 30 * time.Second

// Session is a server-side session. Only the SHA-256 of the token is
// stored, so a database leak does not hand out live sessions.
type Session struct {
	TokenHash  []byte
	UserID     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	MFAAt      *time.Time // when the second factor was completed; nil before
	StepUpAt   *time.Time // last re-authentication for a sensitive action
}

// Policy holds the session timeouts for a kind of user.
type Policy struct {
	Idle        time.Duration // inactivity after which the session ends
	Absolute    time.Duration // lifetime from sign-in, however active
	StepUpValid time.Duration // how long a re-authentication covers sensitive actions
}

// StrictPolicy applies to roles that can see personal data (ASVS 7.3: a
// short idle timeout for high-value data).
var StrictPolicy = Policy{Idle: 15 * time.Minute, Absolute: 12 * time.Hour, StepUpValid: 5 * time.Minute}

// RelaxedPolicy applies to roles that only see anonymised data.
var RelaxedPolicy = Policy{Idle: 60 * time.Minute, Absolute: 12 * time.Hour, StepUpValid: 5 * time.Minute}

// PolicyFor returns the session policy of a role.
func PolicyFor(r access.Role) Policy {
	if r.SeesPersonalData() || !r.Valid() {
		return StrictPolicy
	}
	return RelaxedPolicy
}

// Expired reports whether s has been idle too long or lived too long at now.
func (p Policy) Expired(s Session, now time.Time) bool {
	return now.Sub(s.LastSeenAt) >= p.Idle || now.Sub(s.CreatedAt) >= p.Absolute
}

// SteppedUp reports whether s re-authenticated recently enough for a
// sensitive action at now.
func (p Policy) SteppedUp(s Session, now time.Time) bool {
	return s.StepUpAt != nil && now.Sub(*s.StepUpAt) < p.StepUpValid
}

// NeedsTouch reports whether TouchSession would write, so a caller that
// serves a request in a read transaction can skip opening a write one.
func (s Session) NeedsTouch(now time.Time) bool {
	return now.Sub(s.LastSeenAt) >= TouchInterval
}

// TokenHash returns the stored form of a session token. A token that is
// not well-formed yields nil, which matches no session.
func TokenHash(token string) []byte {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) != tokenBytes {
		return nil
	}
	sum := sha256.Sum256(raw)
	return sum[:]
}

// generateToken returns a fresh random token and its stored hash.
func generateToken() (token string, hash []byte) {
	raw := make([]byte, tokenBytes)
	_, _ = rand.Read(raw) // crypto/rand.Read never fails; it crashes the program instead.
	sum := sha256.Sum256(raw)
	return base64.RawURLEncoding.EncodeToString(raw), sum[:]
}

// dbTime is how times are written: UTC with microseconds, so that SQLite's
// text timestamps compare correctly and PostgreSQL reads back the same value.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: dbTime(*t), Valid: true}
}

// CreateSession starts a new session for userID and returns the token for
// the cookie (base64url, 43 characters). Sign-in must always create a new
// session, never reuse one the browser brought along (session fixation).
func CreateSession(ctx context.Context, tx *storage.Tx, userID string, now time.Time) (token string, err error) {
	token, hash := generateToken()
	now = dbTime(now)
	_, err = tx.ExecContext(ctx,
		`INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4)`,
		hash, userID, now, now)
	if err != nil {
		return "", fmt.Errorf("create session for %s: %w", userID, err)
	}
	return token, nil
}

// LookupSession finds the session of a cookie token. An unknown or
// malformed token gives an apperr NotFound error: treat it as signed out.
// It does not check expiry; call Policy.Expired with the user's policy.
func LookupSession(ctx context.Context, tx *storage.Tx, token string) (Session, error) {
	hash := TokenHash(token)
	if hash == nil {
		return Session{}, apperr.New(apperr.NotFound, "error.not_found")
	}
	return loadSession(ctx, tx, hash, "")
}

func loadSession(ctx context.Context, tx *storage.Tx, hash []byte, suffix string) (Session, error) {
	s := Session{TokenHash: hash}
	var mfa, stepUp sql.NullTime
	err := tx.QueryRowContext(ctx,
		`SELECT user_id, created_at, last_seen_at, mfa_at, step_up_at FROM sessions WHERE token_hash = $1`+suffix, hash).
		Scan(&s.UserID, &s.CreatedAt, &s.LastSeenAt, &mfa, &stepUp)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, apperr.Wrap(apperr.NotFound, "error.not_found", errors.New("look up session: no such session"))
	}
	if err != nil {
		return Session{}, fmt.Errorf("look up session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC()
	if mfa.Valid {
		t := mfa.Time.UTC()
		s.MFAAt = &t
	}
	if stepUp.Valid {
		t := stepUp.Time.UTC()
		s.StepUpAt = &t
	}
	return s, nil
}

// TouchSession records activity at now, but only writes when the stored
// last_seen_at is at least TouchInterval old.
func TouchSession(ctx context.Context, tx *storage.Tx, tokenHash []byte, now time.Time) error {
	now = dbTime(now)
	_, err := tx.ExecContext(ctx,
		`UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at <= $3`,
		now, tokenHash, now.Add(-TouchInterval))
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// MarkMFA records that the session completed its second factor at now.
// Rotate the token afterwards (RotateSession).
func MarkMFA(ctx context.Context, tx *storage.Tx, tokenHash []byte, now time.Time) error {
	return setSessionTime(ctx, tx, "mfa_at", tokenHash, now)
}

// MarkStepUp records a re-authentication at now for sensitive actions.
func MarkStepUp(ctx context.Context, tx *storage.Tx, tokenHash []byte, now time.Time) error {
	return setSessionTime(ctx, tx, "step_up_at", tokenHash, now)
}

// setSessionTime sets one time column; column is one of two constants above.
func setSessionTime(ctx context.Context, tx *storage.Tx, column string, tokenHash []byte, now time.Time) error {
	now = dbTime(now)
	res, err := tx.ExecContext(ctx,
		`UPDATE sessions SET `+column+` = $1, last_seen_at = $1 WHERE token_hash = $2`, now, tokenHash)
	if err != nil {
		return fmt.Errorf("set session %s: %w", column, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("set session %s: %w", column, err)
	}
	if n == 0 {
		return apperr.Wrap(apperr.NotFound, "error.not_found", fmt.Errorf("set session %s: no such session", column))
	}
	return nil
}

// RotateSession replaces a session's token with a new one, keeping the
// user, creation time (so the absolute timeout still counts from sign-in)
// and MFA and step-up times. Call it when the session gains privilege,
// such as after the second factor, so a token seen before is worthless.
func RotateSession(ctx context.Context, tx *storage.Tx, oldHash []byte, now time.Time) (newToken string, err error) {
	s, err := loadSession(ctx, tx, oldHash, tx.ForUpdate())
	if err != nil {
		return "", err
	}
	if err := DeleteSession(ctx, tx, oldHash); err != nil {
		return "", err
	}
	token, hash := generateToken()
	_, err = tx.ExecContext(ctx,
		`INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, mfa_at, step_up_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		hash, s.UserID, dbTime(s.CreatedAt), dbTime(now), nullTime(s.MFAAt), nullTime(s.StepUpAt))
	if err != nil {
		return "", fmt.Errorf("rotate session of %s: %w", s.UserID, err)
	}
	return token, nil
}

// DeleteSession ends one session (sign-out). Deleting a session that does
// not exist is not an error.
func DeleteSession(ctx context.Context, tx *storage.Tx, tokenHash []byte) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user (account disabled,
// password or second factor reset) and returns how many there were.
func DeleteUserSessions(ctx context.Context, tx *storage.Tx, userID string) (int64, error) {
	return deleteSessions(ctx, tx, `DELETE FROM sessions WHERE user_id = $1`, userID)
}

// DeleteOtherSessions ends every session of a user except keep, for "sign
// out everywhere else" after the user changed their own password.
func DeleteOtherSessions(ctx context.Context, tx *storage.Tx, userID string, keep []byte) (int64, error) {
	return deleteSessions(ctx, tx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, userID, keep)
}

func deleteSessions(ctx context.Context, tx *storage.Tx, query, userID string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, append([]any{userID}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("delete sessions of %s: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete sessions of %s: %w", userID, err)
	}
	return n, nil
}

// DeleteExpiredSessions removes sessions that have expired under every
// policy at now: idle longer than the longest idle timeout, or older than
// the longest absolute lifetime. Sessions expired only under the stricter
// policy stay until then, but LookupSession's caller refuses them anyway.
// It returns how many were removed; run it from a periodic job.
func DeleteExpiredSessions(ctx context.Context, tx *storage.Tx, now time.Time) (int64, error) {
	idle := max(StrictPolicy.Idle, RelaxedPolicy.Idle)
	absolute := max(StrictPolicy.Absolute, RelaxedPolicy.Absolute)
	now = dbTime(now)
	res, err := tx.ExecContext(ctx,
		`DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2`, now.Add(-idle), now.Add(-absolute))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}
