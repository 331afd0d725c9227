package auth

import (
	"bytes"
	"context"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

func lookup(t testing.TB, db *storage.DB, token string) (Session, error) {
	t.Helper()
	var s Session
	err := db.Read(context.Background(), func(tx *storage.Tx) (err error) {
		s, err = LookupSession(context.Background(), tx, token)
		return err
	})
	return s, err
}

func create(t testing.TB, db *storage.DB, user string, now time.Time) string {
	t.Helper()
	var token string
	write(t, db, func(ctx context.Context, tx *storage.Tx) (err error) {
		token, err = CreateSession(ctx, tx, user, now)
		return err
	})
	return token
}

func TestCreateAndLookupSession(t *testing.T) {
	db := openDB(t)
	addUsers(t, db, "u1")
	token := create(t, db, "u1", t0)
	if len(token) != 43 {
		t.Fatalf("token length %d, want 43", len(token))
	}
	if other := create(t, db, "u1", t0); other == token {
		t.Fatal("two sessions got the same token")
	}
	s, err := lookup(t, db, token)
	if err != nil {
		t.Fatal(err)
	}
	want := t0.Truncate(time.Microsecond)
	if s.UserID != "u1" || !s.CreatedAt.Equal(want) || !s.LastSeenAt.Equal(want) || s.MFAAt != nil || s.StepUpAt != nil {
		t.Fatalf("unexpected session %+v", s)
	}
	if !bytes.Equal(s.TokenHash, TokenHash(token)) {
		t.Fatal("TokenHash differs from the stored hash")
	}
	// The raw token is never stored.
	var stored int
	db.Read(context.Background(), func(tx *storage.Tx) error {
		return tx.QueryRowContext(context.Background(), `SELECT count(*) FROM sessions WHERE token_hash = $1`, []byte(token)).Scan(&stored)
	})
	if stored != 0 {
		t.Fatal("raw token found in the database")
	}

	for _, bad := range []string{"", "x", token[:42], token + "A", "!!!!" + token[4:], create(t, db, "u1", t0)[:40] + "AAA"} {
		_, err := lookup(t, db, bad)
		if !apperr.Is(err, apperr.NotFound) {
			t.Errorf("LookupSession(%q) error = %v, want NotFound", bad, err)
		}
	}
}

func TestPolicyExpired(t *testing.T) {
	s := Session{CreatedAt: t0, LastSeenAt: t0.Add(11 * time.Hour)}
	tests := []struct {
		name   string
		policy Policy
		now    time.Time
		want   bool
	}{
		{"strict fresh", StrictPolicy, s.LastSeenAt.Add(time.Minute), false},
		{"strict just under idle", StrictPolicy, s.LastSeenAt.Add(15*time.Minute - time.Second), false},
		{"strict idle", StrictPolicy, s.LastSeenAt.Add(15 * time.Minute), true},
		{"relaxed 30 min idle", RelaxedPolicy, s.LastSeenAt.Add(30 * time.Minute), false},
		{"relaxed idle", RelaxedPolicy, s.LastSeenAt.Add(61 * time.Minute), true},
		{"strict absolute", StrictPolicy, t0.Add(12 * time.Hour), true},
		{"relaxed just under absolute", RelaxedPolicy, t0.Add(12*time.Hour - time.Second), false},
		{"relaxed absolute though active", RelaxedPolicy, t0.Add(12 * time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.policy.Expired(s, tt.now); got != tt.want {
				t.Fatalf("Expired = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPolicyFor(t *testing.T) {
	if PolicyFor(access.CaseWorker) != StrictPolicy || PolicyFor(access.Administrator) != StrictPolicy {
		t.Fatal("roles that see personal data must get the strict policy")
	}
	if PolicyFor(access.Analyst) != RelaxedPolicy {
		t.Fatal("analysts get the relaxed policy")
	}
	if PolicyFor("nonsense") != StrictPolicy {
		t.Fatal("unknown roles must get the strict policy")
	}
}

func TestSessionLifecycle(t *testing.T) {
	db := openDB(t)
	addUsers(t, db, "u1")
	token := create(t, db, "u1", t0)
	hash := TokenHash(token)

	// Touch writes only once last_seen_at is TouchInterval old.
	touch := func(at time.Time) {
		write(t, db, func(ctx context.Context, tx *storage.Tx) error { return TouchSession(ctx, tx, hash, at) })
	}
	touch(t0.Add(10 * time.Second))
	if s, _ := lookup(t, db, token); !s.LastSeenAt.Equal(t0.Truncate(time.Microsecond)) {
		t.Fatalf("touch within %v wrote last_seen_at %v", TouchInterval, s.LastSeenAt)
	}
	if s, _ := lookup(t, db, token); s.NeedsTouch(t0.Add(10*time.Second)) || !s.NeedsTouch(t0.Add(TouchInterval)) {
		t.Fatal("NeedsTouch disagrees with TouchSession")
	}
	touch(t0.Add(TouchInterval))
	if s, _ := lookup(t, db, token); !s.LastSeenAt.Equal(t0.Add(TouchInterval).Truncate(time.Microsecond)) {
		t.Fatalf("touch after %v did not write: %v", TouchInterval, s.LastSeenAt)
	}

	// Second factor, then rotation.
	mfaAt := t0.Add(time.Minute)
	write(t, db, func(ctx context.Context, tx *storage.Tx) error { return MarkMFA(ctx, tx, hash, mfaAt) })
	var rotated string
	write(t, db, func(ctx context.Context, tx *storage.Tx) (err error) {
		rotated, err = RotateSession(ctx, tx, hash, t0.Add(2*time.Minute))
		return err
	})
	if rotated == token {
		t.Fatal("rotation kept the token")
	}
	if _, err := lookup(t, db, token); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("old token still works after rotation: %v", err)
	}
	s, err := lookup(t, db, rotated)
	if err != nil {
		t.Fatal(err)
	}
	if s.UserID != "u1" || !s.CreatedAt.Equal(t0.Truncate(time.Microsecond)) || s.MFAAt == nil || !s.MFAAt.Equal(mfaAt.Truncate(time.Microsecond)) {
		t.Fatalf("rotation lost data: %+v", s)
	}
	if !s.LastSeenAt.Equal(t0.Add(2 * time.Minute).Truncate(time.Microsecond)) {
		t.Fatalf("rotation did not update last_seen_at: %v", s.LastSeenAt)
	}
	err = db.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := RotateSession(context.Background(), tx, hash, t0)
		return err
	})
	if !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("rotating a gone session: %v, want NotFound", err)
	}

	// Step-up.
	hash = s.TokenHash
	if StrictPolicy.SteppedUp(s, t0.Add(3*time.Minute)) {
		t.Fatal("stepped up without MarkStepUp")
	}
	stepAt := t0.Add(3 * time.Minute)
	write(t, db, func(ctx context.Context, tx *storage.Tx) error { return MarkStepUp(ctx, tx, hash, stepAt) })
	s, _ = lookup(t, db, rotated)
	if !StrictPolicy.SteppedUp(s, stepAt.Add(4*time.Minute)) || StrictPolicy.SteppedUp(s, stepAt.Add(5*time.Minute)) {
		t.Fatal("step-up validity window wrong")
	}
	err = db.Write(context.Background(), func(tx *storage.Tx) error {
		return MarkStepUp(context.Background(), tx, TokenHash(token), stepAt)
	})
	if !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("MarkStepUp on a gone session: %v, want NotFound", err)
	}

	// Sign-out.
	write(t, db, func(ctx context.Context, tx *storage.Tx) error { return DeleteSession(ctx, tx, hash) })
	if _, err := lookup(t, db, rotated); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("session survives sign-out: %v", err)
	}
}

