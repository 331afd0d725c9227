package auth

import (
	"context"
	"fmt"
	"testing"
	"time"

	"waymark.city/waymark/internal/storage"
)

type throttleRig struct {
	t  *testing.T
	db *storage.DB
	th *Throttle
}

func newThrottleRig(t *testing.T) *throttleRig {
	return &throttleRig{t: t, db: openDB(t), th: NewThrottle([]byte("test secret, 32 bytes long......"))}
}

func (r *throttleRig) check(user, client string, now time.Time) time.Duration {
	r.t.Helper()
	var wait time.Duration
	write(r.t, r.db, func(ctx context.Context, tx *storage.Tx) (err error) {
		wait, err = r.th.Check(ctx, tx, user, Client{Key: client}, now)
		return err
	})
	return wait
}

func (r *throttleRig) fail(user, client string, now time.Time) {
	r.t.Helper()
	write(r.t, r.db, func(ctx context.Context, tx *storage.Tx) error {
		return r.th.Failure(ctx, tx, user, Client{Key: client}, now)
	})
}

func (r *throttleRig) succeed(user, client string, now time.Time) {
	r.t.Helper()
	write(r.t, r.db, func(ctx context.Context, tx *storage.Tx) error {
		return r.th.Success(ctx, tx, user, Client{Key: client}, now)
	})
}

func TestDelay(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {1, 0}, {4, 0}, {5, time.Second}, {6, 2 * time.Second}, {7, 4 * time.Second},
		{14, 512 * time.Second}, {15, 15 * time.Minute}, {100, 15 * time.Minute}, {1 << 30, 15 * time.Minute},
	}
	for _, tt := range tests {
		if got := delay(tt.failures, pairFreeFailures, pairBaseDelay, pairMaxDelay); got != tt.want {
			t.Errorf("pair delay(%d) = %v, want %v", tt.failures, got, tt.want)
		}
	}
	if got := delay(1000, userFreeFailures, userBaseDelay, userMaxDelay); got != 5*time.Minute {
		t.Errorf("user delay capped at %v, want 5m", got)
	}
}

// An attacker guessing from one client waits exponentially longer, while
// the real user on another client never waits more than the gentle cap.
func TestThrottleAttackerVersusUser(t *testing.T) {
	r := newThrottleRig(t)
	now := t0
	var waits []time.Duration
	for range 20 {
		if w := r.check("anna", "attacker", now); w > 0 {
			now = now.Add(w) // the attacker waits as told, then tries again
		}
		r.fail("anna", "attacker", now)
		waits = append(waits, r.check("anna", "attacker", now))

		if w := r.check("Anna", "anna-laptop", now); w > userMaxDelay {
			t.Fatalf("real user told to wait %v after %d attacker failures", w, len(waits))
		}
	}
	for i := range 4 {
		if waits[i] != 0 {
			t.Fatalf("failure %d already delayed %v", i+1, waits[i])
		}
	}
	want := time.Second
	for i := 4; i < len(waits); i++ {
		if waits[i] != min(want, pairMaxDelay) {
			t.Fatalf("after failure %d wait %v, want %v (all: %v)", i+1, waits[i], min(want, pairMaxDelay), waits)
		}
		want *= 2
	}
	if waits[len(waits)-1] != 15*time.Minute {
		t.Fatalf("wait not capped at 15 min: %v", waits[len(waits)-1])
	}

	// The real user waits out the gentle delay and signs in; that does not
	// help the attacker.
	now = now.Add(r.check("anna", "anna-laptop", now))
	if w := r.check("anna", "anna-laptop", now); w != 0 {
		t.Fatalf("user still waits %v", w)
	}
	r.succeed("anna", "anna-laptop", now)
	if w := r.check("anna", "attacker", now); w < 10*time.Minute {
		t.Fatalf("user's sign-in shortened the attacker's block to %v", w)
	}
}

