// Package interpreters is the partnership's register of interpreters and
// cultural mediators and their bookings for a case: a screening interview,
// a case conference or a hearing.
//
// Interpretation is part of assistance throughout, for a child by trained
// interpreters, and cultural mediators help communication (Danube
// guidelines, types of assistance; OSCE Alliance position paper —
// /work/shared/seeds/). An interpreter's name and contact are their
// personal data: sealed under "interpreters/<id>", shown only to users of
// organisations that hold cases, the contact after a step-up and audited.
// Bookings are case records and go through the case gate (category
// assistance). A conference or hearing is named by the id of its deadline
// on the case (cases.DeadlinesOf), so this package reads neither the crisis
// unit's tables nor legal status.
package interpreters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

// Service is the interpreter register and its bookings.
type Service struct {
	cases *cases.Service
}

// New returns the interpreter service.
func New(c *cases.Service) *Service { return &Service{cases: c} }

// kinds of register entry.
var kinds = []string{"interpreter", "mediator", "both"}

// Kinds lists the kinds of entry: interpreter, cultural mediator or both.
func Kinds() []string { return slices.Clone(kinds) }

// Booking kinds and the deadline kind of the case record they are for;
// a screening interview has no record before it is held.
var bookingKinds = []string{"screening", "conference", "hearing"}

var refKinds = map[string]string{"conference": "conference", "hearing": "proceeding_date"}

// BookingKinds lists what an interpreter may be booked for.
func BookingKinds() []string { return slices.Clone(bookingKinds) }

// Limits.
const (
	maxName         = 200
	maxContact      = 500
	maxAvailability = 1000
	// MaxMinutes is the longest booking.
	MaxMinutes = 600
)

var languageCode = regexp.MustCompile(`^[a-z]{2,3}$`)

func record(id string) string { return "interpreters/" + id }

// Interpreter is an entry of the register.
type Interpreter struct {
	ID string
	// Name is "" when the reader's organisation does not hold cases.
	Name string
	// Contact is filled only by Contact.
	Contact            string
	Languages          []string
	Kind               string
	TraffickingTrained bool
	ChildTrained       bool
	// ConfidentialityOn is the YYYY-MM-DD the confidentiality agreement
	// was signed, "" when none is on file.
	ConfidentialityOn string
	Availability      string
	OrgID             string
	OrgName           string
	Active            bool
	UpdatedAt         time.Time
}

// Speaks reports whether the interpreter has a language.
func (i Interpreter) Speaks(lang string) bool { return slices.Contains(i.Languages, lang) }

// Input is the register form. An empty Contact on a change keeps the one
// on file: it is never shown in the form.
type Input struct {
	Name               string
	Contact            string
	Languages          []string
	Kind               string
	TraffickingTrained bool
	ChildTrained       bool
	ConfidentialityOn  string
	Availability       string
	OrgID              string
	Active             bool
}

// Filter narrows the register.
type Filter struct {
	Language string
	// All includes entries that are no longer active.
	All bool
}

// fields collects a form's field errors.
type fields = apperr.Fields

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// cleanCodes trims, lower-cases and de-duplicates codes; a comma-separated
// value counts as several.
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

