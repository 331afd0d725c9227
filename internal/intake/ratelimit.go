package intake

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Rate-limit buckets in the shared rate_limits table; every one starts
// with bucketPrefix so Sweep only removes its own.
const (
	bucketPrefix       = "intake."
	bucketSubmit       = "intake.submit:"       // + client key
	bucketCode         = "intake.code:"         // + client key
	bucketCodeAll      = "intake.code:*"        // every code attempt
	bucketSubmitAll    = "intake.submit:*"      // every submission
	bucketSubmitMinute = "intake.submit:minute" // every submission, per minute
	clientKeyPurpose   = "intake.client|"       // + the day
	clientKeyHexLength = 32                     // 128 bits of the keyed hash
	limitWindow        = time.Hour              // fixed windows of one hour
	sweepAfter         = 48 * time.Hour         // windows older than this are deleted
	dayLayout          = time.DateOnly          // the day a client key belongs to
)

// ClientKey is the keyed hash of a client address used for rate limits:
// the key is derived from the installation's index key with a purpose that
// includes the day, so the value changes daily and cannot be linked across
// days, nor computed by anyone without the key file. The address itself is
// never stored or logged.
func (s *Service) ClientKey(addr string, now time.Time) string {
	purpose := clientKeyPurpose + now.UTC().Format(dayLayout)
	return hex.EncodeToString(s.vault.BlindIndex(purpose, []byte(addr)))[:clientKeyHexLength]
}

// rule is a limit over one window.
type rule struct {
	max    int
	window time.Duration
}

// limit counts an event in each bucket's current window — in the
// database, so every process shares the counts, and in one transaction —
// and refuses with TooMany when any count is over its limit. Every bucket
// is counted even after one is over, so a blocked client keeps adding to
// the global figure.
func (s *Service) limit(ctx context.Context, now time.Time, buckets map[string]rule) error {
	over := false
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		over = false // the transaction may be retried
		for bucket, r := range buckets {
			var hits int
			err := tx.QueryRowContext(ctx, `INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
				ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
				RETURNING hits`, bucket, now.UTC().Truncate(r.window)).Scan(&hits)
			if err != nil {
				return fmt.Errorf("count rate limit: %w", err)
			}
			if hits > r.max {
				over = true
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if over {
		return apperr.New(apperr.TooMany, "public.error.too_many")
	}
	return nil
}

// AdmitSubmission counts one report submission by client (a ClientKey)
// and refuses with TooMany when the client, or everyone together, sent
// too many this hour. The page layer calls it before reading the body.
func (s *Service) AdmitSubmission(ctx context.Context, client string) error {
	return s.limit(ctx, s.now(), map[string]rule{
		bucketSubmit + client: {s.cfg.SubmitsPerHour, limitWindow},
		bucketSubmitAll:       {s.cfg.SubmitsPerHourAll, limitWindow},
		bucketSubmitMinute:    {s.cfg.SubmitsPerMinuteAll, time.Minute},
	})
}

// admitCode counts one receipt-code attempt.
func (s *Service) admitCode(ctx context.Context, client string) error {
	return s.limit(ctx, s.now(), map[string]rule{
		bucketCode + client: {s.cfg.CodeTriesPerHour, limitWindow},
		bucketCodeAll:       {s.cfg.CodeTriesPerHourAll, limitWindow},
	})
}
