// Package businesses keeps the businesses and sector associations the
// partnership engages (issue 13 item 6) and what they committed to: a code
// of ethics signed, staff trained to recognise the signs, audits of their
// suppliers, the hotline's posters at the workplace and so on, each with
// the date it was made and the date it is next followed up, which is
// mailed to the keepers when it comes (SendReminders, run by the jobs
// runner). The Danube guidelines ask municipalities to prevent
// exploitation through businesses (§3.4) and to encourage codes of ethics
// (p. xii) — /work/shared/seeds/.
//
// A business is a legal person: its name and sector are kept in the clear.
// The partner organisation that keeps in touch with it is named; no
// person. The coordinator and the procurement officer keep the records
// (access.ManageBusinesses).
package businesses

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/storage"
)

// Service is the businesses engaged and their commitments.
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
	// Now defaults to storage.Now; Zone, where "today" is, to time.Local.
	Now  func() time.Time
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

// Kinds of record: a single business or an association of a sector.
const (
	Business    = "business"
	Association = "association"
)

// Kinds lists the kinds of record.
func Kinds() []string { return []string{Business, Association} }

// commitmentKinds are what a business can commit to, in display order.
var commitmentKinds = []string{"code_of_ethics", "staff_training", "supplier_audits", "hotline_posters", "no_recruitment_fees",
	"report_concerns", "other"}

// CommitmentKinds lists the kinds of commitment in display order.
func CommitmentKinds() []string { return slices.Clone(commitmentKinds) }

// The mapping's sectors (labour exploitation questionnaire).
const (
	sectorSlug = "labour_exploitation"
	sectorList = "sector"
)

// SectorKnown reports whether code is a sector of the mapping's list.
func SectorKnown(code string) bool { return mapping.HasChoice(sectorSlug, sectorList, code) }

// RemindDays is how many days before a follow-up date it is due.
const RemindDays = 7

// Limits.
const (
	maxName = 200
	maxNote = 1000
)

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func (s *Service) today() string { return s.now().In(s.zone).Format(time.DateOnly) }

// Today is the local date follow-ups are compared with.
func (s *Service) Today() string { return s.today() }

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// date reads a YYYY-MM-DD date.
func date(v string) (string, bool) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		return "", false
	}
	return d.Format(time.DateOnly), true
}

// Record is a business or association.
type Record struct {
	ID             string
	Name           string
	Sector         string
	Kind           string
	ContactOrgID   string
	ContactOrgName string
	// Commitments are filled by Get; Open counts those with a follow-up
	// date.
	Commitments []Commitment
	Open        int
}

// Commitment is what a business committed to.
type Commitment struct {
	ID           string
	BusinessID   string
	BusinessName string
	Kind         string
	MadeOn       string
	Note         string
	// FollowUpOn is the next follow-up, "" when none is planned;
	// FollowedOn the last one recorded.
	FollowUpOn string
	FollowedOn string
}

// Due reports whether a commitment's follow-up is within RemindDays of
// today or past.
func (c Commitment) Due(today string) bool {
	if c.FollowUpOn == "" {
		return false
	}
	d, err := time.Parse(time.DateOnly, c.FollowUpOn)
	return err == nil && d.AddDate(0, 0, -RemindDays).Format(time.DateOnly) <= today
}

// Overdue reports whether a commitment's follow-up date has passed.
func (c Commitment) Overdue(today string) bool { return c.FollowUpOn != "" && c.FollowUpOn < today }

// Input is the business form.
type Input struct {
	Name         string
	Sector       string
	Kind         string
	ContactOrgID string
}

