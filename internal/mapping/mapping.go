// Package mapping is the local mapping of the trafficking situation, run as
// a participatory safety audit (issue 12; Danube guidelines for
// municipalities §3.3 and annex tables pp. vii–xii, /work/shared/seeds/).
//
// # Questionnaires
//
// A questionnaire is an XLSForm, evaluated by the forms engine
// (internal/forms). Waymark ships six, written in our own words from the
// seed tables (questionnaires/*.md, Shipped); a coordinator may import
// more as .xlsx. A questionnaire keeps its source and is parsed again when
// used, so a round shows exactly what was imported. The perpetrators
// questionnaire is restricted: only roles allowed
// access.ViewMappingRestricted see its results.
//
// # Areas
//
// Every shipped form asks "which part of the city" with select_one from
// the choice list "area", which ships with one choice, whole_city. When a
// round is answered the list is filled with the round's area codes (all
// current areas of the city when the round covers the whole city), so an
// area answer is an area's code in the clear (or a name derived from a code
// that cannot be a choice name, see areaChoice) that the report and the
// maps count. An imported .xlsx is used as uploaded: it lists the codes in
// its own "area" list if it wants them.
//
// # Rounds, invitations, responses
//
// A round asks one or more questionnaires in a scope (the whole city or
// chosen area codes) over a period; it is a draft, open (answers accepted)
// or closed. The coordinator invites an organisation (all its respondents,
// or one role), or creates a link for people without an account: a random
// token of which only the SHA-256 is stored, good for a number of answers
// until it expires (the pattern of accounts' activation links).
//
// A response stores numbers and choices in the clear (for aggregation)
// and its free-text answers sealed with the vault under "mapping/<id>",
// since respondents may name people. Each free-text answer waits for
// review; only the coordinator's accepted, de-identified version enters a
// report. A respondent who answers anonymously is shown to the
// coordinator alone: reports, lists and the audit log leave them out.
//
// # Results
//
// Aggregate counts answers per question and per respondent type
// (organisation kind and role, or the key actor a link was made for;
// anonymous respondents form a type of their own): counts per choice,
// sum, mean and median of numbers, and how many answered. The sums are
// kept while a round's responses are unchanged. Compare shows the change
// between two rounds of the same questionnaire only where both have at
// least MinAnswers answers.
package mapping

import (
	"context"
	"regexp"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

// DefaultMinAnswers is k when none is configured: a change between rounds
// is shown only where both rounds have at least this many answers.
const DefaultMinAnswers = 5

// Service is the local mapping.
type Service struct {
	db         *storage.DB
	vault      *vault.Vault
	audit      *audit.Log
	gate       audit.Gate
	now        func() time.Time
	minAnswers int
	areas      func(context.Context) ([]Area, error)
	// forms caches parsed questionnaires by id; a stored questionnaire
	// never changes.
	forms sync.Map
	// sums caches each round's added-up answers to a questionnaire by
	// round and questionnaire (see aggregate), placeCache the places of its
	// locations register (see places).
	sums, placeCache sync.Map
	// reports keeps the reports made, by round, language and what the
	// reader's role sees (see reportVersion).
	reports sync.Map
	// sumsAdded numbers the sums added up, for Aggregate.Version.
	sumsAdded atomic.Uint64
}

// Deps are what the service needs.
type Deps struct {
	DB    *storage.DB
	Vault *vault.Vault
	Audit *audit.Log
	// MinAnswers is k of the round comparison; 0 means DefaultMinAnswers.
	MinAnswers int
	// Areas lists the city's current areas (the geo package's); nil
	// means the city has none yet and rounds cover the whole city.
	Areas func(context.Context) ([]Area, error)
	// Now defaults to storage.Now; tests pass their own clock.
	Now func() time.Time
}

// New returns the service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, vault: d.Vault, audit: d.Audit, gate: audit.NewGate(d.DB, d.Audit), now: d.Now, minAnswers: d.MinAnswers, areas: d.Areas}
	if s.now == nil {
		s.now = storage.Now
	}
	if s.minAnswers <= 0 {
		s.minAnswers = DefaultMinAnswers
	}
	return s
}

// MinAnswers is k: the fewest answers both rounds need before a change is shown.
func (s *Service) MinAnswers() int { return s.minAnswers }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// record is the vault record a response's free text is sealed under.
func record(responseID string) string { return "mapping/" + responseID }

type fields []apperr.FieldError

func (f *fields) bad(field, key string) { *f = append(*f, apperr.FieldError{Field: field, Key: key}) }

func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	return apperr.Validation(f...)
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

var code = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// log appends the audit entry of a change inside its transaction. Details
// are codes and counts, never free text.
func (s *Service) log(ctx context.Context, tx *storage.Tx, actor access.Actor, action, subject, id, detail string) error {
	_, err := s.audit.Append(ctx, tx, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: "mapping." + action,
		Outcome: audit.Done, SubjectType: subject, SubjectID: id, SubjectOrgID: actor.OrgID, Detail: detail})
	return err
}
