// Package cases is case management of assistance in the local referral
// mechanism: one case follows one person from first contact to recovery.
// It owns the case itself (pseudonymous code, demographics as codes, the
// encrypted identity), the lifecycle and its history, informed consent, the
// case team, the timeline with encrypted notes, sharing and transfer between
// organisations, and the deadlines every capability registers.
//
// It is also the one gate to a case for the capabilities built on it (risk,
// assistance, legal status, children, the crisis unit, data protection):
// View and Change decide, in one place, whether an actor may read or change
// which category of a case, and run the caller's SQL in the same
// transaction. A case is visible to the organisation that owns it and to
// organisations it was shared with, for the categories of data the person
// consented to; every query carries that scope in its WHERE clause.
//
// The identity (name, date of birth, contact details) is sealed with the
// vault under the record "cases/<id>" and shown only to the case team after
// a step-up; everything else names the person by the case code.
package cases

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/files"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

// Category is a category of case data. Consent and shares are given per
// category, and a receiving organisation sees only the categories it was given.
type Category string

// Categories of case data.
const (
	// Profile is the case code, stage, demographics as codes and the team;
	// whoever sees a case sees its profile.
	Profile        Category = "profile"
	Identity       Category = "identity"       // name, date of birth, contact details
	Consent        Category = "consent"        // the consent records (always visible with the case)
	Identification Category = "identification" // screening, referral and decisions
	Assistance     Category = "assistance"     // needs, the assistance plan, service referrals, shelter
	Risk           Category = "risk"           // risk assessments and incidents
	Legal          Category = "legal"          // reflection period, permits, asylum, proceedings, compensation
	Children       Category = "children"       // guardian, best-interest assessments, turning 18
	CrisisUnit     Category = "crisis_unit"    // case conferences, decisions and tasks
	Notes          Category = "notes"          // notes and attachments
)

// shareable are the categories a consent or share can name; profile and
// consent always travel with a shared case.
var shareable = []Category{Identity, Identification, Assistance, Risk, Legal, Children, CrisisUnit, Notes}

// Shareable lists the categories a consent or a share can name, in display order.
func Shareable() []Category { return slices.Clone(shareable) }

// Service is the case management capability.
type Service struct {
	db    *storage.DB
	vault *vault.Vault
	audit *audit.Log
	now   func() time.Time
	// reflectionDays is the jurisdiction's minimum reflection and recovery period.
	reflectionDays int
	moveHooks      []MoveHook
	withdrawHooks  []WithdrawHook
	transferHooks  []TransferHook
	// providersKnown counts which of the given ids are active service
	// providers of the directory (the assistance capability owns it).
	providersKnown ProviderCheck
	// files cleans files attached to notes.
	files *files.Cleaner
	// areas are the city's current areas a case may be placed in.
	areas func(context.Context) ([]geo.Area, error)
}

// Deps are what the service needs.
type Deps struct {
	DB    *storage.DB
	Vault *vault.Vault
	Audit *audit.Log
	// ReflectionDays is the reflection and recovery period of the
	// jurisdiction; 0 means the default of 90 days.
	ReflectionDays int
	// Now defaults to storage.Now; tests pass a fixed clock.
	Now func() time.Time
	// Areas are the city's current areas (geo.Service.Current), which a
	// case's area is chosen from; nil knows none.
	Areas func(context.Context) ([]geo.Area, error)
}

// DefaultReflectionDays is the reflection and recovery period when the
// jurisdiction sets none (at least the 30 days of the Council of Europe
// Convention, art. 13; 90 following the OSCE Alliance's recommendation).
const DefaultReflectionDays = 90

// New returns the case service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, vault: d.Vault, audit: d.Audit, now: d.Now, reflectionDays: d.ReflectionDays,
		files: files.NewCleaner(MaxFile, 2), areas: d.Areas}
	if s.areas == nil {
		s.areas = func(context.Context) ([]geo.Area, error) { return nil, nil }
	}
	if s.now == nil {
		s.now = storage.Now
	}
	if s.reflectionDays <= 0 {
		s.reflectionDays = DefaultReflectionDays
	}
	return s
}