// Create records a business or association.
func (s *Service) Create(ctx context.Context, actor access.Actor, in Input) (Record, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageBusinesses, "business", ""); err != nil {
		return Record{}, err
	}
	in.Name, in.Sector, in.Kind, in.ContactOrgID = strings.TrimSpace(in.Name), strings.TrimSpace(in.Sector), strings.TrimSpace(in.Kind), strings.TrimSpace(in.ContactOrgID)
	var fe apperr.Fields
	if in.Name == "" || tooLong(in.Name, maxName) {
		fe.Add("name", "businesses.error.name")
	}
	if !SectorKnown(in.Sector) {
		fe.Add("sector", "businesses.error.sector")
	}
	if !slices.Contains(Kinds(), in.Kind) {
		fe.Add("kind", "businesses.error.kind")
	}
	if err := fe.Err(); err != nil {
		return Record{}, err
	}
	var out Record
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if in.ContactOrgID != "" {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM organisations WHERE id = $1 AND disabled_at IS NULL`, in.ContactOrgID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Validation(apperr.FieldError{Field: "contact_org", Key: "businesses.error.contact_org"})
			}
			if err != nil {
				return fmt.Errorf("check contact organisation: %w", err)
			}
		}
		id := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO businesses (id, name, sector, kind, contact_org_id, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, in.Name, in.Sector, in.Kind, storage.NullString(in.ContactOrgID), actor.UserID, s.now()); err != nil {
			return fmt.Errorf("insert business: %w", err)
		}
		if err := s.gate.Record(ctx, tx, actor, "businesses.create", "business", id, "", in.Kind); err != nil {
			return err
		}
		var err error
		out, err = get(ctx, tx, id)
		return err
	})
	return out, err
}

const recordColumns = `b.id, b.name, b.sector, b.kind, COALESCE(b.contact_org_id, ''), COALESCE(o.name, ''),
	(SELECT COUNT(*) FROM business_commitments c WHERE c.business_id = b.id AND c.follow_up_on <> '')`

const recordFrom = ` FROM businesses b LEFT JOIN organisations o ON o.id = b.contact_org_id`

func scanRecord(r interface{ Scan(...any) error }) (Record, error) {
	var out Record
	err := r.Scan(&out.ID, &out.Name, &out.Sector, &out.Kind, &out.ContactOrgID, &out.ContactOrgName, &out.Open)
	return out, err
}

func get(ctx context.Context, tx *storage.Tx, id string) (Record, error) {
	out, err := scanRecord(tx.QueryRowContext(ctx, `SELECT `+recordColumns+recordFrom+` WHERE b.id = $1`, id))
	if err != nil {
		return Record{}, fmt.Errorf("load business %s: %w", id, storage.MapError(err))
	}
	out.Commitments, err = commitments(ctx, tx, `c.business_id = $1 ORDER BY c.made_on, c.id`, id)
	return out, err
}

// Get is a business with its commitments.
func (s *Service) Get(ctx context.Context, actor access.Actor, id string) (Record, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageBusinesses, "business", id); err != nil {
		return Record{}, err
	}
	var out Record
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = get(ctx, tx, id)
		return err
	})
	return out, err
}

// Overview is every business by name and the commitments whose follow-up
// is due.
type Overview struct {
	Records []Record
	Due     []Commitment
	Today   string
}

// List is the overview.
func (s *Service) List(ctx context.Context, actor access.Actor) (Overview, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageBusinesses, "business", ""); err != nil {
		return Overview{}, err
	}
	out := Overview{Today: s.today()}
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+recordColumns+recordFrom+` ORDER BY b.name, b.id LIMIT 1000`)
		if err != nil {
			return fmt.Errorf("list businesses: %w", err)
		}
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan business: %w", err)
			}
			out.Records = append(out.Records, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list businesses: %w", err)
		}
		out.Due, err = dueCommitments(ctx, tx, out.Today)
		return err
	})
	return out, err
}

// dueCommitments are the commitments whose follow-up is due, nearest first.
func dueCommitments(ctx context.Context, tx *storage.Tx, today string) ([]Commitment, error) {
	all, err := commitments(ctx, tx, `c.follow_up_on <> '' ORDER BY c.follow_up_on, c.id LIMIT 1000`)
	if err != nil {
		return nil, err
	}
	var out []Commitment
	for _, c := range all {
		if c.Due(today) {
			out = append(out, c)
		}
	}
	return out, nil
}