func TestDeleteUserSessions(t *testing.T) {
	db := openDB(t)
	addUsers(t, db, "u1", "u2")
	a, b, c := create(t, db, "u1", t0), create(t, db, "u1", t0), create(t, db, "u2", t0)

	var n int64
	write(t, db, func(ctx context.Context, tx *storage.Tx) (err error) {
		n, err = DeleteOtherSessions(ctx, tx, "u1", TokenHash(a))
		return err
	})
	if n != 1 {
		t.Fatalf("DeleteOtherSessions removed %d, want 1", n)
	}
	if _, err := lookup(t, db, b); err == nil {
		t.Fatal("other session survived")
	}
	if _, err := lookup(t, db, a); err != nil {
		t.Fatal("kept session was removed")
	}

	write(t, db, func(ctx context.Context, tx *storage.Tx) (err error) {
		n, err = DeleteUserSessions(ctx, tx, "u1")
		return err
	})
	if n != 1 {
		t.Fatalf("DeleteUserSessions removed %d, want 1", n)
	}
	if _, err := lookup(t, db, a); err == nil {
		t.Fatal("session survived DeleteUserSessions")
	}
	if _, err := lookup(t, db, c); err != nil {
		t.Fatal("another user's session was removed")
	}
}

func TestDeleteExpiredSessions(t *testing.T) {
	db := openDB(t)
	addUsers(t, db, "u1")
	now := t0.Add(24 * time.Hour)
	idle := create(t, db, "u1", now.Add(-61*time.Minute))
	fresh := create(t, db, "u1", now.Add(-59*time.Minute))
	old := create(t, db, "u1", now.Add(-13*time.Hour))
	write(t, db, func(ctx context.Context, tx *storage.Tx) error {
		return TouchSession(ctx, tx, TokenHash(old), now.Add(-time.Minute)) // active, but too old
	})
	// A session with microseconds just past the cut-off must stay, a
	// check that SQLite's text timestamps compare correctly.
	edge := create(t, db, "u1", now.Add(-60*time.Minute+time.Microsecond))

	var n int64
	write(t, db, func(ctx context.Context, tx *storage.Tx) (err error) {
		n, err = DeleteExpiredSessions(ctx, tx, now)
		return err
	})
	if n != 2 {
		t.Fatalf("removed %d sessions, want 2", n)
	}
	for token, want := range map[string]bool{idle: false, fresh: true, old: false, edge: true} {
		if _, err := lookup(t, db, token); (err == nil) != want {
			t.Errorf("session present = %v, want %v", err == nil, want)
		}
	}
}

func BenchmarkLookupSession(b *testing.B) {
	db := openDB(b)
	addUsers(b, db, "u1")
	var tokens []string
	for range 1000 {
		tokens = append(tokens, create(b, db, "u1", t0))
	}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		err := db.Read(ctx, func(tx *storage.Tx) error {
			_, err := LookupSession(ctx, tx, tokens[i%len(tokens)])
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}
