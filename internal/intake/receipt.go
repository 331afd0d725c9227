package intake

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
)

// codeDigits is the length of a receipt code.
const codeDigits = 16

// lookupLen is how many bytes of the keyed hash are kept as the lookup
// value: few enough that the stored value cannot confirm a guessed code on
// its own (see the package documentation).
const lookupLen = 3

// Vault purposes of the two keys derived for receipt codes.
const (
	purposeLookup = "intake.receipt.lookup"
	purposePepper = "intake.receipt.pepper"
)

var codeSpace = new(big.Int).Exp(big.NewInt(10), big.NewInt(codeDigits), nil)

// newCode returns a uniformly random 16-digit code.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, codeSpace)
	if err != nil {
		return "", fmt.Errorf("new receipt code: %w", err)
	}
	return fmt.Sprintf("%0*d", codeDigits, n), nil
}

// NormaliseCode returns the 16 digits of a code as typed — spaces, dashes
// and dots between groups allowed, other scripts' digits not — or "" if it
// is not a code.
func NormaliseCode(typed string) string {
	var b strings.Builder
	for _, r := range typed {
		switch {
		case r >= '0' && r <= '9':
			if b.Len() == codeDigits {
				return ""
			}
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '\u00a0' || r == '\t':
		default:
			return ""
		}
	}
	if b.Len() != codeDigits {
		return ""
	}
	return b.String()
}

// codeLookup is the short keyed lookup value of a code.
func (s *Service) codeLookup(code string) []byte {
	return s.vault.BlindIndex(purposeLookup, []byte(code))[:lookupLen]
}

// codeSecret is what argon2id hashes: the code under the installation's
// pepper, so a stolen database without the key file cannot even start
// guessing.
func (s *Service) codeSecret(code string) string {
	return hex.EncodeToString(s.vault.BlindIndex(purposePepper, []byte(code)))
}
