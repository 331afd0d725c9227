package accounts

import (
	"context"
	"testing"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/auth"
)

// While unknown clients hold every turn open to them, a known browser
// still gets its turn at once and the next unknown one is shed with "try
// again".
func TestAdmitHashShedsUnknownFirst(t *testing.T) {
	s := &Service{hasher: auth.NewHasher(auth.TestParams, 2)}
	ctx := context.Background()
	release, err := s.admitHash(ctx, auth.Client{Key: "bot-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	start := time.Now()
	known, err := s.admitHash(ctx, auth.Client{Key: "bot-1", Device: "d1"})
	if err != nil || time.Since(start) > 100*time.Millisecond {
		t.Fatalf("known browser: %v after %v", err, time.Since(start))
	}
	known()
	if _, err := s.admitHash(ctx, auth.Client{Key: "bot-2"}); !apperr.Is(err, apperr.TooMany) {
		t.Errorf("unknown client while busy = %v, want TooMany", err)
	}
	if waited := time.Since(start); waited < auth.UnknownWait {
		t.Errorf("shed after %v, want a wait of %v first", waited, auth.UnknownWait)
	}
}
