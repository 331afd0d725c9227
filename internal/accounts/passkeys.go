package accounts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// Passkeys and security keys (WebAuthn) are an optional second factor in
// addition to TOTP: a user whose sign-in asks for a code may answer with a
// registered key instead. The ceremony state lives in passkey_challenges,
// bound to the session that began it, so several server processes share it
// and a challenge cannot be finished from another session.

// RelyingParty is this installation as WebAuthn sees it: the domain keys are
// bound to and the one origin pages are served from.
type RelyingParty struct {
	ID     string // e.g. "waymark.city.example"
	Origin string // e.g. "https://waymark.city.example"
}

// Valid reports whether passkeys can work at rp: browsers accept only a
// domain name (never an IP address) that is the origin's host.
func (rp RelyingParty) Valid() bool {
	u, err := url.Parse(rp.Origin)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || !strings.EqualFold(u.Hostname(), rp.ID) {
		return false
	}
	return protocol.ValidateRPID(rp.ID) == nil
}

// Passkey is a registered passkey or security key. No key material.
type Passkey struct {
	ID string
	// Name is what the user called the key; empty if they gave none.
	Name string
	// RPID is the domain the key works at.
	RPID       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// ErrNoCeremony means the session has no passkey ceremony in progress: it
// expired, was already used, or was begun in another session.
var ErrNoCeremony = errors.New("no passkey ceremony in progress")

// Ceremony kinds, one row of passkey_challenges each per session.
const (
	ceremonyRegister = "register"
	ceremonyLogin    = "login"
)

// ceremonyTTL is how long a begun ceremony may be finished; browsers time
// out after the same.
const ceremonyTTL = 5 * time.Minute

// MaxPasskeyName is the longest name a key may be given, in characters.
const MaxPasskeyName = 60

func noCeremony() error { return apperr.Wrap(apperr.Conflict, "passkey.expired", ErrNoCeremony) }

func passkeyRecord(id string) string { return "passkeys/" + id }

// webAuthn configures the library for rp. It is cheap, so it is built per
// call rather than held: the relying party comes from the caller.
func (s *Service) webAuthn(rp RelyingParty) (*webauthn.WebAuthn, error) {
	if !rp.Valid() {
		return nil, apperr.New(apperr.Conflict, "passkey.unavailable")
	}
	timeouts := webauthn.TimeoutConfig{Timeout: ceremonyTTL, TimeoutUVD: ceremonyTTL}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:                  rp.ID,
		RPDisplayName:         s.issuer,
		RPOrigins:             []string{rp.Origin},
		AttestationPreference: protocol.PreferNoAttestation,
		// A second factor after the password: no resident key is needed, so
		// security keys do not spend one of their few slots on Waymark.
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementDiscouraged,
			UserVerification: protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{Login: timeouts, Registration: timeouts},
	})
	if err != nil {
		return nil, fmt.Errorf("configure webauthn for %s: %w", rp.ID, err)
	}
	return wa, nil
}

// passkeyUser is a user as the WebAuthn library sees one.
type passkeyUser struct {
	handle []byte
	name   string
	keys   []storedPasskey
}

type storedPasskey struct {
	id   string
	cred webauthn.Credential
}

func (u *passkeyUser) WebAuthnID() []byte          { return u.handle }
func (u *passkeyUser) WebAuthnName() string        { return u.name }
func (u *passkeyUser) WebAuthnDisplayName() string { return u.name }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(u.keys))
	for i, k := range u.keys {
		out[i] = k.cred
	}
	return out
}

