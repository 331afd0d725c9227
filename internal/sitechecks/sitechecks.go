// Package sitechecks is the checks of the sites where the municipality's
// contracts are carried out (issue 13, item 3): a visit answered on a
// questionnaire of Waymark's forms engine (questionnaire/site_check.md),
// the findings the answers signal, each with its severity and editable or
// added by hand, and the corrective action plan that answers them (action,
// owner, deadline, verification, status), overdue actions shown on the
// check and on the contract's list. When a check records signs about
// workers, one click opens a screening with the answers those signs stand
// for already filled in (ScreeningAnswers), so the officer goes on to the
// usual referral: the link no public-buyer tool makes (research §4.3, row 4;
// seed 003 §3.4).
//
// # Who does what
//
// Those allowed access.ViewProcurement read checks; access.ManageProcurement
// records checks, findings and actions and starts screenings (the screening
// store asks for access.EvaluateScreening itself). Every change is audited
// in its transaction, every refusal on its own.
//
// # No personal data
//
// A check holds counts and yes/no about a site, and texts about the site;
// the questionnaire and the forms say so. A worker's own story belongs in
// the screening the check opens, which is kept by the screening store.
//
// Contracts and sites belong to procurement: a check reads them through
// Procurement, which also decides who may read them.
package sitechecks

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// Procurement reads the contracts and sites checks are made at, in the
// actor's view (procurement.Service); a record missing or out of view is
// apperr.NotFound.
type Procurement interface {
	Site(ctx context.Context, actor access.Actor, id string) (procurement.Site, error)
	Contract(ctx context.Context, actor access.Actor, id string) (procurement.Contract, error)
	SiteNames(ctx context.Context, actor access.Actor, contractID string) (map[string]string, error)
}

// Severity is how serious a finding is.
type Severity string

const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
)

// Severities lists the severities, most serious first.
func Severities() []Severity { return []Severity{Critical, High, Medium, Low} }

// Owner is who carries out a corrective action.
type Owner string

const (
	BySupplier     Owner = "supplier"
	ByOrganisation Owner = "organisation"
)

// Owners lists the owners of an action.
func Owners() []Owner { return []Owner{BySupplier, ByOrganisation} }

// Status is where a corrective action stands.
type Status string

const (
	Open        Status = "open"
	InProgress  Status = "in_progress"
	Verified    Status = "verified"
	NotResolved Status = "not_resolved"
)

// Statuses lists the statuses in display order.
func Statuses() []Status { return []Status{Open, InProgress, Verified, NotResolved} }

// Pending reports whether an action with this status is still to be done,
// so it can be overdue.
func (s Status) Pending() bool { return s == Open || s == InProgress }

// Limits of the texts.
const (
	maxShort = 200
	maxText  = 4000
)

// Service keeps the site checks.
type Service struct {
	db          *storage.DB
	audit       *audit.Log
	gate        audit.Gate
	procurement Procurement
	screenings  *screening.Store
	now         func() time.Time
	zone        *time.Location
	// forms keeps imported questionnaires parsed, by stored id.
	forms sync.Map
}

// Deps are what the service needs.
type Deps struct {
	DB          *storage.DB
	Audit       *audit.Log
	Procurement Procurement
	// Screenings starts the screenings a check opens.
	Screenings *screening.Store
	// Now defaults to storage.Now; tests pass a fixed clock.
	Now func() time.Time
	// Zone is where "today" is decided for deadlines; default time.Local.
	Zone *time.Location
}

// New returns the service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, audit: d.Audit, gate: audit.NewGate(d.DB, d.Audit), procurement: d.Procurement, screenings: d.Screenings,
		now: d.Now, zone: d.Zone}
	if s.now == nil {
		s.now = storage.Now
	}
	if s.zone == nil {
		s.zone = time.Local
	}
	return s
}

// today is the local date, YYYY-MM-DD.
func (s *Service) today() string { return s.now().In(s.zone).Format(time.DateOnly) }

// Today is the local date a new check is dated by default.
func (s *Service) Today() string { return s.today() }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// refuse audits a refused action and returns its error.
func (s *Service) refuse(ctx context.Context, actor access.Actor, action access.Action, subject, id string, cause error) error {
	return s.audit.Refused(ctx, s.db, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID,
		Action: string(action), SubjectType: subject, SubjectID: id}, cause)
}

// authorize asks the policy for action and audits a refusal.
func (s *Service) authorize(ctx context.Context, actor access.Actor, action access.Action, subject, id string) error {
	_, err := s.gate.Authorize(ctx, actor, action, subject, id)
	return err
}

// record appends the audit entry of a change inside its transaction. The
// detail holds codes only: texts stay out of the log that can never be
// edited.
func (s *Service) record(ctx context.Context, tx *storage.Tx, actor access.Actor, action, subject, id, detail string) error {
	return s.gate.Record(ctx, tx, actor, action, subject, id, "", detail)
}

func errNotFound() error { return apperr.New(apperr.NotFound, "error.not_found") }

// fields collects a form's field errors, with this package's checks.
type fields struct{ apperr.Fields }

// text trims s and checks it is present when required and within n runes.
func (f *fields) text(s *string, field string, n int, required bool) {
	*s = strings.TrimSpace(*s)
	switch {
	case required && *s == "":
		f.Add(field, "sitechecks.error.required")
	case utf8.RuneCountInString(*s) > n:
		f.Add(field, "sitechecks.error.too_long")
	}
}

// date checks a required YYYY-MM-DD value.
func (f *fields) date(s *string, field string) {
	*s = strings.TrimSpace(*s)
	if _, err := time.Parse(time.DateOnly, *s); err != nil {
		f.Add(field, "sitechecks.error.date")
	}
}

// code checks that v is one of all.
func code[T ~string](f *fields, v *T, all []T, field string) {
	*v = T(strings.TrimSpace(string(*v)))
	if !slices.Contains(all, *v) {
		f.Add(field, "sitechecks.error.choose")
	}
}