func (in *Input) check(today time.Time, creating bool) fields {
	var fe fields
	in.Name, in.Contact = strings.TrimSpace(in.Name), strings.TrimSpace(in.Contact)
	in.Kind, in.ConfidentialityOn = strings.TrimSpace(in.Kind), strings.TrimSpace(in.ConfidentialityOn)
	in.Availability, in.OrgID = strings.TrimSpace(in.Availability), strings.TrimSpace(in.OrgID)
	in.Languages = cleanCodes(in.Languages)
	if in.Name == "" || tooLong(in.Name, maxName) {
		fe.Add("name", "interpreters.error.name")
	}
	if (creating && in.Contact == "") || tooLong(in.Contact, maxContact) {
		fe.Add("contact", "interpreters.error.contact")
	}
	if len(in.Languages) == 0 || len(in.Languages) > 30 || slices.ContainsFunc(in.Languages, func(l string) bool { return !languageCode.MatchString(l) }) {
		fe.Add("languages", "interpreters.error.languages")
	}
	if !slices.Contains(kinds, in.Kind) {
		fe.Add("kind", "interpreters.error.kind")
	}
	if in.ConfidentialityOn != "" {
		on, err := time.Parse(time.DateOnly, in.ConfidentialityOn)
		switch {
		case err != nil:
			fe.Add("confidentiality_on", "interpreters.error.date")
		case on.Format(time.DateOnly) > today.Format(time.DateOnly):
			fe.Add("confidentiality_on", "interpreters.error.date_future")
		}
	}
	if tooLong(in.Availability, maxAvailability) {
		fe.Add("availability", "interpreters.error.too_long")
	}
	return fe
}

// holdsCases reports whether the actor's organisation holds cases, which
// is what lets its users see interpreters' names and contacts.
func holdsCases(ctx context.Context, tx *storage.Tx, actor access.Actor) (bool, error) {
	return cases.HoldsCases(ctx, tx, actor.OrgID)
}

const columns = `i.id, i.name, i.languages, i.kind, i.trafficking_trained, i.child_trained, i.confidentiality_on, i.availability,
	COALESCE(i.org_id, ''), COALESCE(o.name, ''), i.active, i.updated_at`

const from = ` FROM interpreters i LEFT JOIN organisations o ON o.id = i.org_id`

// row is an entry as stored, its name still sealed.
type row struct {
	Interpreter
	name []byte
}

func scan(r interface{ Scan(...any) error }) (row, error) {
	var out row
	var langs string
	var traf, child, active int
	err := r.Scan(&out.ID, &out.name, &langs, &out.Kind, &traf, &child, &out.ConfidentialityOn, &out.Availability,
		&out.OrgID, &out.OrgName, &active, &out.UpdatedAt)
	if err != nil {
		return row{}, err
	}
	out.TraffickingTrained, out.ChildTrained, out.Active = traf != 0, child != 0, active != 0
	if err := json.Unmarshal([]byte(langs), &out.Languages); err != nil {
		return row{}, fmt.Errorf("decode interpreter %s: %w", out.ID, err)
	}
	return out, nil
}

// reveal decrypts the names of rows when named, after their rows closed.
func (s *Service) reveal(ctx context.Context, tx *storage.Tx, rows []row, named bool) ([]Interpreter, error) {
	out := make([]Interpreter, 0, len(rows))
	for _, r := range rows {
		if named {
			b, err := s.cases.Vault().Open(ctx, tx, record(r.ID), "name", r.name)
			if err != nil && !errors.Is(err, vault.ErrErased) {
				return nil, fmt.Errorf("open name of interpreter %s: %w", r.ID, err)
			}
			r.Interpreter.Name = string(b)
		}
		out = append(out, r.Interpreter)
	}
	return out, nil
}

func get(ctx context.Context, tx *storage.Tx, id string, lock bool) (row, error) {
	q := `SELECT ` + columns + from + ` WHERE i.id = $1`
	if lock && tx.Engine == storage.Postgres {
		q += " FOR UPDATE OF i"
	}
	r, err := scan(tx.QueryRowContext(ctx, q, id))
	if err != nil {
		return row{}, fmt.Errorf("load interpreter %s: %w", id, storage.MapError(err))
	}
	return r, nil
}

// entry loads entry id, its name decrypted when named.
func (s *Service) entry(ctx context.Context, tx *storage.Tx, id string, named bool) (Interpreter, error) {
	r, err := get(ctx, tx, id, false)
	if err != nil {
		return Interpreter{}, err
	}
	list, err := s.reveal(ctx, tx, []row{r}, named)
	if err != nil {
		return Interpreter{}, err
	}
	return list[0], nil
}

