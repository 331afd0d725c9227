package legalstatus

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/apperr"
)

// Bounds of the dates a record may carry, relative to today: nothing in a
// person's legal history goes back further than yearsBack, and no permit or
// hearing is set further ahead than yearsAhead. Dates outside are typing
// errors (2062 for 2026), refused before they reach a deadline.
const (
	yearsBack  = 40
	yearsAhead = 10
	// maxText is the longest reference number or authority name.
	maxText = 200
	// maxAmount is the largest amount in minor units (ten billion).
	maxAmount = 1_000_000_000_000
)

// checker collects the field errors of one form against today's date.
type checker struct {
	today  time.Time
	fields []apperr.FieldError
}

func newChecker(now time.Time) *checker {
	today, _ := time.Parse(time.DateOnly, now.UTC().Format(time.DateOnly))
	return &checker{today: today}
}

func (c *checker) fail(field, key string, args map[string]any) {
	c.fields = append(c.fields, apperr.FieldError{Field: field, Key: key, Args: args})
}

func (c *checker) err() error {
	if len(c.fields) > 0 {
		return apperr.Validation(c.fields...)
	}
	return nil
}

// code checks that v is one of codes.
func (c *checker) code(field, v string, codes []string) {
	if !slices.Contains(codes, v) {
		c.fail(field, "legalstatus.error.choose", nil)
	}
}

// required checks that a required field is filled in.
func (c *checker) required(field, v string) {
	if strings.TrimSpace(v) == "" {
		c.fail(field, "legalstatus.error.required", nil)
	}
}

// decision checks the decision date of a request (decided, typed as
// decidedOn) against its status, one of statuses: a "pending" request has
// none yet, a decided one needs it, and it cannot come before the request
// was made; beforeKey is the message for that last error.
func (c *checker) decision(field, status string, statuses []string, requested, decided time.Time, decidedOn, beforeKey string) {
	switch {
	case status == "pending" && !decided.IsZero():
		c.fail(field, "legalstatus.error.no_decision_yet", nil)
	case status != "pending" && slices.Contains(statuses, status) && strings.TrimSpace(decidedOn) == "":
		c.fail(field, "legalstatus.error.decided_on_required", nil)
	case !requested.IsZero() && !decided.IsZero() && decided.Before(requested):
		c.fail(field, beforeKey, nil)
	}
}

// dateRule says how far a date may reach.
type dateRule int

const (
	// past dates happened (an application, a decision): not after today.
	past dateRule = iota
	// planned dates may lie ahead (an expiry, a hearing).
	planned
)

// date parses an optional YYYY-MM-DD date; "" gives the zero time. A date
// is in the future only once it has begun nowhere on earth, so "today"
// allows one day of slack for the time zones ahead of UTC.
func (c *checker) date(field, v string, rule dateRule) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		c.fail(field, "error.date_invalid", nil)
		return time.Time{}
	}
	earliest := c.today.AddDate(-yearsBack, 0, 0)
	latest := c.today.AddDate(yearsAhead, 0, 0)
	if rule == past {
		latest = c.today.AddDate(0, 0, 1)
	}
	switch {
	case rule == past && d.After(latest):
		c.fail(field, "legalstatus.error.date_future", nil)
	case d.Before(earliest) || d.After(latest):
		c.fail(field, "legalstatus.error.date_range", map[string]any{
			"from": earliest.Format(time.DateOnly), "to": latest.Format(time.DateOnly)})
	default:
		return d
	}
	return time.Time{}
}

// text checks a short free text: valid UTF-8, not too long.
func (c *checker) text(field, v string) string { return c.bounded(field, v, maxText) }

// note checks a note: valid UTF-8, at most maxNote characters.
func (c *checker) note(field, v string) string { return c.bounded(field, v, maxNote) }

func (c *checker) bounded(field, v string, limit int) string {
	v = strings.TrimSpace(v)
	switch {
	case !utf8.ValidString(v):
		c.fail(field, "error.bad_encoding", nil)
	case utf8.RuneCountInString(v) > limit:
		c.fail(field, "legalstatus.error.text_too_long", map[string]any{"max": limit})
	default:
		return v
	}
	return ""
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// currency checks an ISO 4217 code such as EUR.
func (c *checker) currency(field, v string) string {
	v = strings.ToUpper(strings.TrimSpace(v))
	if !currencyCode.MatchString(v) {
		c.fail(field, "legalstatus.error.currency", nil)
		return ""
	}
	return v
}

// amount parses an optional amount such as 1234.50 or 1234,50 into minor
// units; thousands separators are not accepted, as "1.234" is ambiguous.
func (c *checker) amount(field, v string) *int64 {
	v = strings.ReplaceAll(strings.TrimSpace(v), ",", ".")
	if v == "" {
		return nil
	}
	whole, frac, _ := strings.Cut(v, ".")
	digits := func(s string) bool { return strings.Trim(s, "0123456789") == "" }
	if len(frac) > 2 || whole == "" || len(whole) > 13 || !digits(whole) || !digits(frac) {
		c.fail(field, "legalstatus.error.amount", nil)
		return nil
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w*100+f > maxAmount {
		c.fail(field, "legalstatus.error.amount", nil)
		return nil
	}
	n := w*100 + f
	return &n
}

// FormatAmount writes minor units as 1234.50, the form the inputs take.
func FormatAmount(minor *int64) string {
	if minor == nil {
		return ""
	}
	return strconv.FormatInt(*minor/100, 10) + "." + strconv.FormatInt(100+*minor%100, 10)[1:]
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
