// Package children is the child protection part of a case: the guardian,
// best-interest assessments and the transition at 18.
//
// A child victim is protected as a child first: an independent guardian
// looks after the child's best interest, every decision about the child
// rests on a best-interest assessment in which the child is heard, and the
// move to adult services at 18 is planned months ahead (OSCE Alliance
// position paper, "Acting in the best interest of child victims";
// /work/shared/seeds/osce-alliance-position-paper-assistance-protection.txt).
// Who the guardian is and what an assessment found are sealed under the
// case's vault record; codes and dates stay in the clear.
package children

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
)

// Service is the children capability, built on the case gate.
type Service struct {
	cases *cases.Service
}

// New returns the children service.
func New(c *cases.Service) *Service { return &Service{cases: c} }

// guardianKinds are who holds the guardianship: a parent or other legal
// guardian by law, a guardian an authority or court appointed (for an
// unaccompanied or separated child), or the child protection service itself.
var guardianKinds = []string{"legal_guardian", "appointed_guardian", "child_protection_service", "other"}

// GuardianKinds lists the guardian type codes in display order.
func GuardianKinds() []string { return slices.Clone(guardianKinds) }

// participants are who can take part in a best-interest assessment.
var participants = []string{
	"child", "guardian", "case_worker", "child_protection_service", "psychologist",
	"legal_representative", "family", "interpreter", "police", "other",
}

// Participants lists the participant codes of a best-interest assessment.
func Participants() []string { return slices.Clone(participants) }

// decisions are what a best-interest assessment can conclude, following the
// durable solutions the OSCE Alliance paper names: protection and care here
// (a family-based arrangement preferred to residential care), reunification
// with the family, a safe return, or relocation to a third country.
var decisions = []string{
	"stay_current_care", "family_based_care", "residential_care", "family_reunification",
	"safe_return", "third_country", "other",
}

// Decisions lists the decision codes of a best-interest assessment.
func Decisions() []string { return slices.Clone(decisions) }

// aftercareOptions are the supports a transition plan can arrange so that
// protection does not stop at 18 (OSCE Alliance paper: durability,
// follow-up, education and access to the labour market; Danube guidelines:
// long-term assistance and inclusion).
var aftercareOptions = []string{
	"supported_housing", "continued_case_worker", "education_training", "employment_support",
	"residence_status", "adult_victim_services", "health_psychosocial", "financial_support",
	"safe_return", "other",
}

// AftercareOptions lists the aftercare option codes in display order.
func AftercareOptions() []string { return slices.Clone(aftercareOptions) }

// transitionStatuses is how far the transition plan has come.
var transitionStatuses = []string{"drafted", "agreed", "in_progress", "completed"}

// TransitionStatuses lists the status codes of a transition plan in order.
func TransitionStatuses() []string { return slices.Clone(transitionStatuses) }

// Limits of the forms, in characters.
const (
	MaxName    = 200
	MaxContact = 1000
	MaxText    = 4000
)

// Guardian is a guardianship of a child.
type Guardian struct {
	ID     string
	CaseID string
	Kind   string
	// Name, Organisation and Contact are decrypted.
	Name         string
	Organisation string
	Contact      string
	AppointedOn  string // YYYY-MM-DD
	EndedOn      string // YYYY-MM-DD, "" while it lasts
	RecordedBy   string
	RecordedAt   time.Time
}

// Current reports whether the guardianship lasts on day (YYYY-MM-DD).
func (g Guardian) Current(day string) bool {
	return g.AppointedOn <= day && (g.EndedOn == "" || g.EndedOn > day)
}

// guardianDetails is what is sealed about a guardian.
type guardianDetails struct {
	Name         string `json:"name,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	Contact      string `json:"contact,omitempty"`
}

// BestInterest is one best-interest assessment.
type BestInterest struct {
	ID           string
	CaseID       string
	HeldOn       string // YYYY-MM-DD
	Participants []string
	ChildHeard   bool
	Decision     string
	// Outcome is the decrypted summary of the outcome.
	Outcome    string
	ReviewOn   string // YYYY-MM-DD
	RecordedBy string
	// RecordedByName is the recording user's username.
	RecordedByName string
	RecordedAt     time.Time
}

// Transition is the plan for the transition at 18.
type Transition struct {
	CaseID  string
	Options []string
	// Notes is decrypted.
	Notes     string
	Status    string
	CreatedAt time.Time
	UpdatedBy string
	UpdatedAt time.Time
}

// Date helpers. A date is in the past or the future only once it is so
// everywhere on earth (UTC-12 to UTC+14), whatever the worker's time zone.
func earliest(now time.Time) string { return now.UTC().Add(-12 * time.Hour).Format(time.DateOnly) }
func latest(now time.Time) string   { return now.UTC().Add(14 * time.Hour).Format(time.DateOnly) }
func today(now time.Time) string    { return now.UTC().Format(time.DateOnly) }

func validDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// text checks a free-text field: valid UTF-8 and at most max characters.
func text(fields *[]apperr.FieldError, field, s string, max int) {
	switch {
	case !utf8.ValidString(s):
		*fields = append(*fields, apperr.FieldError{Field: field, Key: "error.bad_encoding"})
	case utf8.RuneCountInString(s) > max:
		*fields = append(*fields, apperr.FieldError{Field: field, Key: "error.child.too_long", Args: map[string]any{"max": max}})
	}
}

// codes cleans a list of codes and reports whether all are in known.
func codes(in []string, known []string) ([]string, bool) {
	out := []string{}
	for _, c := range in {
		c = strings.TrimSpace(c)
		if c == "" || slices.Contains(out, c) {
			continue
		}
		if !slices.Contains(known, c) {
			return out, false
		}
		out = append(out, c)
	}
	return out, true
}

// pastDay checks a required date that cannot be in the future.
func pastDay(fields *[]apperr.FieldError, field, day string, now time.Time, requiredKey, futureKey string) {
	switch {
	case day == "":
		*fields = append(*fields, apperr.FieldError{Field: field, Key: requiredKey})
	case !validDay(day):
		*fields = append(*fields, apperr.FieldError{Field: field, Key: "error.date_invalid"})
	case day > latest(now):
		*fields = append(*fields, apperr.FieldError{Field: field, Key: futureKey})
	}
}

// notChild refuses a child-only record on an adult's case.
func notChild() error { return apperr.New(apperr.Conflict, "error.child.not_child") }