// List returns the register, active entries unless f.All, filtered by a
// language. Names are shown only to organisations that hold cases.
func (s *Service) List(ctx context.Context, actor access.Actor, f Filter) ([]Interpreter, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewInterpreters, "interpreter", ""); err != nil {
		return nil, err
	}
	f.Language = strings.ToLower(strings.TrimSpace(f.Language))
	if f.Language != "" && !languageCode.MatchString(f.Language) {
		return nil, apperr.Validation(apperr.FieldError{Field: "language", Key: "interpreters.error.languages"})
	}
	var out []Interpreter
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		named, err := holdsCases(ctx, tx, actor)
		if err != nil {
			return err
		}
		// The code is checked above, so LIKE cannot match part of another.
		rows, err := tx.QueryContext(ctx, `SELECT `+columns+from+`
			WHERE ($1 = '' OR i.languages LIKE '%"' || $1 || '"%') AND ($2 = 1 OR i.active = 1)
			ORDER BY i.created_at, i.id LIMIT 1000`, f.Language, storage.Flag(f.All))
		if err != nil {
			return fmt.Errorf("list interpreters: %w", err)
		}
		var list []row
		for rows.Next() {
			r, err := scan(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan interpreter: %w", err)
			}
			list = append(list, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list interpreters: %w", err)
		}
		out, err = s.reveal(ctx, tx, list, named)
		if named {
			slices.SortStableFunc(out, func(a, b Interpreter) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
		}
		return err
	})
	return out, err
}

// Entry is one entry of the register with its bookings from today on.
type Entry struct {
	Interpreter
	Bookings []Booking
}

// Get returns an entry with its coming bookings; a booking names its case
// only to the organisation that booked.
func (s *Service) Get(ctx context.Context, actor access.Actor, id string) (Entry, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewInterpreters, "interpreter", id); err != nil {
		return Entry{}, err
	}
	var e Entry
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		named, err := holdsCases(ctx, tx, actor)
		if err != nil {
			return err
		}
		if e.Interpreter, err = s.entry(ctx, tx, id, named); err != nil {
			return err
		}
		e.Bookings, err = loadBookings(ctx, tx, `b.interpreter_id = $1 AND b.status = 'booked' AND b.ends_at >= $2`, id, s.cases.Now())
		for i := range e.Bookings {
			if e.Bookings[i].OrgID != actor.OrgID {
				e.Bookings[i].CaseID, e.Bookings[i].CaseCode = "", ""
			}
		}
		return err
	})
	return e, err
}

// Contact reveals an interpreter's name and contact to a user of an
// organisation that holds cases, after a recent step-up, with an audit
// entry in the same transaction.
func (s *Service) Contact(ctx context.Context, actor access.Actor, id string) (Interpreter, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewInterpreters, "interpreter", id); err != nil {
		return Interpreter{}, err
	}
	if !actor.SteppedUp {
		return Interpreter{}, apperr.New(apperr.StepUp, "error.step_up")
	}
	var out Interpreter
	err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		holds, err := holdsCases(ctx, tx, actor)
		if err != nil {
			return err
		}
		if !holds {
			return apperr.New(apperr.Forbidden, "interpreters.error.not_case_holder")
		}
		if out, err = s.entry(ctx, tx, id, true); err != nil {
			return err
		}
		var contact []byte
		if err := tx.QueryRowContext(ctx, `SELECT contact FROM interpreters WHERE id = $1`, id).Scan(&contact); err != nil {
			return fmt.Errorf("load contact of interpreter %s: %w", id, err)
		}
		b, err := s.cases.Vault().Open(ctx, tx, record(id), "contact", contact)
		if err != nil && !errors.Is(err, vault.ErrErased) {
			return fmt.Errorf("open contact of interpreter %s: %w", id, err)
		}
		out.Contact = string(b)
		return s.cases.Audit(ctx, tx, actor, "interpreter.contact", "interpreter", id, "", "")
	})
	return out, err
}

