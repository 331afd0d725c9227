package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/storage"
)

func TestDeviceToken(t *testing.T) {
	th := NewThrottle([]byte("test secret, 32 bytes long......"))
	tok := th.DeviceToken("user-1", t0)
	id := th.Device([]string{tok}, "user-1", t0.Add(time.Hour))
	if len(id) != 2*deviceIDLen {
		t.Fatalf("device id %q", id)
	}
	if again := th.DeviceToken("user-1", t0); th.Device([]string{again}, "user-1", t0) == id {
		t.Error("two tokens share a device id")
	}
	// The first valid token among several counts.
	if got := th.Device([]string{"junk", th.DeviceToken("user-2", t0), tok}, "user-1", t0); got != id {
		t.Errorf("among several = %q, want %q", got, id)
	}
	flipped := []byte(tok)
	flipped[len(flipped)-1] ^= 1
	for name, tc := range map[string]struct {
		tokens []string
		user   string
		at     time.Time
	}{
		"another user":           {[]string{tok}, "user-2", t0},
		"no user (unknown name)": {[]string{tok}, "", t0},
		"expired":                {[]string{tok}, "user-1", t0.Add(DeviceTokenLife)},
		"from the future":        {[]string{tok}, "user-1", t0.Add(-time.Hour)},
		"another secret":         {[]string{NewThrottle([]byte("another secret")).DeviceToken("user-1", t0)}, "user-1", t0},
		"changed":                {[]string{string(flipped)}, "user-1", t0},
		"cut":                    {[]string{tok[:len(tok)-2]}, "user-1", t0},
		"not base64":             {[]string{strings.Repeat("*", len(tok))}, "user-1", t0},
		"empty":                  {[]string{""}, "user-1", t0},
		"none":                   {nil, "user-1", t0},
	} {
		if got := th.Device(tc.tokens, tc.user, tc.at); got != "" {
			t.Errorf("%s: recognised as %q", name, got)
		}
	}
}

// A browser with a device token is slowed only by its own failures: an
// attack from everywhere else leaves it untouched, while a new client for
// the same account waits.
func TestThrottleKnownDevice(t *testing.T) {
	r := newThrottleRig(t)
	now := t0
	known := Client{Key: "shared-proxy", Device: r.th.Device([]string{r.th.DeviceToken("u1", now)}, "u1", now)}
	at := func(c Client) time.Duration {
		var wait time.Duration
		write(t, r.db, func(ctx context.Context, tx *storage.Tx) (err error) {
			wait, err = r.th.Check(ctx, tx, "anna", c, now)
			return err
		})
		return wait
	}
	for i := range 200 {
		// Attackers rotate addresses, and one shares the owner's address.
		r.fail("anna", []string{"shared-proxy", "bot-" + string(rune('a'+i%26))}[i%2], now)
	}
	if w := at(Client{Key: "new-laptop"}); w != userMaxDelay {
		t.Errorf("an unknown client waits %v, want %v", w, userMaxDelay)
	}
	if w := at(known); w != 0 {
		t.Fatalf("the known device waits %v", w)
	}
	// Its own failures count on their own and its success clears them.
	for range deviceFreeFailures {
		write(t, r.db, func(ctx context.Context, tx *storage.Tx) error { return r.th.Failure(ctx, tx, "anna", known, now) })
	}
	if w := at(known); w != deviceBaseDelay {
		t.Errorf("after its own failures the device waits %v, want %v", w, deviceBaseDelay)
	}
	now = now.Add(deviceBaseDelay)
	write(t, r.db, func(ctx context.Context, tx *storage.Tx) error { return r.th.Success(ctx, tx, "anna", known, now) })
	if w := at(known); w != 0 {
		t.Errorf("after success the device waits %v", w)
	}
	if w := at(Client{Key: "new-laptop"}); w == 0 {
		t.Error("the owner's sign-in lifted the block of unknown clients")
	}
}
