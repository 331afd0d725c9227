// Package plan is the municipality's action plan (issue 12, item 5): the
// findings of the local mapping, of a working-group meeting or entered by
// the coordinator, the measures taken on them and how each finding was
// re-checked later, so the next mapping round shows which findings were
// acted on and whether that helped. The safety-audit methods Waymark
// follows stop at recommendations that are rarely followed up; here every
// finding carries its measures (owner, partners, dates, resources,
// indicators with baseline and target) and its re-checks (Danube
// guidelines §3: an intervention plan with owners and dates —
// /work/shared/seeds/).
//
// # Who does what
//
// The coordinator (access.ManagePlan) records findings and measures, edits
// them and records re-checks. Users of an organisation allowed
// access.ReportPlanProgress record progress (status, indicator values, a
// note) on measures their organisation owns or is a partner in; the scope
// is in the SQL (ownerScope). The plan is read by those who manage it, by
// the municipal overview's readers (access.ViewMunicipal) and, for their
// own measures and the findings behind them, by those who report progress.
// Every change is audited in its transaction, every refusal on its own.
//
// # No personal data
//
// Findings and measures are about places, sectors and services, never
// about a person: the forms say so, and the texts are stored in the clear
// so the plan can be printed and shared with the partnership.
package plan

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// Topic is the mapping topic a finding belongs to: the annex tables of the
// Danube guidelines, plus services and training.
type Topic string

const (
	TopicSexual       Topic = "sexual_exploitation"
	TopicLabour       Topic = "labour_exploitation"
	TopicBegging      Topic = "begging_criminality"
	TopicOrigin       Topic = "areas_of_origin"
	TopicLocations    Topic = "locations"
	TopicPerpetrators Topic = "perpetrators"
	TopicServices     Topic = "services"
	TopicTraining     Topic = "training"
)

// Topics lists the topics in display order.
func Topics() []Topic {
	return []Topic{TopicSexual, TopicLabour, TopicBegging, TopicOrigin, TopicLocations, TopicPerpetrators, TopicServices, TopicTraining}
}

// SourceKind is where a finding or a re-check came from.
type SourceKind string

const (
	FromMappingRound SourceKind = "mapping_round"
	FromMeeting      SourceKind = "meeting"
	FromEntered      SourceKind = "entered"
)

// SourceKinds lists the kinds of source.
func SourceKinds() []SourceKind { return []SourceKind{FromMappingRound, FromMeeting, FromEntered} }

// Priority is how urgent a finding is.
type Priority string

const (
	High   Priority = "high"
	Medium Priority = "medium"
	Low    Priority = "low"
)

// Priorities lists the priorities, most urgent first.
func Priorities() []Priority { return []Priority{High, Medium, Low} }

// FollowUp is how far a finding was followed up. It is derived from its
// measures and re-checks, never stored, so it cannot disagree with them.
type FollowUp string

const (
	FollowOpen      FollowUp = "open"      // no measure yet
	FollowPlanned   FollowUp = "planned"   // a measure is planned or in progress
	FollowActed     FollowUp = "acted"     // a measure is done
	FollowRechecked FollowUp = "rechecked" // a later round or note re-checked it
)

// Result is what a re-check found.
type Result string

const (
	Improved  Result = "improved"
	Unchanged Result = "unchanged"
	Worse     Result = "worse"
)

// Results lists the results of a re-check.
func Results() []Result { return []Result{Improved, Unchanged, Worse} }

// Status is where a measure stands.
type Status string

const (
	Planned    Status = "planned"
	InProgress Status = "in_progress"
	Done       Status = "done"
	Dropped    Status = "dropped"
)

// Statuses lists the statuses in display order.
func Statuses() []Status { return []Status{Planned, InProgress, Done, Dropped} }

// Open reports whether a measure with this status is still to be done.
func (s Status) Open() bool { return s == Planned || s == InProgress }

// Limits of the texts.
const (
	maxTitle = 200
	maxText  = 4000
	maxShort = 200
	// MaxIndicators bounds the indicators of one measure.
	MaxIndicators = 10
	maxPartners   = 20
	maxFindings   = 20
)

// ReviewWindow is how far ahead a review date counts as due.
const ReviewWindow = 7 * 24 * time.Hour

// Service is the action plan.
type Service struct {
	db   *storage.DB
	gate audit.Gate
	now  func() time.Time
	zone *time.Location
}

// Deps are what the service needs.
type Deps struct {
	DB    *storage.DB
	Audit *audit.Log
	// Now defaults to storage.Now; tests pass a fixed clock.
	Now func() time.Time
	// Zone is where "today" is decided for due and review dates; default
	// time.Local.
	Zone *time.Location
}

// New returns the service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, gate: audit.NewGate(d.DB, d.Audit), now: d.Now, zone: d.Zone}
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

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Org is an organisation as the plan names it.
type Org struct {
	ID   string
	Name string
}

// Organisations lists the partnership's organisations an owner or partner
// may be chosen from.
func (s *Service) Organisations(ctx context.Context) ([]Org, error) {
	var out []Org
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name FROM organisations ORDER BY name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o Org
			if err := rows.Scan(&o.ID, &o.Name); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// readScope is how much of the plan actor may read: all of it for those
// who manage it or read the municipal overview, the measures of their own
// organisation (owned or partnered) for those who report progress.
func readScope(actor access.Actor) (access.Scope, error) {
	for _, a := range []access.Action{access.ManagePlan, access.ViewMunicipal, access.ReportPlanProgress} {
		if sc, err := access.Authorize(actor, a); err == nil {
			return sc, nil
		}
	}
	return access.Scope{}, apperr.New(apperr.Forbidden, "error.forbidden")
}

// CanRead reports whether actor may open the plan at all (for links).
func CanRead(actor access.Actor) bool {
	_, err := readScope(actor)
	return err == nil
}

func errNotFound() error { return apperr.New(apperr.NotFound, "error.not_found") }

// fields collects a form's field errors, with this package's checks.
type fields struct{ apperr.Fields }

// text trims s and checks it is present when required and within n runes.
func (f *fields) text(s *string, field string, n int, required bool) {
	*s = strings.TrimSpace(*s)
	switch {
	case required && *s == "":
		f.Add(field, "actionplan.error.required")
	case utf8.RuneCountInString(*s) > n:
		f.Add(field, "actionplan.error.too_long")
	}
}

// date checks a YYYY-MM-DD value; "" is allowed when optional.
func (f *fields) date(s *string, field string, required bool) {
	*s = strings.TrimSpace(*s)
	if *s == "" {
		if required {
			f.Add(field, "actionplan.error.date")
		}
		return
	}
	if _, err := time.Parse(time.DateOnly, *s); err != nil {
		f.Add(field, "actionplan.error.date")
	}
}

func oneOf[T ~string](v T, all []T) bool { return slices.Contains(all, v) }

// source checks a source: a mapping round or meeting needs its id, an
// entered finding has none.
func (f *fields) source(kind *SourceKind, id *string) {
	*kind, *id = SourceKind(strings.TrimSpace(string(*kind))), strings.TrimSpace(*id)
	switch {
	case !oneOf(*kind, SourceKinds()):
		f.Add("source_kind", "actionplan.error.source_kind")
	case *kind != FromEntered && *id == "":
		f.Add("source_id", "actionplan.error.source_id")
	case utf8.RuneCountInString(*id) > 64:
		f.Add("source_id", "actionplan.error.too_long")
	}
}
