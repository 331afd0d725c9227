package auth

import (
	"bytes"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// rfcSecret is the RFC 6238 appendix B SHA-1 key "12345678901234567890" in base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestCheckTOTPRFCVectors(t *testing.T) {
	// RFC 6238 appendix B, SHA-1, last six of the eight digits.
	tests := []struct {
		unix int64
		code string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	}
	for _, tt := range tests {
		now := time.Unix(tt.unix, 0)
		if !CheckTOTP(rfcSecret, tt.code, now) {
			t.Errorf("code %s rejected at %d", tt.code, tt.unix)
		}
	}
}

func TestCheckTOTPSkewAndFormat(t *testing.T) {
	now := time.Unix(1111111111, 0) // any fixed instant
	code := func(at time.Time) string {
		c, err := totp.GenerateCode(rfcSecret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	step := 30 * time.Second
	cur := code(now)
	tests := []struct {
		name string
		code string
		want bool
	}{
		{"current", cur, true},
		{"previous step", code(now.Add(-step)), true},
		{"next step", code(now.Add(step)), true},
		{"two steps back", code(now.Add(-2 * step)), false},
		{"two steps ahead", code(now.Add(2 * step)), false},
		{"spaces", cur[:3] + " " + cur[3:], true},
		{"surrounding spaces", "  " + cur + "\t", true},
		{"too short", cur[:5], false},
		{"too long", cur + "0", false},
		{"letters", "abcdef", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name != "current" && tt.want == false && tt.code == cur {
				t.Skip("code collides with the current one")
			}
			if got := CheckTOTP(rfcSecret, tt.code, now); got != tt.want {
				t.Fatalf("CheckTOTP(%q) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
	if CheckTOTP("", cur, now) || CheckTOTP("not base32 !!", cur, now) {
		t.Fatal("accepted a code for an empty or malformed secret")
	}
}

func TestVerifyTOTPRefusesReplay(t *testing.T) {
	now := time.Unix(1700000000, 0)
	next, _ := totp.GenerateCode(rfcSecret, now.Add(30*time.Second))

	// A code for the next step is accepted now (skew) and yields that step.
	step, ok := VerifyTOTP(rfcSecret, next, now, 0)
	if !ok || step != TOTPStep(now)+1 {
		t.Fatalf("VerifyTOTP = %d, %v; want %d, true", step, ok, TOTPStep(now)+1)
	}
	// Replaying it, now or once its step has come, fails.
	for _, at := range []time.Time{now, now.Add(30 * time.Second), now.Add(50 * time.Second)} {
		if _, ok := VerifyTOTP(rfcSecret, next, at, step); ok {
			t.Fatalf("replayed code accepted at %v", at)
		}
	}
	// The code of a later step still works.
	later, _ := totp.GenerateCode(rfcSecret, now.Add(60*time.Second))
	if s, ok := VerifyTOTP(rfcSecret, later, now.Add(60*time.Second), step); !ok || s != step+1 {
		t.Fatalf("later code: %d, %v", s, ok)
	}
}

func TestTOTPStep(t *testing.T) {
	tests := []struct {
		unix int64
		want int64
	}{{0, 0}, {29, 0}, {30, 1}, {59, 1}, {1111111111, 37037037}}
	for _, tt := range tests {
		if got := TOTPStep(time.Unix(tt.unix, 0)); got != tt.want {
			t.Errorf("TOTPStep(%d) = %d, want %d", tt.unix, got, tt.want)
		}
	}
}

func TestNewTOTP(t *testing.T) {
	secret, u, qr, err := NewTOTP("Waymark Wien", "anna.k")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 { // 20 bytes in unpadded base32
		t.Fatalf("secret length %d, want 32", len(secret))
	}
	parsed, err := url.Parse(u)
	if err != nil || parsed.Scheme != "otpauth" || parsed.Host != "totp" || parsed.Query().Get("secret") != secret {
		t.Fatalf("bad otpauth URL %q", u)
	}
	if !strings.Contains(parsed.Path, "Waymark Wien:anna.k") || parsed.Query().Get("issuer") != "Waymark Wien" {
		t.Fatalf("issuer or account missing from %q", u)
	}
	img, err := png.Decode(bytes.NewReader(qr))
	if err != nil {
		t.Fatalf("QR code is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 200 {
		t.Fatalf("QR code is %v, want 200×200", b)
	}
	now := time.Now()
	code, _ := totp.GenerateCode(secret, now)
	if !CheckTOTP(secret, code, now) {
		t.Fatal("code for a new secret rejected")
	}
	if _, _, _, err := NewTOTP("", "anna.k"); err == nil {
		t.Fatal("empty issuer accepted")
	}
}