// loadPasskeyUser reads what a ceremony needs about a user: the username
// (shown by the authenticator; never the person's name) and their keys for
// rpID. The user handle is a keyed hash of the id, so authenticators learn
// nothing about how Waymark names accounts.
func (s *Service) loadPasskeyUser(ctx context.Context, tx *storage.Tx, userID, rpID string) (*passkeyUser, error) {
	u := &passkeyUser{handle: s.vault.BlindIndex("webauthn.user_handle", []byte(userID))}
	if err := tx.QueryRowContext(ctx, `SELECT username FROM users WHERE id = $1`, userID).Scan(&u.name); err != nil {
		return nil, fmt.Errorf("load username %s: %w", userID, storage.MapError(err))
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT id, credential_id, public_key, sign_count, flags, transports, attestation_format
		FROM passkeys WHERE user_id = $1 AND rp_id = $2 ORDER BY created_at`, userID, rpID)
	if err != nil {
		return nil, fmt.Errorf("load passkeys of %s: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k storedPasskey
		var signCount int64
		var flags int
		var transports string
		if err := rows.Scan(&k.id, &k.cred.ID, &k.cred.PublicKey, &signCount, &flags, &transports, &k.cred.AttestationFormat); err != nil {
			return nil, fmt.Errorf("scan passkey of %s: %w", userID, err)
		}
		k.cred.Authenticator.SignCount = uint32(signCount)
		k.cred.Flags = webauthn.NewCredentialFlags(protocol.AuthenticatorFlags(flags))
		for t := range strings.SplitSeq(transports, ",") {
			if t != "" {
				k.cred.Transport = append(k.cred.Transport, protocol.AuthenticatorTransport(t))
			}
		}
		u.keys = append(u.keys, k)
	}
	return u, rows.Err()
}

// saveCeremony stores the library's session data for the session's
// ceremony of kind, replacing one begun before, and sweeps expired ones.
func (s *Service) saveCeremony(ctx context.Context, tx *storage.Tx, tokenHash []byte, kind, userID string, sd *webauthn.SessionData) error {
	data, err := json.Marshal(sd)
	if err != nil {
		return fmt.Errorf("encode passkey ceremony: %w", err)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	if _, err := tx.ExecContext(ctx, `DELETE FROM passkey_challenges WHERE expires_at < $1`, now); err != nil {
		return fmt.Errorf("sweep passkey ceremonies: %w", err)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO passkey_challenges (token_hash, ceremony, user_id, data, expires_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (token_hash, ceremony) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at`,
		tokenHash, kind, userID, string(data), now.Add(ceremonyTTL))
	if err != nil {
		return fmt.Errorf("store passkey ceremony of %s: %w", userID, err)
	}
	return nil
}

// takeCeremony removes and returns the session's ceremony of kind: each
// challenge is answered at most once, rightly or wrongly.
func (s *Service) takeCeremony(ctx context.Context, tx *storage.Tx, tokenHash []byte, kind, userID string) (webauthn.SessionData, error) {
	var owner, data string
	var expires time.Time
	err := tx.QueryRowContext(ctx, `SELECT user_id, data, expires_at FROM passkey_challenges WHERE token_hash = $1 AND ceremony = $2`+tx.ForUpdate(),
		tokenHash, kind).Scan(&owner, &data, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return webauthn.SessionData{}, noCeremony()
	}
	if err != nil {
		return webauthn.SessionData{}, fmt.Errorf("load passkey ceremony: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM passkey_challenges WHERE token_hash = $1 AND ceremony = $2`, tokenHash, kind); err != nil {
		return webauthn.SessionData{}, fmt.Errorf("consume passkey ceremony: %w", err)
	}
	if owner != userID || !s.now().Before(expires) {
		return webauthn.SessionData{}, noCeremony()
	}
	var sd webauthn.SessionData
	if err := json.Unmarshal([]byte(data), &sd); err != nil {
		return webauthn.SessionData{}, fmt.Errorf("decode passkey ceremony: %w", err)
	}
	return sd, nil
}

// BeginPasskeyRegistration starts adding a passkey to the actor's account
// and returns the creation options for navigator.credentials.create as
// JSON. It needs a recent step-up.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, actor access.Actor, token string, rp RelyingParty) (json.RawMessage, error) {
	if err := s.ownAccount(ctx, actor); err != nil {
		return nil, err
	}
	if !actor.SteppedUp {
		return nil, apperr.New(apperr.StepUp, "error.step_up")
	}
	wa, err := s.webAuthn(rp)
	if err != nil {
		return nil, err
	}
	var out []byte
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		hash, err := ownSession(ctx, tx, actor, token)
		if err != nil {
			return err
		}
		u, err := s.loadPasskeyUser(ctx, tx, actor.UserID, rp.ID)
		if err != nil {
			return err
		}
		// The browser refuses to register a key the account already has.
		creation, sd, err := wa.BeginRegistration(u, webauthn.WithExclusions(webauthn.Credentials(u.WebAuthnCredentials()).CredentialDescriptors()))
		if err != nil {
			return fmt.Errorf("begin passkey registration: %w", err)
		}
		if err := s.saveCeremony(ctx, tx, hash, ceremonyRegister, actor.UserID, sd); err != nil {
			return err
		}
		out, err = json.Marshal(creation)
		return err
	})
	return out, err
}

