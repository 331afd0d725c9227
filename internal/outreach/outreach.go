// Package outreach records outreach sessions (issue 13 item 5): teams of
// the partnership's organisations, with cultural mediators from the
// interpreter register, going where the mapping found people at risk (an
// area of the city, a kind of place of the mapping's locations
// questionnaire, or both), and counting what they did — contacts made per
// group, materials handed out, referrals made. Outreach and drop-in work
// reach people who would not call a hotline (Danube guidelines §3.4; the
// OSCE paper on drop-in centres and cultural mediators — /work/shared/seeds/).
//
// Nothing here is about a person: contacts are numbers per group, the team
// is organisations with a number of staff, and a mediator is named only by
// the id of their register entry; the interpreters capability decides who
// reads the name. The coordinator records and reads every organisation's
// sessions, a case worker their own organisation's (access.RecordOutreach).
package outreach

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/storage"
)

// Service is the outreach sessions and their aggregates.
type Service struct {
	db    *storage.DB
	gate  audit.Gate
	areas func(context.Context) ([]geo.Area, error)
	now   func() time.Time
	zone  *time.Location
}

// Deps are what the service needs.
type Deps struct {
	DB    *storage.DB
	Audit *audit.Log
	// Areas are the city's current areas (geo.Service.Current).
	Areas func(context.Context) ([]geo.Area, error)
	// Now defaults to storage.Now; Zone, where "today" is, to time.Local.
	Now  func() time.Time
	Zone *time.Location
}

// New returns the service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, gate: audit.NewGate(d.DB, d.Audit), areas: d.Areas, now: d.Now, zone: d.Zone}
	if s.now == nil {
		s.now = storage.Now
	}
	if s.zone == nil {
		s.zone = time.Local
	}
	if s.areas == nil {
		s.areas = func(context.Context) ([]geo.Area, error) { return nil, nil }
	}
	return s
}

// groups are who contacts are counted for, in display order. A person is
// counted once, in the group that fits best.
var groups = []string{"women", "men", "young_people", "sex_work", "workers", "begging", "other"}

// Groups lists the contact groups in display order.
func Groups() []string { return slices.Clone(groups) }

// LocationTypes are the kinds of place of the mapping's locations
// questionnaire, the words the register uses.
const (
	locationsSlug = "locations"
	locationList  = "location_type"
)

// Periods an aggregate is added up by.
const (
	Month   = "month"
	Quarter = "quarter"
)

// Limits.
const (
	// MaxCount is the largest number one count takes.
	MaxCount = 100000
	maxTeam  = 20
	maxCode  = 40
)

var materialCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// today is the local date.
func (s *Service) today() string { return s.now().In(s.zone).Format(time.DateOnly) }

// count reads a typed number: "" is 0, anything else a whole number from
// 0 to MaxCount.
func count(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0 && n <= MaxCount
}

// PeriodOf is the period a date falls in: "2026-11" by month, "2026-Q4"
// by quarter.
func PeriodOf(date, per string) string {
	if len(date) < 7 {
		return date
	}
	if per != Quarter {
		return date[:7]
	}
	m, _ := strconv.Atoi(date[5:7])
	return fmt.Sprintf("%s-Q%d", date[:4], (m+2)/3)
}

// activeOrg reports whether orgID is an active organisation.
func activeOrg(ctx context.Context, tx *storage.Tx, orgID string) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM organisations WHERE id = $1 AND disabled_at IS NULL`, orgID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// mediator reports whether id is an active register entry working as a
// cultural mediator.
func mediator(ctx context.Context, tx *storage.Tx, id string) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM interpreters WHERE id = $1 AND active = 1 AND kind IN ('mediator', 'both')`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// LocationTypeKnown reports whether code is a kind of place of the
// mapping's register.
func LocationTypeKnown(code string) bool { return mapping.HasChoice(locationsSlug, locationList, code) }
