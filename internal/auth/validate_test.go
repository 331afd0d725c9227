package auth

import (
	"strings"
	"testing"
	"unicode/utf8"

	"waymark.city/waymark/internal/apperr"
)

// passwordKey returns the message key of a ValidatePassword error, or "".
func passwordKey(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	e := apperr.As(err)
	if e.Code != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "password" {
		t.Fatalf("unexpected error shape: %#v", e)
	}
	return e.Fields[0].Key
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name, pw, user, want string
	}{
		{"passphrase", "correct horse battery staple", "anna", ""},
		{"random", "k7Q#m2v9Lp&x", "anna", ""},
		{"exactly 12", "tz8Wq3nRbe5K", "anna", ""},
		{"unicode counts runes", "Überwältigend🙂", "anna", ""},
		{"german words", "Straßenbahn fährt nach Ottakring", "anna", ""},
		{"spaces allowed", "  my  quiet  harbour  ", "anna", ""},
		{"long repeated unit", strings.Repeat("abcdefgh", 16), "anna", "password.common"},
		{"128 runes ok", strings.Repeat("Fjord-Quiz7 ", 10) + "Wolke 17", "anna", ""},

		{"empty", "", "anna", "password.too_short"},
		{"11 runes", "tz8Wq3nRbe5", "anna", "password.too_short"},
		{"short multibyte", "ÄÖÜäöüßÄÖÜä", "anna", "password.too_short"},
		{"short despite NFKC expansion", "\ufdfa\ufdfa", "anna", "password.too_short"},
		{"129 runes", strings.Repeat("x", 129), "anna", "password.too_long"},
		{"bad utf8", "correct horse\xff battery", "anna", "error.bad_encoding"},

		{"contains username", "my name is Anna-Lena ok", "anna-lena", "password.contains_username"},
		{"username case", "ANNA-LENAs secret garden", "Anna-Lena", "password.contains_username"},
		{"short username ignored", "we met at the jo bar 77", "jo", ""},

		{"list exact", "qwertyuiop123", "anna", "password.common"},
		{"list upper", "PASSWORD1234", "anna", "password.common"},
		{"trailing digits", "password2024!!", "anna", "password.common"},
		{"trailing symbols", "iloveyou!!!!!", "anna", "password.common"},
		{"leading digits", "123456football", "anna", "password.common"},
		{"leet", "P@ssw0rd2024!", "anna", "password.common"},
		{"leet one as l", "1etmein123456", "anna", "password.common"},
		{"repeated word", "passwordpassword", "anna", "password.common"},
		{"repeated leet", "monkeymonkey1", "anna", "password.common"},
		{"keyboard walk", "1qaz2wsx3edc", "anna", "password.common"},
		{"german keyboard", "qwertzuiopü1", "anna", "password.common"},
		{"reverse walk", "poiuytrewq12", "anna", "password.common"},
		{"german common", "Passwort12345", "anna", "password.common"},
		{"product name", "Waymark2026!!", "anna", "password.common"},
		{"one char", "aaaaaaaaaaaaaaaa", "anna", "password.common"},
		{"two chars", "abababababababab", "anna", "password.common"},
		{"digit run", "123456789012", "anna", "password.common"},
		{"letter run", "abcdefghijklm", "anna", "password.common"},
		{"descending run", "zyxwvutsrqpo", "anna", "password.common"},
		{"digits only list", "1122334455!!", "anna", "password.common"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := passwordKey(t, ValidatePassword(tt.pw, tt.user)); got != tt.want {
				t.Fatalf("ValidatePassword(%q) = %q, want %q", tt.pw, got, tt.want)
			}
		})
	}
}

func TestCommonPasswordList(t *testing.T) {
	list := commonPasswords()
	if len(list) < 1000 {
		t.Fatalf("list has %d entries, want at least 1000", len(list))
	}
	for w := range list {
		if w != strings.ToLower(w) || strings.TrimSpace(w) != w || !utf8.ValidString(w) {
			t.Errorf("entry %q is not a trimmed lower-case string", w)
		}
	}
	for _, w := range []string{"password", "123456", "qwerty", "passwort", "1qaz2wsx", "azertyuiop", "iloveyou"} {
		if _, ok := list[w]; !ok {
			t.Errorf("list lacks %q", w)
		}
	}
}

func FuzzValidatePassword(f *testing.F) {
	for _, s := range []string{"", "correct horse battery staple", "P@ssw0rd2024!", "\xff\xfe", "Überwältigend🙂", strings.Repeat("ab", 70)} {
		f.Add(s, "anna")
	}
	allowed := map[string]bool{
		"": true, "error.bad_encoding": true, "password.too_short": true, "password.too_long": true,
		"password.common": true, "password.contains_username": true,
	}
	f.Fuzz(func(t *testing.T, pw, user string) {
		key := passwordKey(t, ValidatePassword(pw, user))
		if !allowed[key] {
			t.Fatalf("unexpected key %q", key)
		}
		if !utf8.ValidString(pw) {
			if key != "error.bad_encoding" {
				t.Fatalf("invalid UTF-8 gave %q", key)
			}
			return
		}
		if key == "" {
			if n := utf8.RuneCountInString(pw); n < MinPasswordLen || n > MaxPasswordLen {
				t.Fatalf("accepted a password of %d runes", n)
			}
		}
	})
}