// ReflectionDays is the reflection and recovery period in days.
func (s *Service) ReflectionDays() int { return s.reflectionDays }

// Now is the service's clock, for capabilities built on cases.
func (s *Service) Now() time.Time { return s.now() }

// DB is the database cases live in, for capabilities built on cases.
func (s *Service) DB() *storage.DB { return s.db }

// Vault seals the case's free text, for capabilities built on cases: they
// seal under Record(caseID) so that erasing a case forgets one key.
func (s *Service) Vault() *vault.Vault { return s.vault }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// NewID returns a new record id (UUIDv7), for capabilities built on cases.
func NewID() string { return newID() }

// Record is the vault record of a case: every encrypted field of the case
// and of the capabilities built on it is sealed with this record's key.
func Record(caseID string) string { return "cases/" + caseID }

// codeAlphabet leaves out letters and digits that read alike (0/O, 1/I/L).
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newCode returns a random pseudonymous code such as C-7K3Q-92XD: 40 bits,
// never derived from anything about the person.
func newCode(prefix string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("read random: %v", err))
	}
	out := []byte(prefix + "-")
	for i, x := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, codeAlphabet[int(x)%len(codeAlphabet)])
	}
	return string(out)
}

// authorize asks the policy and audits a refusal.
func (s *Service) authorize(ctx context.Context, actor access.Actor, action access.Action, subjectType, id string) (access.Scope, error) {
	scope, err := access.Authorize(actor, action)
	if err != nil {
		return access.Scope{}, s.denied(ctx, actor, string(action), subjectType, id, err)
	}
	return scope, nil
}

// denied records a refusal (or a record missing or out of scope, which look
// the same to the actor) in its own transaction, as the refused action never
// ran, and returns err.
func (s *Service) denied(ctx context.Context, actor access.Actor, action, subjectType, id string, err error) error {
	return s.audit.Refused(ctx, s.db, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: action,
		SubjectType: subjectType, SubjectID: id}, err)
}

// record appends an audit entry; detail holds codes only, never free text.
func (s *Service) record(ctx context.Context, tx *storage.Tx, actor access.Actor, action, outcome, subjectType, id, orgID, detail string) error {
	_, err := s.audit.Append(ctx, tx, audit.Entry{
		ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: action, Outcome: outcome,
		SubjectType: subjectType, SubjectID: id, SubjectOrgID: orgID, Detail: detail,
	})
	return err
}

func parseDay(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }

// Audit appends an audit entry in the caller's transaction, for changes of
// capabilities built on cases that are not about one case (the service
// directory); detail holds codes only.
func (s *Service) Audit(ctx context.Context, tx *storage.Tx, actor access.Actor, action, subjectType, id, orgID, detail string) error {
	return s.record(ctx, tx, actor, action, audit.Allowed, subjectType, id, orgID, detail)
}

// Authorize asks the policy for a action not about one case (the service
// directory, dashboards) and audits a refusal.
func (s *Service) Authorize(ctx context.Context, actor access.Actor, action access.Action, subjectType, id string) (access.Scope, error) {
	return s.authorize(ctx, actor, action, subjectType, id)
}

// riskLevels are the levels of a risk assessment, lowest first.
var riskLevels = []string{"low", "medium", "high", "critical"}

// RiskLevels lists the risk levels, lowest first.
func RiskLevels() []string { return slices.Clone(riskLevels) }

// SetRiskLevel keeps the case's current risk level, which the case list
// filters on; the risk capability calls it inside Change.
func (s *Service) SetRiskLevel(ctx context.Context, tx *storage.Tx, caseID, level string) error {
	if level != "" && !slices.Contains(riskLevels, level) {
		return fmt.Errorf("set risk level of case %s: unknown level %q", caseID, level)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET risk_level = $1 WHERE id = $2`, level, caseID); err != nil {
		return fmt.Errorf("set risk level of case %s: %w", caseID, err)
	}
	return nil
}
