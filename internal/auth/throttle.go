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

// Throttling counts failed sign-ins under three keys. A browser that
// signed in to the account before shows a device token (OWASP's "device
// cookie"): its failures count only under its own device key, and nothing
// that happens elsewhere slows it, so guessing from other clients can
// never lock the owner out (ASVS 6.3.1: prevent brute force without
// enabling account lockout as a denial of service). Unknown clients count
// under the pair key (account and client), which slows one attacker hard,
// and the user key (account, every unknown client), which slows a
// distributed attack.
const (
	pairFreeFailures = 5
	pairBaseDelay    = time.Second
	pairMaxDelay     = 15 * time.Minute
	pairForgetAfter  = 24 * time.Hour // a quiet pair starts counting afresh

	userFreeFailures = 10
	userBaseDelay    = time.Second
	userMaxDelay     = 5 * time.Minute
	userForgetAfter  = time.Hour

	// A stolen device token gets no more than one client would.
	deviceFreeFailures = pairFreeFailures
	deviceBaseDelay    = pairBaseDelay
	deviceMaxDelay     = pairMaxDelay
	deviceForgetAfter  = pairForgetAfter
)

// throttleKind distinguishes the counters inside the keyed hash.
type throttleKind string

const (
	kindPair   throttleKind = "pair"
	kindUser   throttleKind = "user"
	kindDevice throttleKind = "device"
)

// Client is who makes a sign-in attempt, as the throttle sees it.
type Client struct {
	// Key is an opaque value for the network origin: a keyed hash of the
	// address, never the address itself.
	Key string
	// Device is the id of a device token the browser showed that is valid
	// for the account (Throttle.Device); empty for an unknown browser.
	Device string
}

// Throttle slows password guessing, keeping its counters in the
// login_throttle table so every server process shares them. Neither
// usernames, client identifiers nor device ids are stored: rows are keyed
// by an HMAC. Device tokens are signed, not stored.
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

// counters are the keys an attempt of c on counter (a username, or
// "mfa:"+id for a second factor) is counted under.
func (t *Throttle) counters(counter string, c Client) []counted {
	if c.Device != "" {
		return []counted{{t.key(kindDevice, counter, c.Device), deviceForgetAfter, func(n int) time.Duration {
			return delay(n, deviceFreeFailures, deviceBaseDelay, deviceMaxDelay)
		}}}
	}
	return []counted{
		{t.key(kindPair, counter, c.Key), pairForgetAfter, func(n int) time.Duration {
			return delay(n, pairFreeFailures, pairBaseDelay, pairMaxDelay)
		}},
		{t.key(kindUser, counter, ""), userForgetAfter, func(n int) time.Duration {
			return delay(n, userFreeFailures, userBaseDelay, userMaxDelay)
		}},
	}
}

// counted is one counter: its row key, when a quiet one starts afresh, and
// the block after n failures.
type counted struct {
	key      []byte
	forget   time.Duration
	delayFor func(n int) time.Duration
}

// Check returns how long c must wait before trying counter (a username,
// or "mfa:"+id for a second factor); zero means go ahead. While the wait
// is positive, refuse the attempt without checking the password and
// without calling Failure. Check only reads, so it may run in a read
// transaction.
func (t *Throttle) Check(ctx context.Context, tx *storage.Tx, counter string, c Client, now time.Time) (wait time.Duration, err error) {
	for _, k := range t.counters(counter, c) {
		var until time.Time
		err := tx.QueryRowContext(ctx, `SELECT blocked_until FROM login_throttle WHERE key_hash = $1`, k.key).Scan(&until)
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
// recovery code) of c on counter.
func (t *Throttle) Failure(ctx context.Context, tx *storage.Tx, counter string, c Client, now time.Time) error {
	for _, k := range t.counters(counter, c) {
		if err := t.fail(ctx, tx, k.key, now, k.forget, k.delayFor); err != nil {
			return err
		}
	}
	return nil
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

// Success clears the counter of c itself (its device, or the pair) after
// a complete sign-in. The per-user counter of unknown clients is left to
// expire on its own, so a distributed attack is not given a fresh
// allowance each time the real user signs in.
func (t *Throttle) Success(ctx context.Context, tx *storage.Tx, counter string, c Client, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key_hash = $1`, t.counters(counter, c)[0].key); err != nil {
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
