package interpreters

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Booking statuses.
const (
	Booked    = "booked"
	Cancelled = "cancelled"
)

// Booking is an interpreter booked for a case.
type Booking struct {
	ID            string
	InterpreterID string
	CaseID        string
	CaseCode      string
	// OrgID and OrgName are the organisation that booked.
	OrgID   string
	OrgName string
	// Kind is a BookingKinds code; RefID the conference or criminal
	// proceeding it is for ("" for a screening).
	Kind     string
	RefID    string
	Language string
	Start    time.Time
	End      time.Time
	Status   string
}

// BookingInput is the booking form. A zero Start is a time the form could
// not read; Minutes is the length.
type BookingInput struct {
	InterpreterID string
	Kind          string
	RefID         string
	Language      string
	Start         time.Time
	Minutes       int
}

// Ref is a conference or hearing of a case an interpreter may be booked
// for, named by its kind and day.
type Ref struct {
	Kind string
	ID   string
	Day  time.Time
}

// CaseBookings is the interpreter tab of a case.
type CaseBookings struct {
	Access   cases.Access
	Bookings []Booking
	// Refs are the case's coming conferences and hearings.
	Refs []Ref
}

const bookingColumns = `b.id, b.interpreter_id, b.case_id, c.code, b.org_id, o.name, b.kind, b.ref_id, b.language, b.starts_at, b.ends_at, b.status`

const bookingFrom = ` FROM interpreter_bookings b JOIN cases c ON c.id = b.case_id JOIN organisations o ON o.id = b.org_id`

