// Package assistance is the person's needs and the assistance plan built from the scheme of assistance, the directory of service providers, referrals to them, and shelter places.
//
// Everything here is built on the case gate (internal/cases): reads go
// through View and changes through Change on the category cases.Assistance,
// so one transaction holds the change, its timeline entry and audit entry.
// Free text about the person (the needs note, activity notes) is sealed
// under the case's vault record. No record or rule here depends on the
// person's cooperation with the authorities: the sources are explicit that
// assistance is unconditional (OSCE Alliance position paper, point 2;
// Danube guidelines for municipalities, §3.2 — /work/shared/seeds/).
package assistance

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

// Service is the assistance capability, built on the case gate.
type Service struct {
	cases *cases.Service
}

// New returns the assistance service. It ends the referrals of a case
// that closes (see endOnClose) and withdraws those waiting on a consent
// that is withdrawn (see withdrawOnConsent).
func New(c *cases.Service) *Service {
	s := &Service{cases: c}
	if c != nil {
		c.OnMove(s.endOnClose)
		c.OnWithdraw(s.withdrawOnConsent)
		c.OnProviderCheck(activeProviders)
	}
	return s
}

// activeProviders counts the active providers of the directory among ids,
// for a consent that names them.
func activeProviders(ctx context.Context, tx *storage.Tx, ids []string) (int, error) {
	ph, args := storage.InList(1, ids)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM service_providers WHERE active = 1 AND id IN (`+ph+`)`, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("check consent providers: %w", err)
	}
	return n, nil
}

// needs are the key issues of a person, after the "key issues for the
// victim" of the Danube guidelines §3.2 (safety, status, confidentiality,
// fear, re-traumatisation, livelihood) and the types of assistance table
// (health, housing, documents, language, family, education, work). Labels
// and help texts are message keys "assistance.need.<code>" and
// "assistance.need.<code>.help".
var needs = []string{
	"safety", "legal_status", "confidentiality", "fear", "re_traumatisation", "livelihood",
	"compensation", "health", "housing", "documents", "language", "family", "children",
	"debt", "education", "employment",
}

// Needs lists the need codes in display order.
func Needs() []string { return slices.Clone(needs) }

// priorities of a need, most urgent first.
var priorities = []string{"high", "medium", "low"}

// Priorities lists the priorities of a need, most urgent first.
func Priorities() []string { return slices.Clone(priorities) }

// Step is one step of the scheme of assistance with the activity types
// that belong to it.
type Step struct {
	Code  string
	Types []string
}

// scheme is the scheme of assistance of the Danube guidelines ("Practical
// Guidance & Tools: Scheme & Types of Assistance"), step by step, with its
// activities as type codes in our own words. Labels and help texts are
// "assistance.step.<code>", "assistance.activity.<type>" and
// "assistance.activity.<type>.help". On purpose there is no activity that
// records cooperation with the authorities: it is never a condition.
var scheme = []Step{
	{"low_threshold", []string{"hotline_support", "rights_information"}},
	{"safe_place", []string{"safe_travel", "arrival_meeting"}},
	{"referral", []string{"provider_referral", "referral_coordination"}},
	{"risk_assessment", []string{"risk_assessment", "protection_information"}},
	{"crisis_intervention", []string{"safe_housing", "food_clothing", "psychological_support", "medical_care",
		"legal_assistance", "document_recovery", "social_assistance", "interpretation", "reflection_period"}},
	{"long_term", []string{"long_term_plan", "accommodation", "social_counselling", "therapy", "legal_information",
		"legal_representation", "family_mediation"}},
	{"inclusion", []string{"language_course", "education", "vocational_training", "job_coaching", "job_placement",
		"income_generation", "recreation"}},
	{"return", []string{"return_information", "return_decision", "family_tracing", "consulate_contact",
		"travel_documents", "receiving_provider", "return_risk_assessment"}},
}

// Scheme lists the steps of the scheme of assistance in order.
func Scheme() []Step {
	out := make([]Step, len(scheme))
	for i, s := range scheme {
		out[i] = Step{Code: s.Code, Types: slices.Clone(s.Types)}
	}
	return out
}

// StepOf returns the step an activity type belongs to, or "".
func StepOf(activityType string) string {
	for _, s := range scheme {
		if slices.Contains(s.Types, activityType) {
			return s.Code
		}
	}
	return ""
}

// Activity statuses.
const (
	Planned    = "planned"
	InProgress = "in_progress"
	Done       = "done"
	Cancelled  = "cancelled"
)

var activityStatuses = []string{Planned, InProgress, Done, Cancelled}

// ActivityStatuses lists the statuses of a plan activity.
func ActivityStatuses() []string { return slices.Clone(activityStatuses) }

// providerTypes are the kinds of service a provider offers.
var providerTypes = []string{"shelter", "medical", "psychological", "legal_aid", "interpretation", "employment",
	"education", "financial", "return_support", "child_protection", "other"}

// ProviderTypes lists the provider type codes in display order.
func ProviderTypes() []string { return slices.Clone(providerTypes) }

// providerAudiences are whom a provider serves: victims of trafficking and
// people at risk of it (prevention, outreach, drop-in; 003 §3.3 asks the
// mapping for the services available to both).
var providerAudiences = []string{"victims", "at_risk"}

// ProviderAudiences lists the audience codes in display order.
func ProviderAudiences() []string { return slices.Clone(providerAudiences) }

// Shelter restrictions: who a shelter's places are for.
var (
	placeGenders = []string{"any", "women", "men"}
	placeAges    = []string{"any", "adults", "children", "families"}
)

// PlaceGenders lists the gender restriction codes of shelter places.
func PlaceGenders() []string { return slices.Clone(placeGenders) }

// PlaceAges lists the age restriction codes of shelter places.
func PlaceAges() []string { return slices.Clone(placeAges) }

// Referral statuses.
const (
	Pending   = "pending"
	Accepted  = "accepted"
	Declined  = "declined"
	Withdrawn = "withdrawn"
	Ended     = "ended"
)

// declineReasons and endReasons are codes: free text about a person does
// not belong in a reason.
var (
	declineReasons = []string{"no_capacity", "not_eligible", "service_unavailable", "restriction", "safety_concern", "other"}
	endReasons     = []string{"completed", "person_left", "moved_on", "no_longer_needed", "other"}
)

// DeclineReasons lists the reasons a provider may give for declining.
func DeclineReasons() []string { return slices.Clone(declineReasons) }

// EndReasons lists the reasons a referral or placement ends.
func EndReasons() []string { return slices.Clone(endReasons) }

// AnswerDays is how long a provider has to answer a referral; the
// "provider_referral" deadline falls due then.
const AnswerDays = 3

// Limits of free text, in characters.
const (
	MaxNote    = 10000
	maxName    = 200
	maxContact = 500
)

// languageCode is an ISO 639-1 (or 639-3) language code.
var languageCode = regexp.MustCompile(`^[a-z]{2,3}$`)

// fields collects field errors of a form.
// fields collects a form's field errors.
type fields = apperr.Fields

// parseDay reads an optional YYYY-MM-DD date; "" is the zero time.
func parseDay(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

func tooLong(s string, max int) bool { return utf8.RuneCountInString(s) > max }

// cleanCodes trims, lower-cases and de-duplicates a list of codes; a
// comma-separated value counts as several.
func cleanCodes(in []string) []string {
	out := []string{}
	for _, v := range in {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.ToLower(strings.TrimSpace(p)); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func all(vals []string, ok func(string) bool) bool {
	for _, v := range vals {
		if !ok(v) {
			return false
		}
	}
	return true
}

// seal encrypts a note under the case's record; "" stores nothing.
func (s *Service) seal(ctx context.Context, tx *storage.Tx, caseID, field, text string) ([]byte, error) {
	if text == "" {
		return nil, nil
	}
	b, err := s.cases.Vault().Seal(ctx, tx, cases.Record(caseID), field, []byte(text))
	if err != nil {
		return nil, fmt.Errorf("seal %s of case %s: %w", field, caseID, err)
	}
	return b, nil
}

// open decrypts a note; a note of an erased case reads as "".
func (s *Service) open(ctx context.Context, tx *storage.Tx, caseID, field string, sealed []byte) (string, error) {
	b, err := s.cases.Vault().Open(ctx, tx, cases.Record(caseID), field, sealed)
	if errors.Is(err, vault.ErrErased) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("open %s of case %s: %w", field, caseID, err)
	}
	return string(b), nil
}

// activeOrg reports whether an organisation exists and is not disabled.
func activeOrg(ctx context.Context, tx *storage.Tx, orgID string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1 AND disabled_at IS NULL`, orgID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check organisation %s: %w", orgID, err)
	}
	return n > 0, nil
}
