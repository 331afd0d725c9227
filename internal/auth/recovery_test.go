package auth

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"waymark.city/waymark/internal/storage"
)

func TestNewRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(DefaultRecoveryCodes)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 || len(hashes) != 10 {
		t.Fatalf("got %d codes, %d hashes", len(codes), len(hashes))
	}
	// Six groups of four base32 characters: 120 bits (ASVS 6.5.2 asks for 112 with a fast hash).
	shape := regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){5}$`)
	seen := map[string]bool{}
	for i, c := range codes {
		if !shape.MatchString(c) {
			t.Errorf("code %q has the wrong shape", c)
		}
		if seen[c] {
			t.Errorf("duplicate code %q", c)
		}
		seen[c] = true
		if hashes[i] != HashRecoveryCode(c) || len(hashes[i]) != 64 {
			t.Errorf("hash %d does not match its code", i)
		}
	}
	if _, _, err := NewRecoveryCodes(0); err == nil {
		t.Fatal("zero codes accepted")
	}
}

func TestHashRecoveryCodeNormalises(t *testing.T) {
	want := HashRecoveryCode("k7m2-9xqp-4hd0")
	for _, in := range []string{"K7M2-9XQP-4HD0", "k7m29xqp4hd0", " k7m2 9xqp 4hd0 ", "k7m2-9xqp-4hdo", "k7m2–9xqp–4hdO"} {
		if got := HashRecoveryCode(in); got != want {
			t.Errorf("HashRecoveryCode(%q) differs", in)
		}
	}
	if HashRecoveryCode("k7m2-9xqp-4hd1") != HashRecoveryCode("k7m2-9xqp-4hdl") {
		t.Error("l is not read as 1")
	}
	if HashRecoveryCode("k7m2-9xqp-4hd0") == HashRecoveryCode("k7m2-9xqp-4hd2") {
		t.Error("different codes hash the same")
	}
}

func TestRecoveryCodesOneTimeUse(t *testing.T) {
	db := openDB(t)
	addUsers(t, db, "u1", "u2")
	codes, hashes, err := NewRecoveryCodes(3)
	if err != nil {
		t.Fatal(err)
	}
	write(t, db, func(ctx context.Context, tx *storage.Tx) error {
		return ReplaceRecoveryCodes(ctx, tx, "u1", hashes)
	})
	use := func(user, code string) bool {
		var ok bool
		write(t, db, func(ctx context.Context, tx *storage.Tx) (err error) {
			ok, err = UseRecoveryCode(ctx, tx, user, code)
			return err
		})
		return ok
	}
	remaining := func(user string) int {
		var n int
		write(t, db, func(ctx context.Context, tx *storage.Tx) (err error) {
			n, err = RemainingRecoveryCodes(ctx, tx, user)
			return err
		})
		return n
	}

	if n := remaining("u1"); n != 3 {
		t.Fatalf("remaining %d, want 3", n)
	}
	if use("u2", codes[0]) {
		t.Fatal("another user's code accepted")
	}
	if !use("u1", strings.ToUpper(codes[0])) {
		t.Fatal("valid code rejected")
	}
	if use("u1", codes[0]) {
		t.Fatal("used code accepted twice")
	}
	if use("u1", "0000-0000-0000") {
		t.Fatal("made-up code accepted")
	}
	if n := remaining("u1"); n != 2 {
		t.Fatalf("remaining %d, want 2", n)
	}

	// A new set replaces the old one entirely.
	newCodes, newHashes, _ := NewRecoveryCodes(2)
	write(t, db, func(ctx context.Context, tx *storage.Tx) error {
		return ReplaceRecoveryCodes(ctx, tx, "u1", newHashes)
	})
	if use("u1", codes[1]) {
		t.Fatal("code from the replaced set accepted")
	}
	if !use("u1", newCodes[1]) {
		t.Fatal("code from the new set rejected")
	}
	if n := remaining("u1"); n != 1 {
		t.Fatalf("remaining %d, want 1", n)
	}
}
