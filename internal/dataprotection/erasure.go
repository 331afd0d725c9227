package dataprotection

import (
	"context"
	"fmt"
	"slices"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Erasure request statuses.
const (
	Pending    = "pending"
	CarriedOut = "carried_out"
	Refused    = "refused"
)

// ReasonErasure is the anonymisation reason of a carried-out erasure request.
const ReasonErasure = "erasure_request"

// AnswerDays is how long the organisation has to answer an erasure request:
// one month (GDPR art. 12(3)), kept as 30 days for the deadline.
const AnswerDays = 30

var (
	channels       = []string{"in_person", "phone", "letter", "email", "through_worker", "through_lawyer", "other"}
	refusalReasons = []string{"legal_obligation", "legal_claims", "other"}
	holdReasons    = []string{"criminal_proceedings_ongoing", "compensation_claim", "court_order", "legal_obligation"}
)

// Channels lists how an erasure request may reach the organisation.
func Channels() []string { return slices.Clone(channels) }

// RefusalReasons lists the grounds an erasure request may be refused on
// (GDPR art. 17(3)(b) a legal obligation, (e) legal claims).
func RefusalReasons() []string { return slices.Clone(refusalReasons) }

// HoldReasons lists why data may be held beyond retention.
func HoldReasons() []string { return slices.Clone(holdReasons) }

// ErasureRequest is one request of the person to erase their data.
type ErasureRequest struct {
	ID         string
	Number     int
	ReceivedOn string
	Channel    string
	Status     string
	Reason     string
	DecidedOn  string
	// Due is the last day to answer.
	Due string
}

// Hold is a legal hold on a case.
type Hold struct {
	ID     string
	Number int
	Reason string
	Until  string
	SetAt  time.Time
	Lifted bool
}

// Active reports whether the hold still keeps the case on day (YYYY-MM-DD).
func (h Hold) Active(day string) bool { return !h.Lifted && h.Until >= day }

// Overview is the data-protection page of a case.
type Overview struct {
	Access   cases.Access
	Requests []ErasureRequest
	Holds    []Hold
	// RetainUntil is the day retention anonymises the closed case (nil
	// while it is open); Held is true while a legal hold keeps it.
	RetainUntil *time.Time
	Held        bool
	Today       string
}

// Pending returns the request waiting for a decision, if any.
func (o Overview) Pending() *ErasureRequest {
	for i := range o.Requests {
		if o.Requests[i].Status == Pending {
			return &o.Requests[i]
		}
	}
	return nil
}

// Overview shows a case's erasure requests, legal holds and when retention
// will anonymise it. Only the owning organisation's staff allowed to handle
// data-protection requests see it; the read is audited.
func (s *Service) Overview(ctx context.Context, actor access.Actor, caseID string) (Overview, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ExportCase, "case", caseID); err != nil {
		return Overview{}, err
	}
	var out Overview
	err := s.cases.View(ctx, actor, caseID, cases.Profile, func(tx *storage.Tx, a cases.Access) error {
		if !a.Owner {
			return apperr.New(apperr.Forbidden, "error.case_not_owner")
		}
		var err error
		out, err = s.overview(ctx, tx, a)
		return err
	})
	return out, err
}

func (s *Service) overview(ctx context.Context, tx *storage.Tx, a cases.Access) (Overview, error) {
	out := Overview{Access: a, Today: s.today()}
	var err error
	if out.Requests, err = loadRequests(ctx, tx, a.Case.ID); err != nil {
		return Overview{}, err
	}
	if out.Holds, err = loadHolds(ctx, tx, a.Case.ID); err != nil {
		return Overview{}, err
	}
	for _, h := range out.Holds {
		out.Held = out.Held || h.Active(out.Today)
	}
	if a.Case.ClosedAt != nil && a.Case.AnonymisedAt == nil {
		t := a.Case.ClosedAt.Add(s.cfg.Retention)
		out.RetainUntil = &t
	}
	return out, nil
}

