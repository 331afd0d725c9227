package i18n

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	c := shippedCatalog(t)
	tests := []struct {
		name, preferred, accept, want string
	}{
		{"regional variant", "", "de-AT,de;q=0.9", "de"},
		{"regional only", "", "de-CH", "de"},
		{"English", "", "en-US,en;q=0.9", "en"},
		{"first shipped by weight", "", "fr-CH, fr;q=0.9, de;q=0.7, en;q=0.5", "de"},
		{"weights reorder", "", "en;q=0.3, de;q=0.8", "de"},
		{"zero weight is refused", "", "de;q=0", "en"},
		{"wildcard", "", "*", "en"},
		{"empty", "", "", "en"},
		{"garbage", "", "!!!###@@@", "en"},
		{"unknown language", "", "xx", "en"},
		{"unshipped only", "", "fr, it;q=0.5", "en"},
		{"one bad entry is skipped", "", "x-!!!, de;q=0.5", "de"},
		{"bad weight is skipped", "", "fr;q=abc, de;q=0.4", "de"},
		{"preferred wins", "de", "en-US,en;q=0.9", "de"},
		{"preferred English wins", "en", "de", "en"},
		{"preferred case-insensitive", "DE", "", "de"},
		{"preferred padded", " de ", "", "de"},
		{"preferred unshipped", "fr", "de", "de"},
		{"preferred unshipped, no header", "fr", "", "en"},
		{"preferred garbage", "<script>", "de", "de"},
		{"preferred too long", strings.Repeat("de-", 100), "", "en"},
		{"huge header", "", strings.Repeat("fr-FR-x-abcdefgh,", 1000) + "de", "en"},
		{"many hyphens", "", strings.Repeat("-", 5000), "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Match(tt.preferred, tt.accept); got != tt.want {
				t.Errorf("Match(%q, %q) = %q, want %q", tt.preferred, tt.accept, got, tt.want)
			}
		})
	}
}

func TestMatchRightToLeft(t *testing.T) {
	c := worldCatalog(t)
	if got := c.Match("", "ar-EG,ar;q=0.9,en;q=0.5"); got != "ar" {
		t.Errorf("Match(ar-EG) = %q, want ar", got)
	}
	if got := c.Match("", "uk, ru;q=0.8"); got != "ru" {
		t.Errorf("Match(uk, ru) = %q, want ru", got)
	}
}

func FuzzMatch(f *testing.F) {
	c, err := Load()
	if err != nil {
		f.Fatalf("Load: %v", err)
	}
	for _, seed := range [][2]string{
		{"", ""},
		{"de", "en"},
		{"", "de-AT,de;q=0.9"},
		{"", "*"},
		{"x", "en;q=abc,;;,=,-,de-DE-1996-u-co-phonebk"},
		{"zh-Hant-TW", "sr-Latn-RS;q=0.5, en-GB-oxendict"},
		{"\xff\xfe", "\x00de"},
	} {
		f.Add(seed[0], seed[1])
	}
	shipped := map[string]bool{}
	for _, l := range c.Languages() {
		shipped[l.Tag] = true
	}
	f.Fuzz(func(t *testing.T, preferred, accept string) {
		got := c.Match(preferred, accept)
		if !shipped[got] {
			t.Fatalf("Match(%q, %q) = %q, not a shipped language", preferred, accept, got)
		}
		if lang := c.For(got).Lang(); lang != got {
			t.Fatalf("For(%q).Lang() = %q", got, lang)
		}
	})
}
