package auth

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"waymark.city/waymark/internal/apperr"
)

// Password length limits in Unicode code points (ASVS 5.0 6.2.1, 6.2.9):
// length is what makes a password strong; composition rules are not used.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// minDistinctRunes rejects passwords such as "aaaaaaaaaaaa" or
// "abababababab" that pass the length check but are trivially guessable.
const minDistinctRunes = 5

//go:embed common_passwords.txt
var commonPasswordsText string

// commonPasswords is the parsed embedded list, built once on first use and
// read-only afterwards.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 1500)
	for line := range strings.Lines(commonPasswordsText) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[line] = struct{}{}
	}
	return set
})

// ValidatePassword checks a new password against Waymark's policy: 12 to
// 128 characters, valid UTF-8, not a common password (or a simple variant of
// one), and not containing the username. It returns an apperr.Validation
// error on field "password" with one of the keys "error.bad_encoding",
// "password.too_short", "password.too_long", "password.contains_username"
// or "password.common". Spaces and any Unicode characters are allowed.
func ValidatePassword(pw, username string) error {
	fail := func(key string) error {
		return apperr.Validation(apperr.FieldError{Field: "password", Key: key})
	}
	if !utf8.ValidString(pw) {
		return fail("error.bad_encoding")
	}
	// Length counts what the user typed; NFKC can expand a single
	// compatibility character into many.
	n := utf8.RuneCountInString(pw)
	pw = norm.NFKC.String(pw)
	switch {
	case n < MinPasswordLen:
		return fail("password.too_short")
	case n > MaxPasswordLen:
		return fail("password.too_long")
	}
	lower := strings.ToLower(pw)
	if u := strings.ToLower(strings.TrimSpace(norm.NFKC.String(username))); utf8.RuneCountInString(u) >= 3 && strings.Contains(lower, u) {
		return fail("password.contains_username")
	}
	if isCommon(lower) {
		return fail("password.common")
	}
	return nil
}

// isCommon reports whether the lower-cased password is on the list, either
// as typed or after the usual disguises: digits and symbols stuck on either
// end, letter substitutions (p@ssw0rd), a repeated word, or too few
// distinct characters or a plain run such as "abcdefghijkl".
func isCommon(lower string) bool {
	if distinctRunes(lower) < minDistinctRunes || isRun(lower) {
		return true
	}
	list := commonPasswords()
	symbols := strings.TrimRightFunc(lower, notLetterOrDigit)
	trailing := strings.TrimRightFunc(lower, notLetter)
	both := strings.TrimLeftFunc(trailing, notLetter)
	for _, c := range []string{lower, symbols, trailing, both} {
		for _, v := range []string{c, strings.Map(unLeetI, c), strings.Map(unLeetL, c)} {
			if v == "" {
				continue
			}
			if _, ok := list[v]; ok {
				return true
			}
			if u := repeatedUnit(v); u != "" {
				if _, ok := list[u]; ok {
					return true
				}
			}
		}
	}
	return false
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) }

func notLetterOrDigit(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// unLeetI and unLeetL undo common substitutions; '1' stands for either
// 'i' or 'l', hence two variants.
func unLeetI(r rune) rune { return unLeet(r, 'i') }
func unLeetL(r rune) rune { return unLeet(r, 'l') }

func unLeet(r, one rune) rune {
	switch r {
	case '@', '4':
		return 'a'
	case '0':
		return 'o'
	case '3':
		return 'e'
	case '$', '5':
		return 's'
	case '1':
		return one
	case '!', '|':
		return 'i'
	case '7', '+':
		return 't'
	case '8':
		return 'b'
	case '9':
		return 'g'
	}
	return r
}

func distinctRunes(s string) int {
	seen := make(map[rune]struct{}, 16)
	for _, r := range s {
		seen[r] = struct{}{}
		if len(seen) >= minDistinctRunes {
			break
		}
	}
	return len(seen)
}

// isRun reports whether s is an ascending or descending run of code points,
// digits wrapping 9→0 ("123456789012", "lkjihgfedcba").
func isRun(s string) bool {
	rs := []rune(s)
	if len(rs) < 2 {
		return false
	}
	step := 0
	for i := 1; i < len(rs); i++ {
		d := int(rs[i]) - int(rs[i-1])
		if rs[i-1] == '9' && rs[i] == '0' {
			d = 1
		} else if rs[i-1] == '0' && rs[i] == '9' {
			d = -1
		}
		if d != 1 && d != -1 {
			return false
		}
		if step == 0 {
			step = d
		} else if d != step {
			return false
		}
	}
	return true
}

// repeatedUnit returns u when s is u repeated two or more times, else "".
func repeatedUnit(s string) string {
	for size := 1; size <= len(s)/2; size++ {
		// s repeats a unit of this size exactly when shifting by it changes nothing.
		if len(s)%size == 0 && s[size:] == s[:len(s)-size] {
			return s[:size]
		}
	}
	return ""
}
