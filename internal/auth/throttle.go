package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"waymark.city/waymark/internal/storage"
)

// Throttling counts failed sign-ins under two keys. The pair key (username
// and client) slows one attacker hard; the user key (username alone, every
// client) slows a distributed attack only gently, so an attacker can never
// lock the real user out for more than userMaxDelay (ASVS 6.3.1: prevent
// brute force without enabling account lockout as a denial of service).
const (
	pairFreeFailures = 5
	pairBaseDelay    = time.Second
	pairMaxDelay     = 15 * time.Minute
	pairForgetAfter  = 24 * time.Hour // a quiet pair starts counting afresh

	userFreeFailures = 10
	userBaseDelay    = time.Second
	userMaxDelay     = 30 * time.Second
	userForgetAfter  = time.Hour
)

// throttleKind distinguishes the two counters inside the keyed hash.
type throttleKind string

const (
	kindPair throttleKind = "pair"
	kindUser throttleKind = "user"
)

// Throttle slows password guessing, keeping its counters in the
// login_throttle table so every server process shares them. Neither
// usernames nor client identifiers are stored: rows are keyed by an HMAC.
type Throttle struct {
	secret []byte
}

// NewThrottle returns a Throttle keyed with secret (32 random bytes from
// the installation's configuration). Changing the secret forgets all
// counters, which is harmless.
func NewThrottle(secret []byte) *Throttle {
	return &Throttle{secret: append([]byte(nil), secret...)}
}

// key is HMAC-SHA256(secret, kind, lower-cased username, client), with
// length prefixes so no two inputs share an encoding.
func (t *Throttle) key(kind throttleKind, username, client string) []byte {
	u := strings.ToLower(strings.TrimSpace(username))
	m := hmac.New(sha256.New, t.secret)
	fmt.Fprintf(m, "%s\x00%d:%s\x00%d:%s", kind, len(u), u, len(client), client)
	return m.Sum(nil)
}

// delay is the block after the given number of consecutive failures:
// none for the first free ones, then base doubling per failure up to limit.
func delay(failures, free int, base, limit time.Duration) time.Duration {
	if failures < free {
		return 0
	}
	d := base
	for range failures - free {
		d *= 2
		if d >= limit {
			return limit
		}
	}
	return min(d, limit)
}

// Check returns how long the caller must wait before trying username from
// client; zero means go ahead. client is an opaque identifier of the
// requester, e.g. a keyed hash of the IP address (never the raw address).
// While the wait is positive, refuse the attempt without checking the
// password and without calling Failure. Check only reads, so it may run in
// a read transaction.
func (t *Throttle) Check(ctx context.Context, tx *storage.Tx, username, client string, now time.Time) (wait time.Duration, err error) {
	for _, k := range [][]byte{t.key(kindPair, username, client), t.key(kindUser, username, "")} {
		var until time.Time
		err := tx.QueryRowContext(ctx, `SELECT blocked_until FROM login_throttle WHERE key_hash = $1`, k).Scan(&until)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("check login throttle: %w", err)
		}
		wait = max(wait, until.Sub(now))
	}
	return max(wait, 0), nil
}

// Failure records a failed attempt (wrong password, second factor or
// recovery code) for username from client.
func (t *Throttle) Failure(ctx context.Context, tx *storage.Tx, username, client string, now time.Time) error {
	if err := t.fail(ctx, tx, t.key(kindPair, username, client), now, pairForgetAfter, func(n int) time.Duration {
		return delay(n, pairFreeFailures, pairBaseDelay, pairMaxDelay)
	}); err != nil {
		return err
	}
	return t.fail(ctx, tx, t.key(kindUser, username, ""), now, userForgetAfter, func(n int) time.Duration {
		return delay(n, userFreeFailures, userBaseDelay, userMaxDelay)
	})
}

func (t *Throttle) fail(ctx context.Context, tx *storage.Tx, key []byte, now time.Time, forget time.Duration, delayFor func(int) time.Duration) error {
	now = dbTime(now)
	var failures int
	var last time.Time
	err := tx.QueryRowContext(ctx,
		`SELECT failures, last_failure_at FROM login_throttle WHERE key_hash = $1`+tx.ForUpdate(), key).Scan(&failures, &last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		failures = 0
	case err != nil:
		return fmt.Errorf("record login failure: %w", err)
	case now.Sub(last) >= forget:
		failures = 0
	}
	failures++
	_, err = tx.ExecContext(ctx, `INSERT INTO login_throttle (key_hash, failures, last_failure_at, blocked_until)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (key_hash) DO UPDATE SET failures = excluded.failures,
			last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until`,
		key, failures, now, now.Add(delayFor(failures)))
	if err != nil {
		return fmt.Errorf("record login failure: %w", err)
	}
	return nil
}

// Success clears the pair counter after a complete sign-in. The per-user
// counter is left to expire on its own, so a distributed attack is not
// given a fresh allowance each time the real user signs in.
func (t *Throttle) Success(ctx context.Context, tx *storage.Tx, username, client string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key_hash = $1`, t.key(kindPair, username, client)); err != nil {
		return fmt.Errorf("clear login throttle: %w", err)
	}
	return nil
}

// Sweep deletes counters whose last failure and block both ended before
// before, and returns how many. Pass a time at least a day back (the
// longest a counter is remembered) from a periodic job.
func (t *Throttle) Sweep(ctx context.Context, tx *storage.Tx, before time.Time) (int64, error) {
	before = dbTime(before)
	res, err := tx.ExecContext(ctx,
		`DELETE FROM login_throttle WHERE last_failure_at < $1 AND blocked_until < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("sweep login throttle: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sweep login throttle: %w", err)
	}
	return n, nil
}
