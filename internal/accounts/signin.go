package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/storage"
)

// Step is what a signed-in session still has to do before it is complete.
type Step int

const (
	StepDone  Step = iota // fully signed in
	StepTOTP              // enter the code from the authenticator app (or a recovery code)
	StepEnrol             // set up an authenticator app first
)

// SignInResult is the outcome of a correct username and password.
type SignInResult struct {
	Token string
	Next  Step
}

func (c credentials) actor() access.Actor {
	return access.Actor{UserID: c.id, OrgID: c.orgID, Role: c.role}
}

type credentials struct {
	id, orgID    string
	role         access.Role
	passwordHash string
	disabled     bool
	totpSecret   []byte
	totpEnabled  bool
	totpLastStep int64
}

// loadCredentials reads a user's sign-in data; lock takes the row lock on
// PostgreSQL for a transaction that will update it.
func loadCredentials(ctx context.Context, tx *storage.Tx, where string, arg string, lock bool) (credentials, error) {
	suffix := ""
	if lock {
		suffix = tx.ForUpdate()
	}
	var c credentials
	var disabledAt, totpEnabledAt *time.Time
	var orgDisabled bool
	err := tx.QueryRowContext(ctx, `
		SELECT id, org_id, role, password_hash, disabled_at, totp_secret, totp_enabled_at, totp_last_step,
		       (SELECT o.disabled_at IS NOT NULL FROM organisations o WHERE o.id = users.org_id)
		FROM users WHERE `+where+suffix, arg).
		Scan(&c.id, &c.orgID, &c.role, &c.passwordHash, &disabledAt, &c.totpSecret, &totpEnabledAt, &c.totpLastStep, &orgDisabled)
	c.disabled = disabledAt != nil || orgDisabled
	c.totpEnabled = totpEnabledAt != nil
	return c, err
}

func tooMany(wait time.Duration) error {
	e := apperr.New(apperr.TooMany, "login.wait")
	e.Args = map[string]any{"seconds": int(math.Ceil(wait.Seconds()))}
	return e
}

