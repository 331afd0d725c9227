package intake

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Rate-limit buckets in the shared rate_limits table; every one starts
// with bucketPrefix so Sweep only removes its own. A visitor's own budget
// is a solved proof of work when the request carries one (workVisitor +
// the challenge's id), else the client's address key; the totals of the
// two kinds are kept apart, so a flood without proofs of work (cheap to
// send) cannot close the form for visitors whose browser solved one.
const (
	bucketPrefix       = "intake."
	bucketSubmit       = "intake.submit:"        // + visitor
	bucketCode         = "intake.code:"          // + visitor
	bucketCodeAll      = "intake.code:*"         // every code attempt with a proof of work
	bucketCodeBare     = "intake.code:bare"      // every code attempt without one
	bucketSubmitAll    = "intake.submit:*"       // every submission with a proof of work
	bucketSubmitMinute = "intake.submit:minute"  // the same, per minute
	bucketBareAll      = "intake.submit:bare"    // every submission without a proof of work
	bucketBareMinute   = "intake.submit:bare-1m" // the same, per minute
	workVisitor        = "work:"                 // + hex of a challenge's id
	clientKeyPurpose   = "intake.client|"        // + the day
	clientKeyHexLength = 32                      // 128 bits of the keyed hash
	limitWindow        = time.Hour               // fixed windows of one hour
	sweepAfter         = 48 * time.Hour          // windows older than this are deleted
	dayLayout          = time.DateOnly           // the day a client key belongs to
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
// the global figure — until this process has seen a window over its
// limit: then it refuses from memory until the window ends.
func (s *Service) limit(ctx context.Context, now time.Time, buckets map[string]rule) error {
	for bucket := range buckets {
		if s.full.blocked(bucket, now) {
			return apperr.New(apperr.TooMany, "public.error.too_many")
		}
	}
	var overflowing []string
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		overflowing = overflowing[:0] // the transaction may be retried
		for bucket, r := range buckets {
			var hits int
			err := tx.QueryRowContext(ctx, `INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
				ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
				RETURNING hits`, bucket, now.UTC().Truncate(r.window)).Scan(&hits)
			if err != nil {
				return fmt.Errorf("count rate limit: %w", err)
			}
			if hits > r.max {
				overflowing = append(overflowing, bucket)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(overflowing) > 0 {
		for _, bucket := range overflowing {
			s.full.block(bucket, now.UTC().Truncate(buckets[bucket].window).Add(buckets[bucket].window))
		}
		return apperr.New(apperr.TooMany, "public.error.too_many")
	}
	return nil
}

// fullWindows is a process's memory of rate-limit windows over their
// limit. The database stays the shared count; this only spares it the
// writes of requests that would be refused anyway until the window ends.
type fullWindows struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func (f *fullWindows) blocked(bucket string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	until, ok := f.until[bucket]
	if ok && !now.Before(until) {
		delete(f.until, bucket)
		return false
	}
	return ok
}

func (f *fullWindows) block(bucket string, until time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.until == nil {
		f.until = map[string]time.Time{}
	}
	if len(f.until) >= maxFullWindows {
		// Windows end within the hour; dropping some early only costs a
		// database write for their next request.
		for b, u := range f.until {
			if u.Before(until) {
				delete(f.until, b)
			}
		}
	}
	f.until[bucket] = until
}

// maxFullWindows bounds the memory of full windows under a flood from
// many addresses.
const maxFullWindows = 10000

// Visitor is whose budget a public request spends: the solved proof of
// work w when it is valid (signed here, unexpired, hard enough), else
// client, the ClientKey of the address. Checking w costs one hash and
// touches no storage; it is not spent here, so a visitor may retry with it
// until the report it came with is stored.
func (s *Service) Visitor(client string, w Work) string {
	if id, _, ok := s.verifyWork(w, s.now()); ok {
		return workVisitor + hex.EncodeToString(id)
	}
	return client
}

func solved(visitor string) bool { return strings.HasPrefix(visitor, workVisitor) }

// AdmitSubmission decides whether the report in, sent with w by client (a
// ClientKey), may be taken, before any costly work and before it counts
// against anything: field errors come back as they would from Submit and
// spend no budget. Then the submission counts against the visitor's own
// budget (Visitor: the solved proof of work, else the address) and the
// total of its kind, and is refused with TooMany when either is spent.
func (s *Service) AdmitSubmission(ctx context.Context, client string, in Submission, w Work) error {
	now := s.now()
	if err := s.validate(&in, now); err != nil {
		return err
	}
	visitor := s.Visitor(client, w)
	all, minute := bucketSubmitAll, bucketSubmitMinute
	if !solved(visitor) {
		all, minute = bucketBareAll, bucketBareMinute
	}
	return s.limit(ctx, now, map[string]rule{
		bucketSubmit + visitor: {s.cfg.SubmitsPerHour, limitWindow},
		all:                    {s.cfg.SubmitsPerHourAll, limitWindow},
		minute:                 {s.cfg.SubmitsPerMinuteAll, time.Minute},
	})
}

// admitCode counts one receipt-code attempt of visitor (see Visitor).
func (s *Service) admitCode(ctx context.Context, visitor string) error {
	all := bucketCodeAll
	if !solved(visitor) {
		all = bucketCodeBare
	}
	return s.limit(ctx, s.now(), map[string]rule{
		bucketCode + visitor: {s.cfg.CodeTriesPerHour, limitWindow},
		all:                  {s.cfg.CodeTriesPerHourAll, limitWindow},
	})
}