// loadBookings lists bookings matching where (arguments $1, $2), by time.
func loadBookings(ctx context.Context, tx *storage.Tx, where string, args ...any) ([]Booking, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+bookingColumns+bookingFrom+` WHERE `+where+` ORDER BY b.starts_at, b.id LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("load bookings: %w", err)
	}
	defer rows.Close()
	var out []Booking
	for rows.Next() {
		var b Booking
		if err := rows.Scan(&b.ID, &b.InterpreterID, &b.CaseID, &b.CaseCode, &b.OrgID, &b.OrgName, &b.Kind, &b.RefID, &b.Language,
			&b.Start, &b.End, &b.Status); err != nil {
			return nil, fmt.Errorf("scan booking: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// ForCase reads the bookings of a case and the conferences and hearings
// it may book for; the gate audits the read.
func (s *Service) ForCase(ctx context.Context, actor access.Actor, caseID string) (CaseBookings, error) {
	var out CaseBookings
	err := s.cases.View(ctx, actor, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		out.Access = a
		var err error
		if out.Bookings, err = loadBookings(ctx, tx, `b.case_id = $1`, caseID); err != nil {
			return err
		}
		out.Refs, err = s.refs(ctx, tx, caseID)
		return err
	})
	return out, err
}

// refs lists the case's conferences and hearings still ahead, from their
// deadlines.
func (s *Service) refs(ctx context.Context, tx *storage.Tx, caseID string) ([]Ref, error) {
	ds, err := s.cases.DeadlinesOf(ctx, tx, caseID, refKinds["conference"], refKinds["hearing"])
	if err != nil {
		return nil, err
	}
	var out []Ref
	for _, d := range ds {
		for kind, dk := range refKinds {
			if d.Kind == dk {
				out = append(out, Ref{Kind: kind, ID: d.RefID, Day: d.Due})
			}
		}
	}
	return out, nil
}

// Book books an interpreter for a case. It refuses an interpreter who is
// not active, does not have the language, or is booked at an overlapping
// time already, and a conference or hearing that is not one of the case's.
func (s *Service) Book(ctx context.Context, actor access.Actor, caseID string, in BookingInput) (Booking, error) {
	in.InterpreterID, in.Kind, in.RefID = strings.TrimSpace(in.InterpreterID), strings.TrimSpace(in.Kind), strings.TrimSpace(in.RefID)
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	var fe fields
	if in.InterpreterID == "" {
		fe.Add("interpreter", "interpreters.error.unknown")
	}
	if !slices.Contains(bookingKinds, in.Kind) {
		fe.Add("kind", "interpreters.error.booking_kind")
	} else if in.Kind == "screening" {
		in.RefID = ""
	} else if in.RefID == "" {
		fe.Add("ref", "interpreters.error.ref")
	}
	if !languageCode.MatchString(in.Language) {
		fe.Add("language", "interpreters.error.languages")
	}
	switch {
	case in.Start.IsZero():
		fe.Add("start", "interpreters.error.start")
	case in.Start.Before(s.cases.Now()):
		fe.Add("start", "interpreters.error.start_past")
	}
	if in.Minutes < 15 || in.Minutes > MaxMinutes {
		fe.Add("minutes", "interpreters.error.minutes")
	}
	if err := fe.Err(); err != nil {
		return Booking{}, err
	}
	start := in.Start.UTC().Truncate(time.Minute)
	end := start.Add(time.Duration(in.Minutes) * time.Minute)
	var out Booking
	err := s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		// Locking the entry makes a concurrent booking of the same
		// interpreter wait and then see this one (PostgreSQL); SQLite has
		// one writer.
		it, err := get(ctx, tx, in.InterpreterID, true)
		if apperr.Is(err, apperr.NotFound) || (err == nil && !it.Active) {
			return apperr.Validation(apperr.FieldError{Field: "interpreter", Key: "interpreters.error.unknown"})
		}
		if err != nil {
			return err
		}
		if !it.Speaks(in.Language) {
			return apperr.Validation(apperr.FieldError{Field: "language", Key: "interpreters.error.language_not_spoken"})
		}
		if in.RefID != "" {
			refs, err := s.refs(ctx, tx, caseID)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(refs, func(r Ref) bool { return r.Kind == in.Kind && r.ID == in.RefID }) {
				return apperr.Validation(apperr.FieldError{Field: "ref", Key: "interpreters.error.ref"})
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM interpreter_bookings
			WHERE interpreter_id = $1 AND status = 'booked' AND starts_at < $2 AND ends_at > $3`, it.ID, end, start).Scan(&n); err != nil {
			return fmt.Errorf("check bookings of interpreter %s: %w", it.ID, err)
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "interpreters.error.double_booked")
		}
		id := cases.NewID()
		_, err = tx.ExecContext(ctx, `INSERT INTO interpreter_bookings (id, interpreter_id, case_id, org_id, kind, ref_id, language,
				starts_at, ends_at, status, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			id, it.ID, caseID, a.Case.OrgID, in.Kind, in.RefID, in.Language, start, end, Booked, actor.UserID, s.cases.Now())
		if err != nil {
			return fmt.Errorf("insert booking on case %s: %w", caseID, storage.MapError(err))
		}
		if err := s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "interpreter_booked", Category: cases.Assistance,
			RefID: id, Detail: in.Kind + ":" + in.Language}); err != nil {
			return err
		}
		list, err := loadBookings(ctx, tx, `b.id = $1`, id)
		if err != nil || len(list) == 0 {
			return fmt.Errorf("reload booking %s: %w", id, err)
		}
		out = list[0]
		return nil
	})
	return out, err
}

// Cancel cancels a booking of a case, which frees the interpreter's time.
func (s *Service) Cancel(ctx context.Context, actor access.Actor, caseID, bookingID string) error {
	return s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		res, err := tx.ExecContext(ctx, `UPDATE interpreter_bookings SET status = $1, cancelled_by = $2, cancelled_at = $3
			WHERE id = $4 AND case_id = $5 AND status = $6`, Cancelled, actor.UserID, s.cases.Now(), bookingID, caseID, Booked)
		if err != nil {
			return fmt.Errorf("cancel booking %s: %w", bookingID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("cancel booking %s: %w", bookingID, err)
		} else if n == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "interpreter_cancelled", Category: cases.Assistance, RefID: bookingID})
	})
}