// SignIn checks a username and password. client is an opaque key for the
// caller's network origin (a keyed hash, never an address) used only to
// throttle guessing; devices are the device tokens the browser showed
// (DeviceToken): one valid for the account means the browser completed a
// sign-in to it before, and only its own failures slow it. A wrong
// username and a wrong password get the same answer in about the same
// time. The slow password hash runs outside any transaction so it never
// holds the database writer.
func (s *Service) SignIn(ctx context.Context, username, password, client string, devices ...string) (SignInResult, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	now := s.now()
	var c credentials
	var who auth.Client
	var wait time.Duration
	var known bool
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		c, err = loadCredentials(ctx, tx, "lower(username) = $1", username, false)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			c = credentials{}
		case err != nil:
			return err
		default:
			known = true
		}
		who = s.throttleClient(client, devices, c.id, now)
		wait, err = s.throttle.Check(ctx, tx, username, who, now)
		return err
	})
	if err != nil {
		return SignInResult{}, fmt.Errorf("load credentials: %w", err)
	}
	if wait > 0 {
		err := s.db.Write(ctx, func(tx *storage.Tx) error {
			return s.recordThrottled(ctx, tx, c)
		})
		if err != nil {
			return SignInResult{}, err
		}
		return SignInResult{}, tooMany(wait)
	}
	release, err := s.admitHash(ctx, who)
	if err != nil {
		return SignInResult{}, err
	}
	defer release()
	ok, rehash := false, false
	if known {
		if ok, rehash, err = s.hasher.Check(c.passwordHash, password); err != nil {
			return SignInResult{}, fmt.Errorf("check password of %s: %w", c.id, err)
		}
	} else {
		s.hasher.DummyCheck(password)
	}
	var newHash string
	if ok && rehash {
		// Move the stored hash to the current cost parameters.
		if newHash, err = s.hasher.Hash(password); err != nil {
			return SignInResult{}, fmt.Errorf("rehash password of %s: %w", c.id, err)
		}
	}
	var res SignInResult
	var failure error
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		// Check the throttle again: every attempt of a simultaneous burst
		// passed the first check before any of them recorded its failure.
		// The account row lock (PostgreSQL; SQLite has one writer) queues
		// such attempts so each sees the failures of those before it.
		if known {
			locked, err := loadCredentials(ctx, tx, "id = $1", c.id, true)
			if err != nil {
				return fmt.Errorf("lock credentials %s: %w", c.id, storage.MapError(err))
			}
			c.disabled = c.disabled || locked.disabled
		}
		if wait, err := s.throttle.Check(ctx, tx, username, who, now); err != nil {
			return err
		} else if wait > 0 {
			failure = tooMany(wait)
			return s.recordThrottled(ctx, tx, c)
		}
		if !ok || c.disabled {
			failure = badCredentials()
			if err := s.throttle.Failure(ctx, tx, username, who, now); err != nil {
				return err
			}
			switch {
			case !known:
				return s.record(ctx, tx, access.Actor{}, "auth.login", audit.Failed, "", "", "", "unknown_account")
			case ok:
				return s.record(ctx, tx, access.Actor{}, "auth.login", audit.Failed, "user", c.id, c.orgID, "disabled")
			}
			return s.record(ctx, tx, access.Actor{}, "auth.login", audit.Failed, "user", c.id, c.orgID, "wrong_password")
		}
		if err := s.throttle.Success(ctx, tx, username, who, now); err != nil {
			return err
		}
		if newHash != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, newHash, c.id); err != nil {
				return fmt.Errorf("store rehashed password of %s: %w", c.id, err)
			}
		}
		token, err := auth.CreateSession(ctx, tx, c.id, now)
		if err != nil {
			return err
		}
		res.Token = token
		switch {
		case c.totpEnabled:
			res.Next = StepTOTP
		case c.role.SeesPersonalData():
			res.Next = StepEnrol
		default:
			// A role without access to personal data may work without a second factor.
			if err := auth.MarkMFA(ctx, tx, auth.TokenHash(token), now); err != nil {
				return err
			}
		}
		actor := access.Actor{UserID: c.id, OrgID: c.orgID, Role: c.role}
		return s.record(ctx, tx, actor, "auth.login", audit.Done, "user", c.id, c.orgID, "password")
	})
	if err != nil {
		return SignInResult{}, err
	}
	return res, failure
}

// pendingSession loads the session and user behind token for the second
// step, locking the account row for the update that follows.
func (s *Service) pendingSession(ctx context.Context, tx *storage.Tx, token string) (auth.Session, credentials, error) {
	return s.sessionCredentials(ctx, tx, token, true)
}

// sessionCredentials loads a live session and its user's sign-in data.
func (s *Service) sessionCredentials(ctx context.Context, tx *storage.Tx, token string, lock bool) (auth.Session, credentials, error) {
	sess, err := auth.LookupSession(ctx, tx, token)
	if err != nil {
		return auth.Session{}, credentials{}, apperr.Wrap(apperr.Unauthorized, "error.unauthorized", err)
	}
	if auth.StrictPolicy.Expired(sess, s.now()) {
		return auth.Session{}, credentials{}, apperr.New(apperr.Unauthorized, "error.unauthorized")
	}
	c, err := loadCredentials(ctx, tx, "id = $1", sess.UserID, lock)
	if err != nil {
		return auth.Session{}, credentials{}, fmt.Errorf("load credentials %s: %w", sess.UserID, storage.MapError(err))
	}
	if c.disabled {
		return auth.Session{}, credentials{}, apperr.New(apperr.Unauthorized, "error.unauthorized")
	}
	return sess, c, nil
}