func loadRequests(ctx context.Context, tx *storage.Tx, caseID string) ([]ErasureRequest, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, number, received_on, channel, status, reason, decided_on
		FROM case_erasure_requests WHERE case_id = $1 ORDER BY number DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load erasure requests of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []ErasureRequest
	for rows.Next() {
		var r ErasureRequest
		if err := rows.Scan(&r.ID, &r.Number, &r.ReceivedOn, &r.Channel, &r.Status, &r.Reason, &r.DecidedOn); err != nil {
			return nil, fmt.Errorf("scan erasure request of case %s: %w", caseID, err)
		}
		if d, err := day(r.ReceivedOn); err == nil {
			r.Due = d.AddDate(0, 0, AnswerDays).Format(time.DateOnly)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func loadHolds(ctx context.Context, tx *storage.Tx, caseID string) ([]Hold, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, number, reason, until_on, set_at, lifted_at IS NOT NULL
		FROM case_legal_holds WHERE case_id = $1 ORDER BY number DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load legal holds of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []Hold
	for rows.Next() {
		var h Hold
		if err := rows.Scan(&h.ID, &h.Number, &h.Reason, &h.Until, &h.SetAt, &h.Lifted); err != nil {
			return nil, fmt.Errorf("scan legal hold of case %s: %w", caseID, err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// ErasureInput records a request the person made.
type ErasureInput struct {
	ReceivedOn string
	Channel    string
}

func (in ErasureInput) check(today string) []apperr.FieldError {
	var fe []apperr.FieldError
	if !slices.Contains(channels, in.Channel) {
		fe = append(fe, apperr.FieldError{Field: "channel", Key: "error.data.channel"})
	}
	if _, err := day(in.ReceivedOn); err != nil {
		fe = append(fe, apperr.FieldError{Field: "received_on", Key: "error.data.date"})
	} else if in.ReceivedOn > today {
		fe = append(fe, apperr.FieldError{Field: "received_on", Key: "error.data.date_future"})
	}
	return fe
}

// RequestErasure records that the person asked for their data to be
// erased, and registers the day the answer is due (one month later) as a
// deadline of the case. One request waits for its decision at a time.
func (s *Service) RequestErasure(ctx context.Context, actor access.Actor, caseID string, in ErasureInput) (ErasureRequest, error) {
	var out ErasureRequest
	err := s.cases.Change(ctx, actor, access.ExportCase, caseID, cases.Profile, func(tx *storage.Tx, a cases.Access) error {
		if fe := in.check(s.today()); len(fe) > 0 {
			return apperr.Validation(fe...)
		}
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_erasure_requests WHERE case_id = $1 AND status = 'pending'`,
			caseID).Scan(&pending); err != nil {
			return fmt.Errorf("check pending erasure requests of case %s: %w", caseID, err)
		}
		if pending > 0 {
			return apperr.New(apperr.Conflict, "error.data.erasure_pending")
		}
		n, err := nextNumber(ctx, tx, "case_erasure_requests", caseID)
		if err != nil {
			return err
		}
		received, _ := day(in.ReceivedOn)
		due := received.AddDate(0, 0, AnswerDays)
		out = ErasureRequest{ID: cases.NewID(), Number: n, ReceivedOn: in.ReceivedOn, Channel: in.Channel, Status: Pending,
			Due: due.Format(time.DateOnly)}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_erasure_requests (id, case_id, number, received_on, channel, status,
				recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)`,
			out.ID, caseID, n, in.ReceivedOn, in.Channel, actor.UserID, s.cases.Now()); err != nil {
			return fmt.Errorf("insert erasure request on case %s: %w", caseID, err)
		}
		if err := s.cases.SetDeadline(ctx, tx, a.Case, cases.Deadline{Kind: "erasure_request", RefID: out.ID, Due: due,
			RemindOn: due.AddDate(0, 0, -7)}); err != nil {
			return err
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "erasure_requested", Category: cases.Profile, RefID: out.ID, Detail: in.Channel})
	})
	return out, err
}

// Decision is the organisation's answer to an erasure request.
type Decision struct {
	// CarryOut erases (anonymises) the case; otherwise the request is
	// refused with Reason, and Informed confirms the person was told why
	// and that they may complain to the supervisory authority.
	CarryOut  bool
	Reason    string
	Informed  bool
	DecidedOn string
}

// DecideErasure answers erasure request number of a case. Carrying it out
// anonymises the case at once; an open case must be closed first (the
// assistance it records would otherwise go on without its data), and a
// case under a legal hold cannot be erased until the hold ends. A refusal
// names its ground.
func (s *Service) DecideErasure(ctx context.Context, actor access.Actor, caseID string, number int, d Decision) error {
	return s.cases.Change(ctx, actor, access.ExportCase, caseID, cases.Profile, func(tx *storage.Tx, a cases.Access) error {
		var r ErasureRequest
		err := tx.QueryRowContext(ctx, `SELECT id, received_on, status FROM case_erasure_requests WHERE case_id = $1 AND number = $2`,
			caseID, number).Scan(&r.ID, &r.ReceivedOn, &r.Status)
		if err != nil {
			return fmt.Errorf("load erasure request %d of case %s: %w", number, caseID, storage.MapError(err))
		}
		if r.Status != Pending {
			return apperr.New(apperr.Conflict, "error.data.erasure_decided")
		}
		var fe []apperr.FieldError
		if _, err := day(d.DecidedOn); err != nil {
			fe = append(fe, apperr.FieldError{Field: "decided_on", Key: "error.data.date"})
		} else if d.DecidedOn > s.today() {
			fe = append(fe, apperr.FieldError{Field: "decided_on", Key: "error.data.date_future"})
		} else if d.DecidedOn < r.ReceivedOn {
			fe = append(fe, apperr.FieldError{Field: "decided_on", Key: "error.data.decided_before_received"})
		}
		if !d.CarryOut {
			if !slices.Contains(refusalReasons, d.Reason) {
				fe = append(fe, apperr.FieldError{Field: "reason", Key: "error.data.refusal_reason"})
			}
			if !d.Informed {
				fe = append(fe, apperr.FieldError{Field: "informed", Key: "error.data.refusal_informed"})
			}
		}
		if len(fe) > 0 {
			return apperr.Validation(fe...)
		}
		if err := s.cases.ClearDeadline(ctx, tx, "erasure_request", r.ID); err != nil {
			return err
		}
		if !d.CarryOut {
			if _, err := tx.ExecContext(ctx, `UPDATE case_erasure_requests SET status = 'refused', reason = $1, decided_on = $2, decided_by = $3
				WHERE id = $4`, d.Reason, d.DecidedOn, actor.UserID, r.ID); err != nil {
				return fmt.Errorf("refuse erasure request %s: %w", r.ID, err)
			}
			return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "erasure_refused", Category: cases.Profile, RefID: r.ID, Detail: d.Reason})
		}
		if a.Case.Stage.Open() {
			return apperr.New(apperr.Conflict, "error.data.erasure_case_open")
		}
		holds, err := loadHolds(ctx, tx, caseID)
		if err != nil {
			return err
		}
		for _, h := range holds {
			if h.Active(s.today()) {
				return apperr.New(apperr.Conflict, "error.data.erasure_held")
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_erasure_requests SET status = 'carried_out', decided_on = $1, decided_by = $2
			WHERE id = $3`, d.DecidedOn, actor.UserID, r.ID); err != nil {
			return fmt.Errorf("carry out erasure request %s: %w", r.ID, err)
		}
		if err := s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "erasure_carried_out", Category: cases.Profile, RefID: r.ID}); err != nil {
			return err
		}
		return s.cases.Anonymise(ctx, tx, actor, a.Case, ReasonErasure)
	})
}

// HoldInput sets a legal hold.
type HoldInput struct {
	Reason string
	Until  string
}

// maxHoldYears bounds a hold: proceedings end, and a hold that never ends
// would keep the data for ever; it can be set again.
const maxHoldYears = 10

// SetHold keeps a case from retention until a day, for a legal reason.
func (s *Service) SetHold(ctx context.Context, actor access.Actor, caseID string, in HoldInput) (Hold, error) {
	var out Hold
	err := s.cases.Change(ctx, actor, access.ExportCase, caseID, cases.Profile, func(tx *storage.Tx, a cases.Access) error {
		var fe []apperr.FieldError
		if !slices.Contains(holdReasons, in.Reason) {
			fe = append(fe, apperr.FieldError{Field: "hold_reason", Key: "error.data.hold_reason"})
		}
		until, err := day(in.Until)
		switch {
		case err != nil:
			fe = append(fe, apperr.FieldError{Field: "until", Key: "error.data.date"})
		case in.Until <= s.today():
			fe = append(fe, apperr.FieldError{Field: "until", Key: "error.data.hold_past"})
		case until.After(s.cases.Now().AddDate(maxHoldYears, 0, 0)):
			fe = append(fe, apperr.FieldError{Field: "until", Key: "error.data.hold_too_long", Args: map[string]any{"years": maxHoldYears}})
		}
		if len(fe) > 0 {
			return apperr.Validation(fe...)
		}
		n, err := nextNumber(ctx, tx, "case_legal_holds", caseID)
		if err != nil {
			return err
		}
		out = Hold{ID: cases.NewID(), Number: n, Reason: in.Reason, Until: in.Until, SetAt: s.cases.Now()}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_legal_holds (id, case_id, number, reason, until_on, set_by, set_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, out.ID, caseID, n, in.Reason, in.Until, actor.UserID, out.SetAt); err != nil {
			return fmt.Errorf("insert legal hold on case %s: %w", caseID, err)
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "legal_hold_set", Category: cases.Profile, RefID: out.ID,
			Detail: in.Reason + ":" + in.Until})
	})
	return out, err
}

// LiftHold ends legal hold number of a case before its day (the
// proceedings ended).
func (s *Service) LiftHold(ctx context.Context, actor access.Actor, caseID string, number int) error {
	return s.cases.Change(ctx, actor, access.ExportCase, caseID, cases.Profile, func(tx *storage.Tx, a cases.Access) error {
		var id string
		var lifted bool
		err := tx.QueryRowContext(ctx, `SELECT id, lifted_at IS NOT NULL FROM case_legal_holds WHERE case_id = $1 AND number = $2`,
			caseID, number).Scan(&id, &lifted)
		if err != nil {
			return fmt.Errorf("load legal hold %d of case %s: %w", number, caseID, storage.MapError(err))
		}
		if lifted {
			return apperr.New(apperr.Conflict, "error.data.hold_lifted")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_legal_holds SET lifted_by = $1, lifted_at = $2 WHERE id = $3`,
			actor.UserID, s.cases.Now(), id); err != nil {
			return fmt.Errorf("lift legal hold %s: %w", id, err)
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "legal_hold_lifted", Category: cases.Profile, RefID: id})
	})
}