// FinishPasskeyRegistration checks the browser's answer (the
// PublicKeyCredential as JSON) to the session's registration ceremony and
// stores the new key under name. It needs a recent step-up. A session
// without a ceremony in progress gets an error wrapping ErrNoCeremony.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, actor access.Actor, token string, rp RelyingParty, name string, response []byte) (Passkey, error) {
	if err := s.ownAccount(ctx, actor); err != nil {
		return Passkey{}, err
	}
	if !actor.SteppedUp {
		return Passkey{}, apperr.New(apperr.StepUp, "error.step_up")
	}
	name = strings.TrimSpace(name)
	switch {
	case !utf8.ValidString(name):
		return Passkey{}, apperr.Validation(apperr.FieldError{Field: "name", Key: "error.bad_encoding"})
	case utf8.RuneCountInString(name) > MaxPasskeyName:
		return Passkey{}, apperr.Validation(apperr.FieldError{Field: "name", Key: "passkey.name_too_long", Args: map[string]any{"max": MaxPasskeyName}})
	}
	wa, err := s.webAuthn(rp)
	if err != nil {
		return Passkey{}, err
	}
	pk := Passkey{ID: NewID(), Name: name, RPID: rp.ID, CreatedAt: s.now()}
	var failure error
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		hash, err := ownSession(ctx, tx, actor, token)
		if err != nil {
			return err
		}
		sd, err := s.takeCeremony(ctx, tx, hash, ceremonyRegister, actor.UserID)
		if err != nil {
			if errors.Is(err, ErrNoCeremony) {
				failure = err
				return nil
			}
			return err
		}
		u, err := s.loadPasskeyUser(ctx, tx, actor.UserID, rp.ID)
		if err != nil {
			return err
		}
		cred, err := createCredential(wa, u, sd, response)
		if err != nil {
			// The cause (the library's reason) is for the log; the user sees a plain message.
			failure = apperr.Wrap(apperr.Invalid, "passkey.register_failed", err)
			return s.record(ctx, tx, actor, "account.passkey_add", audit.Failed, "user", actor.UserID, actor.OrgID, "")
		}
		sealed, err := s.vault.Seal(ctx, tx, passkeyRecord(pk.ID), "name", []byte(name))
		if err != nil {
			return err
		}
		var transports []string
		for _, t := range cred.Transport {
			transports = append(transports, string(t))
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO passkeys (id, user_id, rp_id, credential_id, public_key, sign_count, flags, transports, attestation_format, name, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			pk.ID, actor.UserID, rp.ID, cred.ID, cred.PublicKey, int64(cred.Authenticator.SignCount), int(cred.Flags.ProtocolValue()),
			strings.Join(transports, ","), cred.AttestationFormat, sealed, pk.CreatedAt); err != nil {
			if err := storage.MapError(err); apperr.Is(err, apperr.Conflict) {
				return apperr.Wrap(apperr.Conflict, "passkey.already", err)
			}
			return fmt.Errorf("insert passkey of %s: %w", actor.UserID, err)
		}
		return s.record(ctx, tx, actor, "account.passkey_add", audit.Done, "passkey", pk.ID, actor.OrgID, "")
	})
	if err != nil {
		return Passkey{}, err
	}
	if failure != nil {
		return Passkey{}, failure
	}
	return pk, nil
}