// checkCode accepts a TOTP code (once per time step) or an unused recovery code.
func (s *Service) checkCode(ctx context.Context, tx *storage.Tx, c credentials, code string, now time.Time) (method string, ok bool, err error) {
	code = strings.TrimSpace(code)
	if strings.Contains(code, "-") || len(code) > 8 {
		ok, err := auth.UseRecoveryCode(ctx, tx, c.id, code)
		return "recovery_code", ok, err
	}
	if !c.totpEnabled || len(c.totpSecret) == 0 {
		return "totp", false, nil
	}
	secret, err := s.vault.Open(ctx, tx, userRecord(c.id), "totp", c.totpSecret)
	if err != nil {
		return "totp", false, err
	}
	step, ok := auth.VerifyTOTP(string(secret), code, now, c.totpLastStep)
	if !ok {
		// VerifyTOTP also refuses a code of a step already used (a replay).
		return "totp", false, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2`, step, c.id)
	return "totp", true, err
}

// VerifySecondFactor completes sign-in with a TOTP or recovery code and
// returns a new session token (the old one stops working).
func (s *Service) VerifySecondFactor(ctx context.Context, token, code, client string, devices ...string) (string, error) {
	var newToken string
	var failure error
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		now := s.now()
		sess, c, err := s.pendingSession(ctx, tx, token)
		if err != nil {
			return err
		}
		who := s.throttleClient(client, devices, c.id, now)
		if failure, err = s.secondFactorThrottled(ctx, tx, c, who, now); failure != nil || err != nil {
			return err
		}
		method, ok, err := s.checkCode(ctx, tx, c, code, now)
		if err != nil {
			return err
		}
		if !ok {
			failure = apperr.Validation(apperr.FieldError{Field: "code", Key: "login.code_wrong"})
			return s.secondFactorFailed(ctx, tx, c, who, method, now)
		}
		newToken, err = s.secondFactorPassed(ctx, tx, sess, c, who, method, now)
		return err
	})
	if err != nil {
		return "", err
	}
	return newToken, failure
}

// The second step of sign-in (a code, a recovery code or a passkey) shares
// one throttle counter per user and one audit action; these three do the
// bookkeeping for every method.

// secondFactorThrottled returns a TooMany failure (already audited) while
// the user must wait.
func (s *Service) secondFactorThrottled(ctx context.Context, tx *storage.Tx, c credentials, who auth.Client, now time.Time) (failure, err error) {
	wait, err := s.throttle.Check(ctx, tx, "mfa:"+c.id, who, now)
	if err != nil || wait == 0 {
		return nil, err
	}
	return tooMany(wait), s.auditThrottled(ctx, tx, c.actor(), "auth.second_factor", c)
}

// secondFactorFailed counts and audits a wrong answer.
func (s *Service) secondFactorFailed(ctx context.Context, tx *storage.Tx, c credentials, who auth.Client, method string, now time.Time) error {
	if err := s.throttle.Failure(ctx, tx, "mfa:"+c.id, who, now); err != nil {
		return err
	}
	return s.record(ctx, tx, c.actor(), "auth.second_factor", audit.Failed, "user", c.id, c.orgID, method)
}

// secondFactorPassed completes the session and returns its new token (the
// old one stops working, against session fixation).
func (s *Service) secondFactorPassed(ctx context.Context, tx *storage.Tx, sess auth.Session, c credentials, who auth.Client, method string, now time.Time) (string, error) {
	if err := s.throttle.Success(ctx, tx, "mfa:"+c.id, who, now); err != nil {
		return "", err
	}
	if err := auth.MarkMFA(ctx, tx, sess.TokenHash, now); err != nil {
		return "", err
	}
	token, err := auth.RotateSession(ctx, tx, sess.TokenHash, now)
	if err != nil {
		return "", err
	}
	return token, s.record(ctx, tx, c.actor(), "auth.second_factor", audit.Done, "user", c.id, c.orgID, method)
}

// Enrolment is a pending authenticator set-up.
type Enrolment struct {
	Secret string
	URL    string
	QRPNG  []byte
}

// BeginEnrolment returns the TOTP secret to set up, creating it on first call
// and returning the same one on reload so a scanned code stays valid.
func (s *Service) BeginEnrolment(ctx context.Context, token string) (Enrolment, error) {
	var e Enrolment
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		_, c, err := s.pendingSession(ctx, tx, token)
		if err != nil {
			return err
		}
		if c.totpEnabled {
			return apperr.New(apperr.Conflict, "enrol.already")
		}
		var username string
		if err := tx.QueryRowContext(ctx, `SELECT username FROM users WHERE id = $1`, c.id).Scan(&username); err != nil {
			return fmt.Errorf("load username %s: %w", c.id, err)
		}
		if len(c.totpSecret) > 0 {
			secret, err := s.vault.Open(ctx, tx, userRecord(c.id), "totp", c.totpSecret)
			if err != nil {
				return err
			}
			e.Secret = string(secret)
			e.URL, e.QRPNG, err = auth.TOTPURL(s.issuer, username, e.Secret)
			return err
		}
		e.Secret, e.URL, e.QRPNG, err = auth.NewTOTP(s.issuer, username)
		if err != nil {
			return err
		}
		sealed, err := s.vault.Seal(ctx, tx, userRecord(c.id), "totp", []byte(e.Secret))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1, updated_at = $2 WHERE id = $3`, sealed, s.now(), c.id)
		return err
	})
	return e, err
}

