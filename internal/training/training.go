// Package training keeps the partnership's training of the people who can
// identify victims: needs by organisation and role (from a mapping round or
// entered), sessions with audience, topic, trainer, materials and
// languages, attendance as numbers per organisation and role, the named
// contact points a session trained, and the coverage of the identifying
// actors.
//
// The Danube guidelines (§3.1, §3.4) and the round-table synopsis on
// capacity building name who must recognise the signs: police, labour and
// other inspectors, health and social services, schools, employment
// services, interpreters, procurement officials, taxi and hotel staff
// (/work/shared/seeds/). Those actor groups are this package's own codes;
// organisation kinds map onto them by their code strings, so kinds added
// elsewhere need no change here beyond a line in kindGroups. A trained
// contact point's name is sealed under "training/contacts/<id>" and shown
// only to the coordinator and to users of the contact's own organisation;
// the analyst sees counts.
package training

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/google/uuid"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

// Service is training needs, sessions and coverage.
type Service struct {
	db    *storage.DB
	vault *vault.Vault
	gate  audit.Gate
	now   func() time.Time
	// zone is where sessions happen: start times are entered in local time.
	zone *time.Location
}

// Deps are what the training service needs.
type Deps struct {
	DB    *storage.DB
	Vault *vault.Vault
	Audit *audit.Log
	// Now defaults to storage.Now; tests pass a fixed clock.
	Now func() time.Time
}

// New returns the training service; times are entered and shown in the
// installation's local time.
func New(d Deps) *Service {
	s := &Service{db: d.DB, vault: d.Vault, gate: audit.NewGate(d.DB, d.Audit), now: d.Now, zone: time.Local}
	if s.now == nil {
		s.now = storage.Now
	}
	return s
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// groups are the identifying actors the seeds list, in display order, and
// everyone else.
var groups = []string{"police", "inspectors", "health", "social_services", "schools", "employment_services",
	"interpreters", "procurement", "taxi", "hotels", "other"}

// Groups lists the actor groups in display order.
func Groups() []string { return slices.Clone(groups) }

// kindGroups maps organisation kinds (accounts.OrgKind codes, some added
// with the partners capability) onto actor groups; other kinds are "other".
var kindGroups = map[string]string{
	"police":              "police",
	"labour_inspectorate": "inspectors",
	"fire_inspectorate":   "inspectors",
	"tax_inspectorate":    "inspectors",
	"health_inspectorate": "inspectors",
	"health_service":      "health",
	"social_services":     "social_services",
	"child_protection":    "social_services",
	"school":              "schools",
	"employment_service":  "employment_services",
}

// GroupOfKind is the actor group of an organisation kind.
func GroupOfKind(kind string) string {
	if g, ok := kindGroups[kind]; ok {
		return g
	}
	return "other"
}

var priorities = []string{"high", "medium", "low"}

// Priorities lists the priorities of a need, highest first.
func Priorities() []string { return slices.Clone(priorities) }

// Where a need came from.
const (
	FromMapping = "mapping_round"
	Entered     = "entered"
)

// Limits.
const (
	maxText      = 300
	maxRole      = 100
	maxMaterials = 20
	maxURL       = 1000
	// MaxAttended is the most people one attendance row counts.
	MaxAttended = 10000
	maxRows     = 100
)

// LocalMinute is how a session's start is entered: local date and time to
// the minute, as a datetime-local input sends it.
const LocalMinute = "2006-01-02T15:04"

var languageCode = regexp.MustCompile(`^[a-z]{2,3}$`)

func contactRecord(id string) string { return "training/contacts/" + id }

// fields collects a form's field errors.
type fields = apperr.Fields

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// codes trims, lower-cases and de-duplicates codes; a comma-separated
// value counts as several.
func codes(in []string) []string {
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

// orgKind returns the kind of an active organisation, or "" when there is
// none with that id.
func orgKind(ctx context.Context, tx *storage.Tx, orgID string) (string, error) {
	var kind string
	err := tx.QueryRowContext(ctx, `SELECT kind FROM organisations WHERE id = $1 AND disabled_at IS NULL`, orgID).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("load organisation %s: %w", orgID, err)
	}
	return kind, nil
}

// readable authorizes a read: the coordinator (training.manage) or anyone
// with the municipal overview.
func (s *Service) readable(ctx context.Context, actor access.Actor, subject, id string) error {
	if access.Can(actor, access.ManageTraining) {
		return nil
	}
	_, err := s.gate.Authorize(ctx, actor, access.ViewMunicipal, subject, id)
	return err
}

// namesFor reports whether actor reads the names of orgID's trained
// contact points: the coordinator all, others their own organisation's,
// the analyst none.
func namesFor(actor access.Actor, orgID string) bool {
	return access.Can(actor, access.ManageTraining) || (actor.Role.SeesPersonalData() && actor.OrgID == orgID)
}

// openName decrypts a contact point's name; a forgotten key reads as "".
func (s *Service) openName(ctx context.Context, tx *storage.Tx, id string, sealed []byte) (string, error) {
	b, err := s.vault.Open(ctx, tx, contactRecord(id), "name", sealed)
	if err != nil && !errors.Is(err, vault.ErrErased) {
		return "", fmt.Errorf("open name of contact point %s: %w", id, err)
	}
	return string(b), nil
}