func TestThrottleSuccessResetsPair(t *testing.T) {
	r := newThrottleRig(t)
	now := t0
	for range 5 {
		r.fail("bob", "laptop", now)
	}
	if w := r.check("bob", "laptop", now); w != time.Second {
		t.Fatalf("wait %v, want 1s", w)
	}
	now = now.Add(time.Second)
	r.succeed("BOB ", "laptop", now) // username is case- and space-insensitive
	if w := r.check("bob", "laptop", now); w != 0 {
		t.Fatalf("wait after success %v, want 0", w)
	}
	// The pair count starts again from zero (and with 9 failures in all the
	// per-user count stays below its threshold).
	for i := range 4 {
		r.fail("bob", "laptop", now)
		if w := r.check("bob", "laptop", now); w != 0 {
			t.Fatalf("failure %d after success delayed %v", i+1, w)
		}
	}
}

func TestThrottleDistributedAttack(t *testing.T) {
	r := newThrottleRig(t)
	now := t0
	// Many clients, one failure each: no pair key ever blocks, the user key
	// slows them down gently.
	var last time.Duration
	for i := range 40 {
		now = now.Add(r.check("carla", fmt.Sprintf("bot-%d", i), now))
		r.fail("carla", fmt.Sprintf("bot-%d", i), now)
		last = r.check("carla", fmt.Sprintf("bot-%d", i+1000), now)
		if i+1 < userFreeFailures && last != 0 {
			t.Fatalf("user key blocks after %d failures", i+1)
		}
		if last > userMaxDelay {
			t.Fatalf("user key blocks %v, above the cap", last)
		}
	}
	if last != userMaxDelay {
		t.Fatalf("user key wait %v after 40 failures, want the cap %v", last, userMaxDelay)
	}
	// Other usernames are unaffected.
	if w := r.check("dora", "bot-1", now); w != 0 {
		t.Fatalf("other user waits %v", w)
	}
}

func TestThrottleForgetsAndSweeps(t *testing.T) {
	r := newThrottleRig(t)
	now := t0
	for range 6 {
		r.fail("emil", "tablet", now)
	}
	if w := r.check("emil", "tablet", now); w != 2*time.Second {
		t.Fatalf("wait %v, want 2s", w)
	}
	// A day later the pair starts counting afresh.
	now = now.Add(pairForgetAfter)
	r.fail("emil", "tablet", now)
	if w := r.check("emil", "tablet", now); w != 0 {
		t.Fatalf("old failures still count: wait %v", w)
	}

	count := func() int {
		var n int
		write(t, r.db, func(ctx context.Context, tx *storage.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT count(*) FROM login_throttle`).Scan(&n)
		})
		return n
	}
	r.fail("fritz", "phone", t0)
	if n := count(); n != 4 {
		t.Fatalf("%d rows, want 4", n)
	}
	var swept int64
	write(t, r.db, func(ctx context.Context, tx *storage.Tx) (err error) {
		swept, err = r.th.Sweep(ctx, tx, t0.Add(time.Hour))
		return err
	})
	if swept != 2 || count() != 2 {
		t.Fatalf("swept %d, %d left; want 2 and 2", swept, count())
	}
}

func TestThrottleKeys(t *testing.T) {
	a := NewThrottle([]byte("secret a"))
	b := NewThrottle([]byte("secret b"))
	k := a.key(kindPair, "anna", "c1")
	if len(k) != 32 {
		t.Fatalf("key length %d", len(k))
	}
	distinct := [][]byte{
		k,
		b.key(kindPair, "anna", "c1"),
		a.key(kindUser, "anna", "c1"),
		a.key(kindPair, "anna", "c2"),
		a.key(kindPair, "anna|c", "1"),
		a.key(kindPair, "anna", "|c1"),
	}
	seen := map[string]bool{}
	for _, d := range distinct {
		if seen[string(d)] {
			t.Fatal("two different inputs share a key")
		}
		seen[string(d)] = true
	}
	if string(a.key(kindPair, " ANNA", "c1")) != string(k) {
		t.Fatal("username case changes the key")
	}
}