// ConfirmEnrolment checks the first code from the new authenticator, turns
// TOTP on, and returns one-time recovery codes (shown once) and a new
// session token.
func (s *Service) ConfirmEnrolment(ctx context.Context, token, code string) (recovery []string, newToken string, err error) {
	var failure error
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		now := s.now()
		sess, c, err := s.pendingSession(ctx, tx, token)
		if err != nil {
			return err
		}
		if c.totpEnabled || len(c.totpSecret) == 0 {
			return apperr.New(apperr.Conflict, "enrol.already")
		}
		secret, err := s.vault.Open(ctx, tx, userRecord(c.id), "totp", c.totpSecret)
		if err != nil {
			return err
		}
		actor := access.Actor{UserID: c.id, OrgID: c.orgID, Role: c.role}
		step, ok := auth.MatchTOTP(string(secret), strings.TrimSpace(code), now)
		if !ok {
			failure = apperr.Validation(apperr.FieldError{Field: "code", Key: "login.code_wrong"})
			return s.record(ctx, tx, actor, "auth.totp_enrol", audit.Failed, "user", c.id, c.orgID, "")
		}
		// Store the step the code belonged to, so the same code cannot sign in again.
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_enabled_at = $1, totp_last_step = $2, updated_at = $1 WHERE id = $3`,
			now, step, c.id); err != nil {
			return fmt.Errorf("enable totp %s: %w", c.id, err)
		}
		codes, hashes, err := auth.NewRecoveryCodes(10)
		if err != nil {
			return err
		}
		if err := auth.ReplaceRecoveryCodes(ctx, tx, c.id, hashes); err != nil {
			return err
		}
		recovery = codes
		if err := auth.MarkMFA(ctx, tx, sess.TokenHash, now); err != nil {
			return err
		}
		if newToken, err = auth.RotateSession(ctx, tx, sess.TokenHash, now); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "auth.totp_enrol", audit.Done, "user", c.id, c.orgID, "")
	})
	if err == nil && failure != nil {
		return nil, "", failure
	}
	return recovery, newToken, err
}

// StepUp re-checks password and code before identities are revealed. The
// slow password hash runs between a read and a short write transaction, so
// it never holds the database writer.
func (s *Service) StepUp(ctx context.Context, token, password, code, client string, devices ...string) error {
	now := s.now()
	var c credentials
	var wait time.Duration
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		sess, cred, err := s.sessionCredentials(ctx, tx, token, false)
		if err != nil {
			return err
		}
		if sess.MFAAt == nil {
			return apperr.New(apperr.Unauthorized, "error.unauthorized")
		}
		c = cred
		wait, err = s.throttle.Check(ctx, tx, "stepup:"+c.id, s.throttleClient(client, devices, c.id, now), now)
		return err
	})
	if err != nil {
		return err
	}
	passwordOK := false
	if wait == 0 {
		if passwordOK, _, err = s.hasher.Check(c.passwordHash, password); err != nil {
			return fmt.Errorf("check password of %s: %w", c.id, err)
		}
	}
	var failure error
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		sess, c, err := s.pendingSession(ctx, tx, token)
		if err != nil {
			return err
		}
		actor := access.Actor{UserID: c.id, OrgID: c.orgID, Role: c.role}
		who := s.throttleClient(client, devices, c.id, now)
		// Checked again under the account lock: a burst of attempts all
		// passed the first check before any recorded its failure.
		if wait, err := s.throttle.Check(ctx, tx, "stepup:"+c.id, who, now); err != nil {
			return err
		} else if wait > 0 {
			failure = tooMany(wait)
			return s.auditThrottled(ctx, tx, actor, "auth.step_up", c)
		}
		codeOK := true
		if passwordOK && (c.totpEnabled || c.role.SeesPersonalData()) {
			if _, codeOK, err = s.checkCode(ctx, tx, c, code, now); err != nil {
				return err
			}
		}
		if !passwordOK || !codeOK {
			failure = apperr.Validation(apperr.FieldError{Field: "password", Key: "login.failed"})
			if err := s.throttle.Failure(ctx, tx, "stepup:"+c.id, who, now); err != nil {
				return err
			}
			return s.record(ctx, tx, actor, "auth.step_up", audit.Failed, "user", c.id, c.orgID, "")
		}
		if err := s.throttle.Success(ctx, tx, "stepup:"+c.id, who, now); err != nil {
			return err
		}
		if err := auth.MarkStepUp(ctx, tx, sess.TokenHash, now); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "auth.step_up", audit.Done, "user", c.id, c.orgID, "")
	})
	if err != nil {
		return err
	}
	return failure
}

// SignOut ends the session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		sess, err := auth.LookupSession(ctx, tx, token)
		if err != nil {
			return nil
		}
		if err := auth.DeleteSession(ctx, tx, sess.TokenHash); err != nil {
			return err
		}
		var orgID string
		_ = tx.QueryRowContext(ctx, `SELECT org_id FROM users WHERE id = $1`, sess.UserID).Scan(&orgID)
		return s.record(ctx, tx, access.Actor{UserID: sess.UserID, OrgID: orgID}, "auth.logout", audit.Done, "user", sess.UserID, orgID, "")
	})
}

// Current is the signed-in state behind a session token.
type Current struct {
	Actor   access.Actor
	User    User
	Session auth.Session
	// Next is StepDone for a complete session.
	Next Step
}

// Resolve finds the session for a token, applies the idle and absolute
// timeouts of the user's role, and refreshes its last-seen time. An unknown,
// expired or disabled session is Unauthorized. Most requests need only a
// read; the writer is taken when the session must be refreshed or ended.
func (s *Service) Resolve(ctx context.Context, token string) (Current, error) {
	if token == "" {
		return Current{}, apperr.New(apperr.Unauthorized, "error.unauthorized")
	}
	now := s.now()
	var cur Current
	var ended bool
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		sess, err := auth.LookupSession(ctx, tx, token)
		if err != nil {
			return apperr.Wrap(apperr.Unauthorized, "error.unauthorized", err)
		}
		u, err := getUser(ctx, tx, access.SystemScope(), sess.UserID)
		if err != nil {
			return apperr.Wrap(apperr.Unauthorized, "error.unauthorized", err)
		}
		policy := auth.PolicyFor(u.Role)
		ended = !u.Active() || policy.Expired(sess, now)
		cur = Current{User: u, Session: sess, Next: StepDone}
		cur.Actor = access.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, SteppedUp: policy.SteppedUp(sess, now)}
		if sess.MFAAt == nil {
			cur.Next = StepTOTP
			if !u.TOTPEnabled {
				cur.Next = StepEnrol
			}
		}
		return nil
	})
	if err != nil {
		return Current{}, err
	}
	if !ended && !cur.Session.NeedsTouch(now) {
		return cur, nil
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if ended {
			return auth.DeleteSession(ctx, tx, cur.Session.TokenHash)
		}
		return auth.TouchSession(ctx, tx, cur.Session.TokenHash, now)
	})
	if err != nil {
		return Current{}, err
	}
	if ended {
		return Current{}, apperr.New(apperr.Unauthorized, "error.session_ended")
	}
	return cur, nil
}
