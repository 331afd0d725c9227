package i18n

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/message"

	"waymark.city/waymark/internal/apperr"
)

// Printer renders messages in one language. It is safe for concurrent use.
type Printer struct {
	cat *Catalog
	loc *locale
	ref *locale          // English, the fallback of a partial language
	num *message.Printer // locale-aware number formatting
}

// Lang returns the printer's language tag, e.g. "de".
func (p *Printer) Lang() string { return p.loc.meta.Tag }

// Dir returns the writing direction, "ltr" or "rtl", for the html dir attribute.
func (p *Printer) Dir() string { return p.loc.meta.Dir }

// Has reports whether the catalogue has key.
func (p *Printer) Has(key string) bool {
	_, ok := p.loc.msgs[key]
	return ok
}

// T returns the text for key with its placeholders filled from args, given
// as alternating name/value pairs: p.T("users.created", "name", u).
// Numbers are formatted for the locale (pass identifiers as strings). For
// a plural message an integer "n" argument selects the form, as in N.
// A missing key yields ⟦key⟧ and is recorded in Catalog.Missing; a
// placeholder without a value stays visible as {name}.
func (p *Printer) T(key string, args ...any) string {
	msg, ok := p.lookup(key)
	if !ok {
		return missingText(key)
	}
	n, _ := pairValue(args, "n")
	return fill(p.choose(msg, n), func(name string) (string, bool) { return p.pairArg(args, name) })
}

// N returns the plural form of key that fits n (CLDR cardinal rules of
// the printer's language), with {n} set to n formatted for the locale
// (1.234 in German) and other placeholders from args as in T.
func (p *Printer) N(key string, n int, args ...any) string {
	msg, ok := p.lookup(key)
	if !ok {
		return missingText(key)
	}
	formatted := p.num.Sprint(n)
	return fill(p.choose(msg, n), func(name string) (string, bool) {
		if name == "n" {
			return formatted, true
		}
		return p.pairArg(args, name)
	})
}

// Error returns the translated message of the first *apperr.Error in
// err's chain, with its Args (an integer Args["n"] selects the plural
// form). Any other error gets the generic "error.internal" text so no
// internal detail reaches the user. A nil error gives "".
func (p *Printer) Error(err error) string {
	if err == nil {
		return ""
	}
	e, ok := errors.AsType[*apperr.Error](err)
	if !ok || e.Key == "" {
		return p.T(keyInternal)
	}
	return p.mapText(e.Key, e.Args)
}

// Field returns the translated message of one invalid form field.
func (p *Printer) Field(fe apperr.FieldError) string {
	return p.mapText(fe.Key, fe.Args)
}

// Date formats t in loc (UTC if nil) with the locale's "format.date" layout.
func (p *Printer) Date(t time.Time, loc *time.Location) string {
	return p.formatTime(keyDate, t, loc)
}

// DateTime formats t in loc (UTC if nil) with the locale's "format.datetime" layout.
func (p *Printer) DateTime(t time.Time, loc *time.Location) string {
	return p.formatTime(keyDateTime, t, loc)
}

func (p *Printer) formatTime(key string, t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	msg, ok := p.lookup(key)
	if !ok {
		return missingText(key)
	}
	return t.In(loc).Format(msg.text)
}

func (p *Printer) mapText(key string, args map[string]any) string {
	msg, ok := p.lookup(key)
	if !ok {
		return missingText(key)
	}
	return fill(p.choose(msg, args["n"]), func(name string) (string, bool) {
		v, ok := args[name]
		if !ok {
			return "", false
		}
		return p.format(v), true
	})
}

// choose returns the text of msg; for a plural message, the form that
// fits n if n is an integer, else "other".
func (p *Printer) choose(msg entry, n any) string {
	if !msg.plural() {
		return msg.text
	}
	i, ok := integer(n)
	if !ok {
		return msg.forms[plural.Other]
	}
	// The operand only needs the value modulo 10,000,000 (see MatchPlural),
	// and the modulo keeps the negation from overflowing.
	i %= 10_000_000
	if i < 0 {
		i = -i
	}
	if text, ok := msg.forms[plural.Cardinal.MatchPlural(p.loc.tag, int(i), 0, 0, 0, 0)]; ok {
		return text
	}
	return msg.forms[plural.Other]
}

// integer returns v as an int64 if it is a Go integer (large unsigned
// values keep their plural-relevant low digits).
func integer(v any) (int64, bool) {
	switch v := v.(type) {
	case int:
		return int64(v), true
	case int8:
		return int64(v), true
	case int16:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case uint:
		return int64(v % 10_000_000), true
	case uint8:
		return int64(v), true
	case uint16:
		return int64(v), true
	case uint32:
		return int64(v), true
	case uint64:
		return int64(v % 10_000_000), true
	}
	return 0, false
}

func (p *Printer) lookup(key string) (entry, bool) {
	msg, ok := p.loc.msgs[key]
	if !ok {
		p.cat.recordMissing(key)
		if p.loc.meta.Partial() {
			// A partial language asked for a key outside its areas: English
			// reads better than a marker, and the test suite still sees it.
			msg, ok = p.ref.msgs[key]
		}
	}
	return msg, ok
}

func missingText(key string) string { return "⟦" + key + "⟧" }

// pairArg finds name in alternating name/value args. A trailing name
// without a value or a non-string name is ignored rather than panicking.
func (p *Printer) pairArg(args []any, name string) (string, bool) {
	v, ok := pairValue(args, name)
	if !ok {
		return "", false
	}
	return p.format(v), true
}

func pairValue(args []any, name string) (any, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i].(string); ok && k == name {
			return args[i+1], true
		}
	}
	return nil, false
}

// format turns an argument into text; numbers follow the locale.
func (p *Printer) format(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return p.num.Sprint(v)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

// fill replaces each {name} in s with its value. Braces that do not
// enclose a valid name are kept as literal text.
func fill(s string, value func(name string) (string, bool)) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		start, end, name := nextPlaceholder(s)
		if start < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:start])
		if v, ok := value(name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[start:end])
		}
		s = s[end:]
	}
}

// addPlaceholders adds the placeholder names used in s to set.
func addPlaceholders(set map[string]bool, s string) {
	for {
		start, end, name := nextPlaceholder(s)
		if start < 0 {
			return
		}
		set[name] = true
		s = s[end:]
	}
}

// nextPlaceholder finds the first {name} in s, where name is a letter or
// underscore followed by letters, digits or underscores (ASCII). It
// returns start = -1 if there is none.
func nextPlaceholder(s string) (start, end int, name string) {
	for off := 0; ; {
		i := strings.IndexByte(s[off:], '{')
		if i < 0 {
			return -1, -1, ""
		}
		i += off
		j := i + 1
		for j < len(s) && isNameByte(s[j], j == i+1) {
			j++
		}
		if j > i+1 && j < len(s) && s[j] == '}' {
			return i, j + 1, s[i+1 : j]
		}
		off = i + 1
	}
}

func isNameByte(c byte, first bool) bool {
	switch {
	case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		return true
	case '0' <= c && c <= '9':
		return !first
	}
	return false
}
