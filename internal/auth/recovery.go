package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"waymark.city/waymark/internal/storage"
)

// Recovery codes use Crockford's base32 alphabet (no i, l, o, u), so each
// character carries 5 bits and 24 characters carry 120 bits. ASVS 5.0 6.5.2
// allows a fast unsalted hash such as SHA-256 only for lookup secrets of at
// least 112 bits, hence the length. Input is normalised the Crockford way
// (o→0, i/l→1).
const (
	recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	recoveryGroups   = 6
	recoveryGroupLen = 4
)

// DefaultRecoveryCodes is how many codes a user gets.
const DefaultRecoveryCodes = 10

// NewRecoveryCodes returns n fresh codes like "k7m2-9xqp-4hdt-a3fz-0q8r-m2c5" to show the
// user once, and their hashes to store with ReplaceRecoveryCodes.
func NewRecoveryCodes(n int) (codes []string, hashes []string, err error) {
	if n < 1 {
		return nil, nil, fmt.Errorf("new recovery codes: count %d", n)
	}
	size := big.NewInt(int64(len(recoveryAlphabet)))
	for range n {
		var b strings.Builder
		for g := range recoveryGroups {
			if g > 0 {
				b.WriteByte('-')
			}
			for range recoveryGroupLen {
				i, err := rand.Int(rand.Reader, size)
				if err != nil {
					return nil, nil, fmt.Errorf("new recovery codes: %w", err)
				}
				b.WriteByte(recoveryAlphabet[i.Int64()])
			}
		}
		code := b.String()
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(code))
	}
	return codes, hashes, nil
}

// HashRecoveryCode returns the hex SHA-256 of the normalised code: case,
// spaces and dashes do not matter, and look-alike letters are mapped to
// the digits they resemble.
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte(normaliseRecoveryCode(code)))
	return hex.EncodeToString(sum[:])
}

func normaliseRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', '\t', '\u00a0', '\u2010', '\u2011', '\u2012', '\u2013':
			return -1
		case 'o', 'O':
			return '0'
		case 'i', 'I', 'l', 'L':
			return '1'
		}
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, code)
}

// ReplaceRecoveryCodes deletes all of a user's recovery codes, used or
// not, and stores the given hashes (from NewRecoveryCodes).
func ReplaceRecoveryCodes(ctx context.Context, tx *storage.Tx, userID string, hashes []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete recovery codes of %s: %w", userID, err)
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
			return fmt.Errorf("insert recovery code of %s: %w", userID, err)
		}
	}
	return nil
}

// UseRecoveryCode marks the user's unused code as used and reports whether
// there was one. A used code never works again. Callers should count a
// false result as a failed login attempt (Throttle.Failure).
func UseRecoveryCode(ctx context.Context, tx *storage.Tx, userID, code string) (bool, error) {
	res, err := tx.ExecContext(ctx,
		`UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL`,
		storage.Now(), userID, HashRecoveryCode(code))
	if err != nil {
		return false, fmt.Errorf("use recovery code of %s: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("use recovery code of %s: %w", userID, err)
	}
	return n == 1, nil
}

// RemainingRecoveryCodes counts the user's unused recovery codes, so the
// interface can urge a new set when few are left.
func RemainingRecoveryCodes(ctx context.Context, tx *storage.Tx, userID string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx,
		`SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count recovery codes of %s: %w", userID, err)
	}
	return n, nil
}
