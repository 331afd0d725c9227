package intake

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/bits"
	"time"

	"waymark.city/waymark/internal/storage"
)

// Challenge layout: version (1) | issued, Unix seconds (8) | difficulty (1)
// | random id (16) | MAC (16), sent base64url-encoded.
const (
	powVersion    byte = 1
	powIDLen           = 16
	powMACLen          = 16
	powBodyLen         = 1 + 8 + 1 + powIDLen
	powTokenLen        = powBodyLen + powMACLen
	powPurpose         = "intake.pow"
	maxNonceLen        = 32
	maxDifficulty      = 32
)

// Challenge returns a new signed proof-of-work challenge and its
// difficulty (leading zero bits). The form carries both.
func (s *Service) Challenge() (string, int) {
	body := make([]byte, powBodyLen, powTokenLen)
	body[0] = powVersion
	binary.BigEndian.PutUint64(body[1:9], uint64(s.now().Unix()))
	body[9] = byte(s.cfg.Difficulty)
	_, _ = rand.Read(body[10:]) // crypto/rand.Read never fails
	token := append(body, s.vault.BlindIndex(powPurpose, body)[:powMACLen]...)
	return base64.RawURLEncoding.EncodeToString(token), s.cfg.Difficulty
}

// LeadingZeroBits counts the zero bits at the start of SHA-256(challenge
// || nonce), the measure of a proof of work.
func LeadingZeroBits(challenge, nonce string) int {
	sum := sha256.Sum256([]byte(challenge + nonce))
	n := 0
	for _, b := range sum {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

// verifyWork reports whether w is a valid, unexpired proof of work of
// enough difficulty, and returns its challenge's random id and expiry. It
// touches no storage: whether it was spent is checkWork's question.
func (s *Service) verifyWork(w Work, now time.Time) (id []byte, expires time.Time, ok bool) {
	if w.Challenge == "" || w.Nonce == "" || len(w.Nonce) > maxNonceLen || len(w.Challenge) > 2*powTokenLen {
		return nil, time.Time{}, false
	}
	token, err := base64.RawURLEncoding.DecodeString(w.Challenge)
	if err != nil || len(token) != powTokenLen || token[0] != powVersion {
		return nil, time.Time{}, false
	}
	body, mac := token[:powBodyLen], token[powBodyLen:]
	if !hmac.Equal(mac, s.vault.BlindIndex(powPurpose, body)[:powMACLen]) {
		return nil, time.Time{}, false
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(body[1:9])), 0)
	difficulty := int(body[9])
	expires = issued.Add(s.cfg.ChallengeTTL)
	// The difficulty signed into the challenge counts, so raising it later
	// does not void forms already open; it never counts below the minimum.
	if now.Before(issued.Add(-time.Minute)) || !now.Before(expires) || difficulty > maxDifficulty || difficulty < s.cfg.MinDifficulty {
		return nil, time.Time{}, false
	}
	if LeadingZeroBits(w.Challenge, w.Nonce) < difficulty {
		return nil, time.Time{}, false
	}
	return body[10:], expires, true
}

// checkWork reports whether w is a valid, unexpired, unspent proof of work
// and, if so, records its challenge as spent inside tx, so it counts once
// and only when the report it came with is stored.
func (s *Service) checkWork(ctx context.Context, tx *storage.Tx, w Work, now time.Time) (bool, error) {
	id, expires, ok := s.verifyWork(w, now)
	if !ok {
		return false, nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO pow_spent (challenge, expires_at) VALUES ($1, $2) ON CONFLICT (challenge) DO NOTHING`,
		id, expires.UTC())
	if err != nil {
		return false, fmt.Errorf("spend challenge: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("spend challenge: %w", err)
	}
	return n == 1, nil
}
