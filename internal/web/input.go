package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"unicode"

	"waymark.city/waymark/internal/apperr"
)

// ControlFree reports whether s holds no control character other than tab,
// line feed and carriage return (which multi-line text needs). NUL is the
// one that matters most: PostgreSQL refuses it in text, so an SQLite
// installation holding one could not be restored into PostgreSQL; the
// others (escape, backspace, C1 controls) only ever arrive from a crafted
// request and can rewrite a terminal or a log reader's screen.
func ControlFree(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
	})
}

// CheckText refuses form values (and their names) holding a control
// character: the pages and the public forms call it where they parse a
// form, so no text with one reaches a service.
func CheckText(values map[string][]string) error {
	for k, vals := range values {
		if !ControlFree(k) {
			return ErrControl
		}
		for _, v := range vals {
			if !ControlFree(v) {
				return ErrControl
			}
		}
	}
	return nil
}

// CheckJSONText refuses a JSON document holding a control character in a
// string or a key. One arrives escaped ("\u0000"), so the decoded strings
// are checked, not the bytes. A document that is not JSON passes: its
// parser reports that.
func CheckJSONText(data []byte) error {
	var v any
	if json.Unmarshal(data, &v) == nil && !jsonControlFree(v) {
		return ErrControl
	}
	return nil
}

func jsonControlFree(v any) bool {
	switch v := v.(type) {
	case string:
		return ControlFree(v)
	case []any:
		for _, e := range v {
			if !jsonControlFree(e) {
				return false
			}
		}
	case map[string]any:
		for k, e := range v {
			if !ControlFree(k) || !jsonControlFree(e) {
				return false
			}
		}
	}
	return true
}

// ErrControl is the answer to text holding a control character: 422 with a
// translated message.
var ErrControl = apperr.New(apperr.Invalid, "error.input.control_characters")

// MaxPathValue is the longest path value (a record id, a code, a token) a
// route takes: UUIDs have 36 characters, tokens 43. A longer one names no
// record, so it is answered as not found before it reaches a query.
const MaxPathValue = 64

// longPathValues are the path values that may be longer than MaxPathValue:
// a passkey's credential id has up to 1,023 bytes (WebAuthn), 1,364
// characters in base64url.
var longPathValues = map[string]int{"key": 1364}

var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(?:\.\.\.)?\}`)

// OverlongPathValue reports whether a path value of r's route is longer
// than any real one.
func OverlongPathValue(r *http.Request) bool {
	for _, m := range wildcard.FindAllStringSubmatch(r.Pattern, -1) {
		limit, ok := longPathValues[m[1]]
		if !ok {
			limit = MaxPathValue
		}
		if len(r.PathValue(m[1])) > limit {
			return true
		}
	}
	return false
}

// QueryText answers a request whose query string holds a control character
// with refuse, before any route runs: search terms and filters reach SQL
// as they are.
func QueryText(refuse http.Handler) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.RawQuery != "" && CheckText(r.URL.Query()) != nil {
				refuse.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