func createCredential(wa *webauthn.WebAuthn, u *passkeyUser, sd webauthn.SessionData, response []byte) (*webauthn.Credential, error) {
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, fmt.Errorf("parse attestation: %w", err)
	}
	cred, err := wa.CreateCredential(u, sd, parsed)
	if err != nil {
		return nil, fmt.Errorf("verify attestation: %w", err)
	}
	return cred, nil
}

// listPasskeys returns a user's keys with their names opened.
func (s *Service) listPasskeys(ctx context.Context, tx *storage.Tx, userID string) ([]Passkey, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, rp_id, name, created_at, last_used_at FROM passkeys WHERE user_id = $1 ORDER BY created_at`, userID)
	if err != nil {
		return nil, fmt.Errorf("list passkeys of %s: %w", userID, err)
	}
	var keys []Passkey
	var sealed [][]byte
	for rows.Next() {
		var k Passkey
		var name []byte
		if err := rows.Scan(&k.ID, &k.RPID, &name, &k.CreatedAt, &k.LastUsedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan passkey of %s: %w", userID, err)
		}
		k.CreatedAt = k.CreatedAt.UTC()
		if k.LastUsedAt != nil {
			t := k.LastUsedAt.UTC()
			k.LastUsedAt = &t
		}
		keys = append(keys, k)
		sealed = append(sealed, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list passkeys of %s: %w", userID, err)
	}
	// Opened after the rows are closed: Open queries data_keys on the same transaction.
	for i := range keys {
		name, err := s.vault.Open(ctx, tx, passkeyRecord(keys[i].ID), "name", sealed[i])
		if err != nil {
			return nil, err
		}
		keys[i].Name = string(name)
	}
	return keys, nil
}

// HasPasskeys reports whether the user has a key that works at rpID, so the
// second-factor page offers one only then.
func (s *Service) HasPasskeys(ctx context.Context, userID, rpID string) (bool, error) {
	var n int
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM passkeys WHERE user_id = $1 AND rp_id = $2`, userID, rpID).Scan(&n)
	})
	if err != nil {
		return false, fmt.Errorf("count passkeys of %s: %w", userID, err)
	}
	return n > 0, nil
}

// RemovePasskey deletes one of the actor's keys and erases its name. It
// needs a recent step-up. The last second factor of a role that must have
// one cannot be removed; as TOTP stays required for those roles, that only
// bites an account without TOTP. A key that is not the actor's is NotFound.
func (s *Service) RemovePasskey(ctx context.Context, actor access.Actor, id string) error {
	if err := s.ownAccount(ctx, actor); err != nil {
		return err
	}
	if !actor.SteppedUp {
		return apperr.New(apperr.StepUp, "error.step_up")
	}
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		c, err := loadCredentials(ctx, tx, "id = $1", actor.UserID, true)
		if err != nil {
			return fmt.Errorf("load credentials %s: %w", actor.UserID, storage.MapError(err))
		}
		var total int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM passkeys WHERE user_id = $1`, actor.UserID).Scan(&total); err != nil {
			return fmt.Errorf("count passkeys of %s: %w", actor.UserID, err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM passkeys WHERE id = $1 AND user_id = $2`, id, actor.UserID)
		if err != nil {
			return fmt.Errorf("delete passkey %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("delete passkey %s: %w", id, err)
		} else if n == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if total == 1 && !c.totpEnabled && c.role.SeesPersonalData() {
			return apperr.New(apperr.Conflict, "passkey.last_factor")
		}
		if err := s.vault.Forget(ctx, tx, passkeyRecord(id)); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "account.passkey_remove", audit.Done, "passkey", id, actor.OrgID, "")
	})
	if apperr.Is(err, apperr.NotFound) {
		s.recordDenied(ctx, actor, "account.passkey_remove", "passkey", id, "")
	}
	return err
}

