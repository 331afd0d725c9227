package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestHashCheckRoundTrip(t *testing.T) {
	h := NewHasher(TestParams, 2)
	enc, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("unexpected encoding %q", enc)
	}
	tests := []struct {
		name string
		pw   string
		want bool
	}{
		{"right", "correct horse battery staple", true},
		{"wrong", "correct horse battery stapler", false},
		{"case", "Correct horse battery staple", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Check(enc, tt.pw)
			if err != nil || ok != tt.want || rehash {
				t.Fatalf("Check = %v, %v, %v; want %v, false, nil", ok, rehash, err, tt.want)
			}
		})
	}
}

func TestHashSaltsDiffer(t *testing.T) {
	h := NewHasher(TestParams, 1)
	a, _ := h.Hash("same password here")
	b, _ := h.Hash("same password here")
	if a == b {
		t.Fatal("two hashes of the same password are equal; salt missing")
	}
}

func TestCheckNormalisesUnicode(t *testing.T) {
	h := NewHasher(TestParams, 1)
	enc, err := h.Hash("Gr\u00fc\u00dfe aus Wien 2026") // composed ü
	if err != nil {
		t.Fatal(err)
	}
	ok, _, err := h.Check(enc, "Gru\u0308\u00dfe aus Wien 2026") // u + combining diaeresis
	if err != nil || !ok {
		t.Fatalf("decomposed form did not match: %v, %v", ok, err)
	}
}

func TestCheckNeedsRehash(t *testing.T) {
	old := NewHasher(TestParams, 1)
	enc, err := old.Hash("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	stronger := TestParams
	stronger.Time = 2
	ok, rehash, err := NewHasher(stronger, 1).Check(enc, "a long enough password")
	if err != nil || !ok || !rehash {
		t.Fatalf("Check = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
	// A wrong password never asks for a rehash.
	ok, rehash, _ = NewHasher(stronger, 1).Check(enc, "another password")
	if ok || rehash {
		t.Fatalf("wrong password: ok=%v rehash=%v", ok, rehash)
	}
}

func TestHashPasswordDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("uses production parameters")
	}
	enc, err := HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("unexpected encoding %q", enc)
	}
	ok, rehash, err := NewHasher(DefaultParams, 1).Check(enc, "a long enough password")
	if err != nil || !ok || rehash {
		t.Fatalf("Check = %v, %v, %v", ok, rehash, err)
	}
}

func TestCheckMalformed(t *testing.T) {
	h := NewHasher(TestParams, 1)
	good, _ := h.Hash("whatever it is")
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	tests := []struct {
		name, enc string
	}{
		{"empty", ""},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"missing part", "$argon2id$v=19$m=64,t=1,p=1$" + salt},
		{"extra part", good + "$x"},
		{"params order ok but duplicate", "$argon2id$v=19$m=64,m=64,p=1$" + salt + "$" + key},
		{"params missing", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key},
		{"param not number", "$argon2id$v=19$m=x,t=1,p=1$" + salt + "$" + key},
		{"memory huge", "$argon2id$v=19$m=99999999,t=1,p=1$" + salt + "$" + key},
		{"time zero", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"time huge", "$argon2id$v=19$m=64,t=100000,p=1$" + salt + "$" + key},
		{"threads zero", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"threads too many for memory", "$argon2id$v=19$m=64,t=1,p=200$" + salt + "$" + key},
		{"salt not base64", "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key},
		{"salt short", "$argon2id$v=19$m=64,t=1,p=1$YWJj$" + key},
		{"key short", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$YWJj"},
		{"padded base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Check(tt.enc, "whatever it is")
			if err == nil || ok || rehash {
				t.Fatalf("Check = %v, %v, %v; want an error", ok, rehash, err)
			}
			if !errors.Is(err, errMalformedHash) {
				t.Fatalf("error %v does not wrap errMalformedHash", err)
			}
			if strings.Contains(err.Error(), "whatever") {
				t.Fatal("error contains the password")
			}
		})
	}
}

func TestDummyCheckCostsLikeCheck(t *testing.T) {
	// Wall-clock comparisons are noisy, so make the work measurable,
	// interleave the two and compare the fastest run of each.
	p := TestParams
	p.Memory = 8 * 1024
	h := NewHasher(p, 1)
	enc, _ := h.Hash("some password")
	fastest := func(d, best time.Duration) time.Duration {
		if best == 0 || d < best {
			return d
		}
		return best
	}
	var check, dummy time.Duration
	for range 7 {
		start := time.Now()
		h.Check(enc, "wrong password")
		check = fastest(time.Since(start), check)
		start = time.Now()
		h.DummyCheck("wrong password")
		dummy = fastest(time.Since(start), dummy)
	}
	if dummy < check/2 || dummy > check*2 {
		t.Fatalf("DummyCheck takes %v, Check %v: timing would reveal unknown users", dummy, check)
	}
}

func TestHasherBoundsConcurrency(t *testing.T) {
	h := NewHasher(TestParams, 2)
	enc, _ := h.Hash("some password")
	// Occupy both slots; every operation must then wait.
	h.sem <- struct{}{}
	h.sem <- struct{}{}
	ops := map[string]func(){
		"Hash":       func() { h.Hash("some password") },
		"Check":      func() { h.Check(enc, "some password") },
		"DummyCheck": func() { h.DummyCheck("some password") },
	}
	done := make(chan string, len(ops))
	for name, op := range ops {
		go func() { op(); done <- name }()
	}
	select {
	case name := <-done:
		t.Fatalf("%s ran although the semaphore was full", name)
	case <-time.After(50 * time.Millisecond):
	}
	<-h.sem
	for range ops {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("operations did not finish after a slot was freed")
		}
	}
	if got := cap(NewHasher(TestParams, 0).sem); got != 1 {
		t.Fatalf("maxConcurrent 0 gives capacity %d, want 1", got)
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for _, bc := range []struct {
		name string
		p    Params
	}{{"default", DefaultParams}, {"test", TestParams}} {
		b.Run(bc.name, func(b *testing.B) {
			h := NewHasher(bc.p, 1)
			for b.Loop() {
				if _, err := h.Hash("correct horse battery staple"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
