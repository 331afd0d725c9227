// Package risk keeps the risk assessment of a case as a living record:
// assessments with a level, the factors, a summary and the next review, and
// incidents that call for a new one.
//
// An assessment is never changed: a new one replaces it as the current
// assessment and the old ones stay as history. Each assessment copies its
// level to the case (the case list filters on it) and sets the case's one
// "risk_review" deadline, which the deadlines dashboard and reminders read.
// An incident recorded after the current assessment moves that deadline to
// today: the case needs a new assessment (Danube guidelines: continuous
// review, and a specific assessment in response to specific events).
package risk

import (
	"context"
	"fmt"
	"slices"
	"time"

	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Service is the risk capability, built on the case gate.
type Service struct {
	cases *cases.Service
}

// New returns the risk service.
func New(c *cases.Service) *Service { return &Service{cases: c} }

// Who is at risk, or what kind of risk a factor names: the groups of the
// checklist, in display order.
const (
	GroupPerson       = "person"
	GroupFamily       = "family"
	GroupStaff        = "staff"
	GroupTraffickers  = "traffickers"
	GroupRetrafficked = "retrafficking"
)

// Groups lists the factor groups in display order.
func Groups() []string {
	return []string{GroupPerson, GroupFamily, GroupStaff, GroupTraffickers, GroupRetrafficked}
}

// Factor is one item of the risk checklist. Its label is the message key
// "risk.factor.<code>" and its help text "risk.factor.<code>.help"; Source
// is the message key naming where the factor comes from.
type Factor struct {
	Code   string
	Group  string
	Source string
}

// Sources of the checklist, as message keys: the documents our own wording
// follows.
const (
	// /work/shared/seeds/danube-guidelines-for-municipalities.txt, "Safety,
	// including risk assessment" and the victim's needs (risks to the person,
	// their loved ones and the staff of the assisting organisation).
	srcDanubeSafety = "risk.source.danube_safety"
	// /work/shared/seeds/danube-guidelines-for-municipalities.txt, long-term
	// assistance: reintegration prevents re-victimisation and re-trafficking.
	srcDanubeReintegration = "risk.source.danube_reintegration"
	// /work/shared/seeds/osce-alliance-position-paper-assistance-protection.txt:
	// risk and security assessment, protection of family members.
	srcOSCE = "risk.source.osce"
	// /work/shared/seeds/danube-roundtable-coordination-structures.txt:
	// the most vulnerable to re-trafficking, perpetrators prosecuted through
	// the victims' collaboration.
	srcRoundtable = "risk.source.roundtable"
)

// factors is the checklist: our own risk factor codes, grouped by who is at
// risk. The wording of each lives in the message catalogues.
var factors = []Factor{
	{"threatened", GroupPerson, srcDanubeSafety},
	{"violence_suffered", GroupPerson, srcDanubeSafety},
	{"address_known", GroupPerson, srcDanubeSafety},
	{"witness", GroupPerson, srcRoundtable},
	{"debt_claimed", GroupPerson, srcDanubeSafety},
	{"health_crisis", GroupPerson, srcDanubeSafety},
	{"isolated", GroupPerson, srcDanubeSafety},
	{"family_threatened", GroupFamily, srcOSCE},
	{"family_location_known", GroupFamily, srcOSCE},
	{"family_involved", GroupFamily, srcOSCE},
	{"children_in_reach", GroupFamily, srcOSCE},
	{"staff_threatened", GroupStaff, srcDanubeSafety},
	{"shelter_known", GroupStaff, srcDanubeSafety},
	{"sought_at_service", GroupStaff, srcDanubeSafety},
	{"contact_attempts", GroupTraffickers, srcDanubeSafety},
	{"still_in_contact", GroupTraffickers, srcDanubeSafety},
	{"network_at_large", GroupTraffickers, srcRoundtable},
	{"trafficked_before", GroupRetrafficked, srcRoundtable},
	{"no_livelihood", GroupRetrafficked, srcDanubeReintegration},
	{"insecure_status", GroupRetrafficked, srcRoundtable},
	{"recruitment_offers", GroupRetrafficked, srcDanubeReintegration},
	{"return_unsafe", GroupRetrafficked, srcOSCE},
}

// Factors lists the checklist in display order.
func Factors() []Factor { return slices.Clone(factors) }

func knownFactor(code string) bool {
	return slices.ContainsFunc(factors, func(f Factor) bool { return f.Code == code })
}

// reviewDays is how soon an assessment of each level is reviewed unless the
// assessor chooses another date: the higher the risk, the sooner.
var reviewDays = map[string]int{"low": 90, "medium": 30, "high": 14, "critical": 7}

// ReviewDays is the default review interval of a level in days (0 for an
// unknown level).
func ReviewDays(level string) int { return reviewDays[level] }

// DefaultReview is the default next review of an assessment of level made on day.
func DefaultReview(level string, day time.Time) string {
	return day.AddDate(0, 0, reviewDays[level]).Format(time.DateOnly)
}

// Incident kinds: events that change the risk and call for a new assessment.
var incidentKinds = []string{
	"trafficker_found_address", "threat_received", "contact_by_trafficker",
	"went_missing", "returned_to_exploiter", "violence", "other",
}

// IncidentKinds lists the incident codes in display order.
func IncidentKinds() []string { return slices.Clone(incidentKinds) }

// Limits of the forms, in characters.
const (
	MaxSummary = 4000
	MaxNote    = 2000
)

// Assessment is one risk assessment of a case.
type Assessment struct {
	ID      string
	CaseID  string
	Level   string
	Factors []string
	// Summary is the decrypted free text; only Get fills it in.
	Summary    string
	HasSummary bool
	// ReviewOn is the next review, YYYY-MM-DD.
	ReviewOn string
	// AssessedBy is the assessor's id and AssessedByName their username.
	AssessedBy     string
	AssessedByName string
	AssessedAt     time.Time
	// sealed is the encrypted summary as stored.
	sealed []byte
}

// Incident is one event recorded on a case that changes the risk.
type Incident struct {
	ID         string
	CaseID     string
	Kind       string
	OccurredOn string // YYYY-MM-DD
	// Note is the decrypted free text; only Get fills it in.
	Note           string
	HasNote        bool
	RecordedBy     string
	RecordedByName string
	RecordedAt     time.Time
}

// today is the calendar day of now in UTC.
func today(now time.Time) string { return now.UTC().Format(time.DateOnly) }

// Current returns the current (newest) assessment of a case without its
// summary, in the caller's transaction: the case overview shows it.
func Current(ctx context.Context, tx *storage.Tx, caseID string) (Assessment, bool, error) {
	list, err := loadAssessments(ctx, tx, caseID, 1)
	if err != nil || len(list) == 0 {
		return Assessment{}, false, err
	}
	list[0].sealed = nil
	return list[0], true, nil
}

// Assessments lists the assessments of a case, newest first, without their
// summaries, in the caller's transaction: the legal tab links protective
// measures to the assessment they answer.
func Assessments(ctx context.Context, tx *storage.Tx, caseID string) ([]Assessment, error) {
	list, err := loadAssessments(ctx, tx, caseID, 0)
	for i := range list {
		list[i].sealed = nil
	}
	return list, err
}

// NeedsReview reports whether an incident was recorded after the current
// assessment (or there is an incident and no assessment yet): the case
// needs a new assessment. It runs in the caller's transaction, so the case
// overview can ask for it inside its own View.
func (s *Service) NeedsReview(ctx context.Context, tx *storage.Tx, caseID string) (bool, error) {
	return needsReview(ctx, tx, caseID)
}

func needsReview(ctx context.Context, tx *storage.Tx, caseID string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM risk_incidents i
		WHERE i.case_id = $1 AND NOT EXISTS (
			SELECT 1 FROM risk_assessments a WHERE a.case_id = i.case_id AND a.assessed_at >= i.recorded_at)`, caseID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check risk review of case %s: %w", caseID, err)
	}
	return n > 0, nil
}