// BeginPasskeySignIn starts the second sign-in step with a key for the
// session behind token and returns the request options for
// navigator.credentials.get as JSON. Only a session that owes a code (the
// user has TOTP) may answer with a key instead; enrolment cannot be skipped.
func (s *Service) BeginPasskeySignIn(ctx context.Context, token string, rp RelyingParty, client string, devices ...string) (json.RawMessage, error) {
	wa, err := s.webAuthn(rp)
	if err != nil {
		return nil, err
	}
	var out []byte
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		now := s.now()
		sess, c, err := s.pendingSession(ctx, tx, token)
		if err != nil {
			return err
		}
		if sess.MFAAt != nil || !c.totpEnabled {
			return apperr.New(apperr.Conflict, "passkey.not_now")
		}
		if wait, err := s.throttle.Check(ctx, tx, "mfa:"+c.id, s.throttleClient(client, devices, c.id, now), now); err != nil {
			return err
		} else if wait > 0 {
			return tooMany(wait)
		}
		u, err := s.loadPasskeyUser(ctx, tx, c.id, rp.ID)
		if err != nil {
			return err
		}
		if len(u.keys) == 0 {
			return apperr.New(apperr.Conflict, "passkey.none")
		}
		assertion, sd, err := wa.BeginLogin(u)
		if err != nil {
			return fmt.Errorf("begin passkey sign-in: %w", err)
		}
		if err := s.saveCeremony(ctx, tx, sess.TokenHash, ceremonyLogin, c.id, sd); err != nil {
			return err
		}
		out, err = json.Marshal(assertion)
		return err
	})
	return out, err
}

// VerifyPasskey completes sign-in with the browser's answer (the
// PublicKeyCredential as JSON) to the session's sign-in ceremony, exactly as
// VerifySecondFactor does with a code: throttled under the same counter,
// audited as auth.second_factor with detail "passkey", and answered with a
// new session token (the old one stops working). A key whose signature
// counter did not advance is refused as a possible clone or replay.
func (s *Service) VerifyPasskey(ctx context.Context, token string, rp RelyingParty, response []byte, client string, devices ...string) (string, error) {
	wa, err := s.webAuthn(rp)
	if err != nil {
		return "", err
	}
	var newToken string
	var failure error
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		now := s.now()
		sess, c, err := s.pendingSession(ctx, tx, token)
		if err != nil {
			return err
		}
		if sess.MFAAt != nil || !c.totpEnabled {
			return apperr.New(apperr.Conflict, "passkey.not_now")
		}
		who := s.throttleClient(client, devices, c.id, now)
		if failure, err = s.secondFactorThrottled(ctx, tx, c, who, now); failure != nil || err != nil {
			return err
		}
		fail := func(cause error, detail string) error {
			failure = apperr.Wrap(apperr.Invalid, "passkey.signin_failed", cause)
			if errors.Is(cause, ErrNoCeremony) {
				failure = cause
			}
			return s.secondFactorFailed(ctx, tx, c, who, detail, now)
		}
		sd, err := s.takeCeremony(ctx, tx, sess.TokenHash, ceremonyLogin, c.id)
		if errors.Is(err, ErrNoCeremony) {
			return fail(err, "passkey")
		} else if err != nil {
			return err
		}
		u, err := s.loadPasskeyUser(ctx, tx, c.id, rp.ID)
		if err != nil {
			return err
		}
		parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
		if err != nil {
			return fail(fmt.Errorf("parse assertion: %w", err), "passkey")
		}
		cred, err := wa.ValidateLogin(u, sd, parsed)
		if err != nil {
			return fail(fmt.Errorf("verify assertion: %w", err), "passkey")
		}
		if cred.Authenticator.CloneWarning {
			return fail(errors.New("verify assertion: signature counter did not advance"), "passkey_sign_count")
		}
		var keyID string
		for _, k := range u.keys {
			if string(k.cred.ID) == string(cred.ID) {
				keyID = k.id
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE passkeys SET sign_count = $1, flags = $2, last_used_at = $3 WHERE id = $4`,
			int64(cred.Authenticator.SignCount), int(cred.Flags.ProtocolValue()), now, keyID); err != nil {
			return fmt.Errorf("update passkey %s: %w", keyID, err)
		}
		newToken, err = s.secondFactorPassed(ctx, tx, sess, c, who, "passkey", now)
		return err
	})
	if err != nil {
		return "", err
	}
	return newToken, failure
}
