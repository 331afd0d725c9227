package auth

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings: the RFC 6238 defaults every authenticator app supports.
const (
	totpPeriod     = 30 // seconds per step
	totpDigits     = otp.DigitsSix
	totpSecretSize = 20 // bytes: 160 bits, as RFC 4226 recommends
	totpSkew       = 1  // steps accepted either side of now, for clock drift
	totpQRSize     = 200
)

// NewTOTP creates a TOTP secret for account at issuer. It returns the
// base32 secret (to store encrypted, and to show for manual entry), the
// otpauth:// URL and a 200×200 PNG QR code of that URL for the enrolment
// page. The account name appears in the QR code only, never in an error.
func NewTOTP(issuer, account string) (secret string, otpauthURL string, qrPNG []byte, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      totpPeriod,
		SecretSize:  totpSecretSize,
		Digits:      totpDigits,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", "", nil, fmt.Errorf("generate totp key: %w", err)
	}
	img, err := key.Image(totpQRSize, totpQRSize)
	if err != nil {
		return "", "", nil, fmt.Errorf("render totp qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", "", nil, fmt.Errorf("encode totp qr code: %w", err)
	}
	return key.Secret(), key.URL(), buf.Bytes(), nil
}

// TOTPStep returns the RFC 6238 time step (30-second counter) at now.
func TOTPStep(now time.Time) int64 {
	return now.Unix() / totpPeriod
}

// CheckTOTP reports whether code is valid for secret at now, accepting the
// previous and next step for clock drift. Spaces in the code are ignored
// ("123 456"). It does not prevent replay: use VerifyTOTP for sign-in.
func CheckTOTP(secret, code string, now time.Time) bool {
	_, ok := MatchTOTP(secret, code, now)
	return ok
}

// MatchTOTP is CheckTOTP that also returns the step the code belongs to.
func MatchTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != totpDigits.Length() || strings.TrimSpace(secret) == "" {
		return 0, false
	}
	current := TOTPStep(now)
	// Compute every candidate so the time spent does not depend on which
	// step (if any) matched.
	for _, s := range []int64{current - totpSkew, current, current + totpSkew} {
		if s < 0 {
			continue
		}
		want, err := hotp.GenerateCodeCustom(secret, uint64(s), hotp.ValidateOpts{Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false // malformed secret
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && !ok {
			step, ok = s, true
		}
	}
	return step, ok
}

// VerifyTOTP checks code like CheckTOTP and also refuses replays: a code
// whose step is not after lastStep (the step of the last code this user
// used successfully) is rejected. On success the caller must store the
// returned step as the user's new lastStep, in the same transaction that
// completes the sign-in, so a code cannot be used twice even within its
// 90-second window. Use 0 as lastStep for a user who never signed in with
// TOTP.
//
// Storing TOTPStep(now) instead of the returned step is not enough: with
// skew a code for the next step is accepted now and would be accepted
// again once that step arrives.
func VerifyTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	step, ok = MatchTOTP(secret, code, now)
	if !ok || step <= lastStep {
		return 0, false
	}
	return step, true
}
