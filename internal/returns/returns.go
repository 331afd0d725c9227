// Package returns is the safe voluntary return of a case's person to their
// country of origin, and the notes the partnership keeps on countries of
// origin for the risk assessment before a return.
//
// A return is assistance: the Danube guidelines' scheme of assistance
// (§3.2) lists it as a type of assistance with its responsible actors (the
// service provider, the organisation responsible for the return, the
// embassy or consulate), so its records belong to the case's Assistance
// category and are shared with it. It starts only with the person's
// written consent, given after information on what the return means; the
// organisation that will receive the person abroad is contacted and its
// confirmation of reception recorded; follow-up contacts after the return
// are deadlines of the case. A child returns only after the family was
// assessed and found safe, escorted by an adult in charge of the child's
// care who is not the police, with the responsible authority of origin
// named (OSCE Alliance position paper, child victims: individual long-term
// solutions). The decision to return rests on a risk assessment that knows
// the conditions in the country of origin (same paper, on asylum and
// return), which the country notes hold.
//
// Where the person goes, who receives them, the escort and the notes are
// sealed under the case's vault record; the country, dates and codes stay
// in the clear.
package returns

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
)

// Service is the returns capability, built on the case gate.
type Service struct {
	cases *cases.Service
}

// New returns the returns service.
func New(c *cases.Service) *Service { return &Service{cases: c} }

// familyOutcomes are what the assessment of a child's family before return
// can find: safe to return to, unsafe (which blocks the return), or unclear.
var familyOutcomes = []string{"safe", "unsafe", "unclear"}

// FamilyOutcomes lists the family assessment outcome codes.
func FamilyOutcomes() []string { return slices.Clone(familyOutcomes) }

// escortKinds are who may escort a child on the return: an adult in charge
// of the child's care. The police are not among them, by design.
var escortKinds = []string{"guardian", "social_worker", "ngo_worker", "family_member", "other"}

// EscortKinds lists the escort kind codes in display order.
func EscortKinds() []string { return slices.Clone(escortKinds) }

// policeEscort is the code a form may still send for a police escort; it is
// refused with its own message so the worker learns why.
const policeEscort = "police"

// givers are who gives the consent to return: the person, or for a child
// the guardian.
var givers = []string{"person", "guardian"}

// Givers lists who can give the consent to return.
func Givers() []string { return slices.Clone(givers) }

// followUpOutcomes are what a follow-up contact after the return found.
var followUpOutcomes = []string{"settled", "needs_support", "no_contact", "at_risk"}

// FollowUpOutcomes lists the follow-up outcome codes in display order.
func FollowUpOutcomes() []string { return slices.Clone(followUpOutcomes) }

// Limits of the forms, in characters.
const (
	MaxName = 200
	MaxText = 4000
)

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 code of a
// country (Kosovo's XK included, as CLDR does), in its canonical upper-case
// form: "XX", "EU" or "UK" (whose code is GB) are not.
func ValidCountry(code string) bool {
	if len(code) != 2 || strings.ToUpper(code) != code {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry() && r.Canonicalize().String() == code
}

// Date helpers. A date is in the past or the future only once it is so
// everywhere on earth (UTC-12 to UTC+14), whatever the worker's time zone.
func earliest(now time.Time) string { return now.UTC().Add(-12 * time.Hour).Format(time.DateOnly) }
func latest(now time.Time) string   { return now.UTC().Add(14 * time.Hour).Format(time.DateOnly) }

func validDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// form collects the field errors of a form.
type form []apperr.FieldError

func (f *form) bad(field, key string) { *f = append(*f, apperr.FieldError{Field: field, Key: key}) }

// text checks a free-text field: required or not, valid UTF-8, at most max
// characters.
func (f *form) text(field, s string, max int, required bool) {
	switch {
	case s == "" && required:
		f.bad(field, "error.required")
	case !utf8.ValidString(s):
		f.bad(field, "error.bad_encoding")
	case utf8.RuneCountInString(s) > max:
		*f = append(*f, apperr.FieldError{Field: field, Key: "error.return.too_long", Args: map[string]any{"max": max}})
	}
}

// pastDay checks a required day that cannot be in the future.
func (f *form) pastDay(field, day string, now time.Time) {
	switch {
	case day == "":
		f.bad(field, "error.required")
	case !validDay(day):
		f.bad(field, "error.date_invalid")
	case day > latest(now):
		f.bad(field, "error.date_future")
	}
}

func (f form) err() error {
	if len(f) == 0 {
		return nil
	}
	return apperr.Validation(f...)
}

func trimAll(ss ...*string) {
	for _, s := range ss {
		*s = strings.TrimSpace(*s)
	}
}
