package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // iterations
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are the production costs: 64 MiB, 3 passes, 2 lanes. The
// OWASP Password Storage Cheat Sheet minimum for argon2id is 19 MiB with 2
// passes and 1 lane (or an equivalent trade-off); this is well above it and
// takes about 150 ms on a small 2-core virtual machine. Memory is what makes
// GPU guessing expensive, so it is the parameter raised first.
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}

// TestParams are deliberately cheap so tests in every package stay fast.
// Never use them in production.
var TestParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Limits accepted when decoding a stored hash, so a corrupt or planted
// value cannot make one check allocate gigabytes or spin for minutes.
const (
	maxMemory  = 1 << 20 // 1 GiB in KiB
	maxTime    = 64
	maxSaltLen = 64
	minSaltLen = 8
	maxKeyLen  = 128
	minKeyLen  = 16
)

// errMalformedHash is returned for a stored hash that cannot be parsed.
var errMalformedHash = errors.New("malformed argon2id hash")

// Hasher hashes and checks passwords with fixed parameters. A semaphore
// bounds how many argon2id computations run at once, because each one
// holds Params.Memory KiB: without it a burst of logins could exhaust the
// server's memory.
type Hasher struct {
	params    Params
	sem       chan struct{}
	dummySalt []byte
	// unknown are the turns open to sign-ins from browsers not known to
	// the account: all but one of sem's (see Admit).
	unknown chan struct{}
}

// NewHasher returns a Hasher using params that runs at most maxConcurrent
// hashes at once (at least 1). Peak memory is about
// maxConcurrent × params.Memory KiB.
func NewHasher(params Params, maxConcurrent int) *Hasher {
	if maxConcurrent < 1 {
		maxConcurrent = 1
	}
	salt := make([]byte, params.SaltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails; it crashes the program instead.
	return &Hasher{params: params, sem: make(chan struct{}, maxConcurrent), dummySalt: salt,
		unknown: make(chan struct{}, max(1, maxConcurrent-1))}
}

// UnknownWait is how long a password check from an unknown browser waits
// for a turn before it is shed (Admit).
const UnknownWait = 2 * time.Second

// ErrBusy is Admit's answer to an unknown browser that found no turn.
var ErrBusy = errors.New("password hasher busy")

// Admit gives a sign-in's password check its turn. A browser known to the
// account (a device token) goes straight to the hasher; unknown ones share
// all but one of its slots and are shed with ErrBusy after UnknownWait, so
// a flood of guesses neither keeps the owner from signing in nor exhausts
// memory. release must be called after the check.
func (h *Hasher) Admit(ctx context.Context, known bool) (release func(), err error) {
	if known {
		return func() {}, nil
	}
	t := time.NewTimer(UnknownWait)
	defer t.Stop()
	select {
	case h.unknown <- struct{}{}:
		return func() { <-h.unknown }, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// HashPassword hashes pw with DefaultParams and no concurrency bound. It is
// meant for tools and set-up; servers use a Hasher.
func HashPassword(pw string) (string, error) {
	return hashWith(DefaultParams, pw)
}

// Hash returns the PHC string of pw, e.g.
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash> (unpadded standard base64).
func (h *Hasher) Hash(pw string) (string, error) {
	h.sem <- struct{}{}
	defer func() { <-h.sem }()
	return hashWith(h.params, pw)
}

func hashWith(p Params, pw string) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: read salt: %w", err)
	}
	key := argon2.IDKey(normalise(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encode(p, salt, key), nil
}

// Check reports whether pw matches the encoded hash, comparing in constant
// time. needsRehash is true when the hash was made with other parameters
// than h's, so the caller should store a fresh Hash(pw) after a successful
// login. err is non-nil only for a malformed hash, never for a wrong
// password.
func (h *Hasher) Check(encoded, pw string) (ok bool, needsRehash bool, err error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, false, fmt.Errorf("check password: %w", err)
	}
	h.sem <- struct{}{}
	got := argon2.IDKey(normalise(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	<-h.sem
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// DummyCheck spends the same time and memory as Check with h's parameters
// and always fails. Call it when the username is unknown (or the account
// disabled) so response timing does not tell whether an account exists.
func (h *Hasher) DummyCheck(pw string) {
	h.sem <- struct{}{}
	defer func() { <-h.sem }()
	key := argon2.IDKey(normalise(pw), h.dummySalt, h.params.Time, h.params.Memory, h.params.Threads, h.params.KeyLen)
	subtle.ConstantTimeCompare(key, make([]byte, len(key)))
}

// normalise applies NFKC (NIST SP 800-63B 5.1.1.2) so the same password
// typed on keyboards that emit composed or decomposed characters matches.
func normalise(pw string) []byte { return []byte(norm.NFKC.String(pw)) }

var b64 = base64.RawStdEncoding

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses a PHC argon2id string and checks its values are in range.
func decode(encoded string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errMalformedHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version", errMalformedHash)
	}
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return p, nil, nil, fmt.Errorf("%w: parameters", errMalformedHash)
	}
	var seen [3]bool
	for _, f := range fields {
		name, val, ok := strings.Cut(f, "=")
		if !ok {
			return p, nil, nil, fmt.Errorf("%w: parameters", errMalformedHash)
		}
		n, err := strconv.ParseUint(val, 10, 32)
		if err != nil {
			return p, nil, nil, fmt.Errorf("%w: parameter %s", errMalformedHash, name)
		}
		switch {
		case name == "m" && !seen[0] && n >= 8 && n <= maxMemory:
			p.Memory, seen[0] = uint32(n), true
		case name == "t" && !seen[1] && n >= 1 && n <= maxTime:
			p.Time, seen[1] = uint32(n), true
		case name == "p" && !seen[2] && n >= 1 && n <= 255:
			p.Threads, seen[2] = uint8(n), true
		default:
			return p, nil, nil, fmt.Errorf("%w: parameter %s", errMalformedHash, name)
		}
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return p, nil, nil, fmt.Errorf("%w: salt", errMalformedHash)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return p, nil, nil, fmt.Errorf("%w: hash", errMalformedHash)
	}
	if p.Memory < 8*uint32(p.Threads) {
		return p, nil, nil, fmt.Errorf("%w: memory below 8 KiB per lane", errMalformedHash)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
