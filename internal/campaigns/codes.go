package campaigns

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"waymark.city/waymark/internal/storage"
)

// CodeAlphabet is the characters of an attribution code: digits and
// capital letters without those read or typed for one another (0 and O,
// 1, I and L), so a code copied from a poster by hand still matches.
const CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// CodeLength is the length of an attribution code: 31^6, close to 900
// million codes, so a random one is almost never taken.
const CodeLength = 6

// NewCode draws a random attribution code.
func NewCode() (string, error) {
	var b strings.Builder
	n := big.NewInt(int64(len(CodeAlphabet)))
	for range CodeLength {
		i, err := rand.Int(rand.Reader, n)
		if err != nil {
			return "", fmt.Errorf("draw attribution code: %w", err)
		}
		b.WriteByte(CodeAlphabet[i.Int64()])
	}
	return b.String(), nil
}

// NormaliseCode turns a code as typed ("ab3 d-7k") into its stored form
// ("AB3D7K"), or "" when it cannot be one.
func NormaliseCode(typed string) string {
	code := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t':
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(typed)))
	if len(code) != CodeLength || strings.Trim(code, CodeAlphabet) != "" {
		return ""
	}
	return code
}

// KnownCode returns the stored form of typed when it is a material's
// attribution code, else "". Intake calls it inside the transaction that
// stores a report or a call.
func KnownCode(ctx context.Context, tx *storage.Tx, typed string) (string, error) {
	code := NormaliseCode(typed)
	if code == "" {
		return "", nil
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM campaign_materials WHERE code = $1`, code).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up attribution code: %w", err)
	}
	return code, nil
}

// freeCode draws codes until one is not taken yet.
func freeCode(ctx context.Context, tx *storage.Tx) (string, error) {
	for range 10 {
		code, err := NewCode()
		if err != nil {
			return "", err
		}
		taken, err := KnownCode(ctx, tx, code)
		if err != nil {
			return "", err
		}
		if taken == "" {
			return code, nil
		}
	}
	return "", errors.New("draw attribution code: ten codes in a row were taken")
}
