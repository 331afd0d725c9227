// Package workgroup is the partnership's standing working group: its
// members (organisations and named people), its meetings with agenda,
// minutes, decisions and action items, and the library of good practices
// it keeps.
//
// A standing multi-disciplinary group is how Vienna's human rights office
// coordinates administration, civil society and research (Danube
// round-table summary); the round-table synopsis on coordination
// structures asks for such groups to learn from other places' practice
// (/work/shared/seeds/). A named member's name is sealed under
// "workgroup/members/<id>", minutes under "workgroup/meetings/<id>": they
// may name people. The coordinator runs the group; a case worker or police
// contact reads the meetings held while their organisation was a member,
// a condition written into the SQL. Reading minutes is audited.
package workgroup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/google/uuid"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

// Service is the working group and its library of good practices.
type Service struct {
	db    *storage.DB
	vault *vault.Vault
	gate  audit.Gate
	now   func() time.Time
	audit *audit.Log
	// plan takes the action items that become measures of the action plan.
	plan *plan.Service
	// zone is where meetings happen: dates entered and held_on are local.
	zone *time.Location
}

// Deps are what the working-group service needs.
type Deps struct {
	DB    *storage.DB
	Vault *vault.Vault
	// Audit records every change, and reads refused as out of scope.
	Audit *audit.Log
	// Plans takes the action items that become measures of plans.
	Plans *plan.Service
	// Now defaults to storage.Now; tests pass a fixed clock.
	Now func() time.Time
}

// New returns the working-group service; times are entered and shown in
// the installation's local time.
func New(d Deps) *Service {
	s := &Service{db: d.DB, vault: d.Vault, gate: audit.NewGate(d.DB, d.Audit), now: d.Now, audit: d.Audit, plan: d.Plans, zone: time.Local}
	if s.now == nil {
		s.now = storage.Now
	}
	return s
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Limits.
const (
	maxName      = 200
	maxPlace     = 200
	maxAgenda    = 40
	maxItem      = 500
	maxMinutes   = 50000
	maxDecisions = 20000
	maxText      = 5000
	maxSource    = 1000
	maxTags      = 10
	maxTag       = 40
)

// LocalMinute is how a meeting's start is entered: local date and time to
// the minute, as a datetime-local input sends it.
const LocalMinute = "2006-01-02T15:04"

var statuses = []string{"open", "done", "dropped"}

// Statuses lists the states of an action item.
func Statuses() []string { return slices.Clone(statuses) }

var transfers = []string{"yes", "partly", "no", "unknown"}

// Transfers lists the answers to whether a practice would work here.
func Transfers() []string { return slices.Clone(transfers) }

func memberRecord(id string) string  { return "workgroup/members/" + id }
func meetingRecord(id string) string { return "workgroup/meetings/" + id }

// fields collects a form's field errors.
type fields = apperr.Fields

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// day checks a YYYY-MM-DD date within the years anyone plans for.
func day(s string) bool {
	t, err := time.Parse(time.DateOnly, s)
	return err == nil && t.Year() >= 2000 && t.Year() <= 2100
}

func (s *Service) today() string { return s.now().In(s.zone).Format(time.DateOnly) }

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// lines trims items, drops empty ones and splits multi-line items.
func lines(in []string) []string {
	out := []string{}
	for _, v := range in {
		for l := range strings.SplitSeq(v, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
	}
	return out
}

// checkOrg adds a field error unless orgID is an active organisation.
func checkOrg(ctx context.Context, tx *storage.Tx, fe *fields, field, orgID string) error {
	if orgID == "" {
		fe.Add(field, "workgroup.error.org_required")
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1 AND disabled_at IS NULL`, orgID).Scan(&n); err != nil {
		return fmt.Errorf("check organisation %s: %w", orgID, err)
	}
	if n == 0 {
		fe.Add(field, "workgroup.error.org_unknown")
	}
	return nil
}

// visible is the condition on a meeting mt that the scope bound as $1 may
// read it: every meeting for "*", otherwise one held while the
// organisation had a member row.
const visible = `($1 = '*' OR EXISTS (SELECT 1 FROM workgroup_members vm WHERE vm.org_id = $1
	AND vm.joined_on <= mt.held_on AND (vm.left_on = '' OR vm.left_on >= mt.held_on)))`

// member is the condition that the scope bound as $1 is every
// organisation or one that is a member of the group now.
const member = `($1 = '*' OR EXISTS (SELECT 1 FROM workgroup_members vm WHERE vm.org_id = $1 AND vm.left_on = ''))`

// isMember reports whether the scope's organisation is a member now (every
// organisation is, for "*").
func isMember(ctx context.Context, tx *storage.Tx, scope string) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT CASE WHEN `+member+` THEN 1 ELSE 0 END`, scope).Scan(&n); err != nil {
		return false, fmt.Errorf("check membership: %w", err)
	}
	return n == 1, nil
}

// outOfScope records a read of a record missing or out of the actor's
// scope, which look the same to the actor, as denied and returns err.
func (s *Service) outOfScope(ctx context.Context, actor access.Actor, subject, id string, err error) error {
	if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return s.audit.Refused(ctx, s.db, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID,
		Action: string(access.ViewWorkingGroup), SubjectType: subject, SubjectID: id}, err)
}

// readScope authorizes a read of the working group.
func (s *Service) readScope(ctx context.Context, actor access.Actor, subject, id string) (access.Scope, error) {
	return s.gate.Authorize(ctx, actor, access.ViewWorkingGroup, subject, id)
}

// open decrypts a sealed field; a forgotten key reads as "".
func (s *Service) open(ctx context.Context, tx *storage.Tx, record, field string, sealed []byte) (string, error) {
	b, err := s.vault.Open(ctx, tx, record, field, sealed)
	if err != nil && !errors.Is(err, vault.ErrErased) {
		return "", fmt.Errorf("open %s of %s: %w", field, record, err)
	}
	return string(b), nil
}