// Create adds an entry to the register.
func (s *Service) Create(ctx context.Context, actor access.Actor, in Input) (Interpreter, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ManageInterpreters, "interpreter", ""); err != nil {
		return Interpreter{}, err
	}
	fe := in.check(s.cases.Now(), true)
	var out Interpreter
	err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		if err := checkOrg(ctx, tx, &fe, in.OrgID, ""); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		id, now := cases.NewID(), s.cases.Now()
		name, contact, err := s.seal(ctx, tx, id, in)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO interpreters (id, name, contact, languages, kind, trafficking_trained, child_trained,
				confidentiality_on, availability, org_id, active, created_by, created_at, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12, $13)`,
			id, name, contact, jsonList(in.Languages), in.Kind, storage.Flag(in.TraffickingTrained), storage.Flag(in.ChildTrained),
			in.ConfidentialityOn, in.Availability, storage.NullString(in.OrgID), storage.Flag(in.Active), actor.UserID, now)
		if err != nil {
			return fmt.Errorf("insert interpreter: %w", storage.MapError(err))
		}
		if err := s.cases.Audit(ctx, tx, actor, "interpreter.create", "interpreter", id, in.OrgID, strings.Join(in.Languages, ",")); err != nil {
			return err
		}
		out, err = s.entry(ctx, tx, id, true)
		return err
	})
	return out, err
}

// Update changes an entry; an empty contact keeps the one on file.
func (s *Service) Update(ctx context.Context, actor access.Actor, id string, in Input) (Interpreter, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ManageInterpreters, "interpreter", id); err != nil {
		return Interpreter{}, err
	}
	fe := in.check(s.cases.Now(), false)
	var out Interpreter
	err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		cur, err := get(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := checkOrg(ctx, tx, &fe, in.OrgID, cur.OrgID); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		name, contact, err := s.seal(ctx, tx, id, in)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE interpreters SET name = $1, contact = COALESCE($2, contact), languages = $3, kind = $4,
				trafficking_trained = $5, child_trained = $6, confidentiality_on = $7, availability = $8, org_id = $9, active = $10,
				updated_by = $11, updated_at = $12 WHERE id = $13`,
			name, contact, jsonList(in.Languages), in.Kind, storage.Flag(in.TraffickingTrained), storage.Flag(in.ChildTrained),
			in.ConfidentialityOn, in.Availability, storage.NullString(in.OrgID), storage.Flag(in.Active), actor.UserID, s.cases.Now(), id)
		if err != nil {
			return fmt.Errorf("update interpreter %s: %w", id, storage.MapError(err))
		}
		if err := s.cases.Audit(ctx, tx, actor, "interpreter.update", "interpreter", id, in.OrgID, strings.Join(in.Languages, ",")); err != nil {
			return err
		}
		out, err = s.entry(ctx, tx, id, true)
		return err
	})
	return out, err
}

// seal encrypts the name and contact of an entry; an empty contact is nil.
func (s *Service) seal(ctx context.Context, tx *storage.Tx, id string, in Input) (name, contact []byte, err error) {
	if name, err = s.cases.Vault().Seal(ctx, tx, record(id), "name", []byte(in.Name)); err != nil {
		return nil, nil, fmt.Errorf("seal name of interpreter %s: %w", id, err)
	}
	if contact, err = s.cases.Vault().Seal(ctx, tx, record(id), "contact", []byte(in.Contact)); err != nil {
		return nil, nil, fmt.Errorf("seal contact of interpreter %s: %w", id, err)
	}
	return name, contact, nil
}

// checkOrg adds a field error unless orgID is "", the one already linked,
// or an active organisation.
func checkOrg(ctx context.Context, tx *storage.Tx, fe *fields, orgID, keep string) error {
	if orgID == "" || orgID == keep {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1 AND disabled_at IS NULL`, orgID).Scan(&n); err != nil {
		return fmt.Errorf("check organisation %s: %w", orgID, err)
	}
	if n == 0 {
		fe.Add("org", "interpreters.error.org_unknown")
	}
	return nil
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
