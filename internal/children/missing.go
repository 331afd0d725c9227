package children

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// A child in care who goes missing is at once at risk of being trafficked
// again, and the first 24 hours decide most of the chance to find the child
// (Danube round table summary; the hotline console keeps that clock for a
// report or a call). On the child's case the worker records the steps
// taken: the hand-over to the police missing-person procedure and the call
// to 116 000, the European hotline for missing children, each with its
// time, and when the child was found.

// Hotline116 is the European hotline number for missing children.
const Hotline116 = "116 000"

// Missing is one time a child of a case went missing.
type Missing struct {
	ID     string
	CaseID string
	Since  time.Time
	// PoliceAt is when the police missing-person procedure took over, nil
	// until then; PoliceTo who took it (a unit, an officer) and PoliceRef
	// its reference, decrypted.
	PoliceAt  *time.Time
	PoliceTo  string
	PoliceRef string
	// HotlineAt is when 116 000 was called, nil until then; HotlineBy who
	// called, decrypted.
	HotlineAt  *time.Time
	HotlineBy  string
	FoundAt    *time.Time
	RecordedBy string
	RecordedAt time.Time
}

// ClockEnds is the end of the first 24 hours.
func (m Missing) ClockEnds() time.Time { return m.Since.Add(24 * time.Hour) }

// police is what is sealed about the police hand-over.
type police struct {
	To  string `json:"to"`
	Ref string `json:"ref,omitempty"`
}

// MissingInput is the missing child form: Since when reporting, and any
// of the steps taken (zero times for steps not taken yet).
type MissingInput struct {
	Since     time.Time
	PoliceAt  time.Time
	PoliceTo  string
	PoliceRef string
	HotlineAt time.Time
	HotlineBy string
	FoundAt   time.Time
}

// skew is how far ahead of the server's clock a time may be: the worker's
// device clock may run a little fast.
const skew = 5 * time.Minute

// validate checks the steps against since (the episode's start) and now.
func (in *MissingInput) validate(since, now time.Time) []apperr.FieldError {
	trimAll(&in.PoliceTo, &in.PoliceRef, &in.HotlineBy)
	var fields []apperr.FieldError
	bad := func(field, key string) { fields = append(fields, apperr.FieldError{Field: field, Key: key}) }
	when := func(field string, t time.Time) {
		switch {
		case t.After(now.Add(skew)):
			bad(field, "error.child.time_future")
		case t.Before(since):
			bad(field, "error.child.before_missing")
		}
	}
	police := !in.PoliceAt.IsZero() || in.PoliceTo != "" || in.PoliceRef != ""
	if police {
		if in.PoliceAt.IsZero() {
			bad("police_at", "error.child.police_at_required")
		} else {
			when("police_at", in.PoliceAt)
		}
		if in.PoliceTo == "" {
			bad("police_to", "error.child.police_to_required")
		}
		text(&fields, "police_to", in.PoliceTo, MaxName)
		text(&fields, "police_ref", in.PoliceRef, MaxName)
	}
	if !in.HotlineAt.IsZero() || in.HotlineBy != "" {
		if in.HotlineAt.IsZero() {
			bad("hotline_at", "error.child.hotline_at_required")
		} else {
			when("hotline_at", in.HotlineAt)
		}
		if in.HotlineBy == "" {
			bad("hotline_by", "error.child.hotline_by_required")
		}
		text(&fields, "hotline_by", in.HotlineBy, MaxName)
	}
	if !in.FoundAt.IsZero() {
		when("found_at", in.FoundAt)
	}
	return fields
}

func missingPoliceField(id string) string  { return "child_missing_police." + id }
func missingHotlineField(id string) string { return "child_missing_hotline." + id }

// ReportMissing records that a child of a case went missing, with any steps
// already taken. A child still missing from an earlier report is refused:
// record the steps on that one.
func (s *Service) ReportMissing(ctx context.Context, actor access.Actor, caseID string, in MissingInput) (Missing, error) {
	now := s.cases.Now()
	var fields []apperr.FieldError
	switch {
	case in.Since.IsZero():
		fields = append(fields, apperr.FieldError{Field: "since", Key: "error.child.since_required"})
	case in.Since.After(now.Add(skew)):
		fields = append(fields, apperr.FieldError{Field: "since", Key: "error.child.time_future"})
	}
	fields = append(fields, in.validate(in.Since, now)...)
	if len(fields) > 0 {
		return Missing{}, apperr.Validation(fields...)
	}
	m := Missing{ID: cases.NewID(), CaseID: caseID, Since: in.Since.UTC(), RecordedBy: actor.UserID, RecordedAt: now}
	err := s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Children, func(tx *storage.Tx, a cases.Access) error {
		if !a.Case.Child {
			return notChild()
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM child_missing WHERE case_id = $1 AND found_at IS NULL`, caseID).Scan(&open); err != nil {
			return fmt.Errorf("count missing reports of case %s: %w", caseID, err)
		}
		if open > 0 {
			return apperr.New(apperr.Conflict, "error.child.missing_open")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO child_missing (id, case_id, org_id, missing_since, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, m.ID, caseID, a.Case.OrgID, m.Since, actor.UserID, now); err != nil {
			return fmt.Errorf("insert missing report of case %s: %w", caseID, err)
		}
		if err := s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "child_missing", Category: cases.Children, RefID: m.ID}); err != nil {
			return err
		}
		return s.missingSteps(ctx, tx, actor, a.Case, m, in)
	})
	if err != nil {
		return Missing{}, err
	}
	return m, nil
}

// RecordMissingSteps records steps taken for a child who went missing: the
// police hand-over, the call to 116 000, the child found. A step is
// recorded once; one already recorded is refused.
func (s *Service) RecordMissingSteps(ctx context.Context, actor access.Actor, caseID, missingID string, in MissingInput) error {
	now := s.cases.Now()
	in.Since = time.Time{}
	trimAll(&in.PoliceTo, &in.PoliceRef, &in.HotlineBy)
	if in.PoliceAt.IsZero() && in.PoliceTo == "" && in.PoliceRef == "" && in.HotlineAt.IsZero() && in.HotlineBy == "" && in.FoundAt.IsZero() {
		return apperr.Validation(apperr.FieldError{Field: "police_at", Key: "error.child.missing_step_required"})
	}
	return s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Children, func(tx *storage.Tx, a cases.Access) error {
		list, err := s.loadMissing(ctx, tx, caseID, false)
		if err != nil {
			return err
		}
		var m *Missing
		for i := range list {
			if list[i].ID == missingID {
				m = &list[i]
			}
		}
		if m == nil {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if fields := in.validate(m.Since, now); len(fields) > 0 {
			return apperr.Validation(fields...)
		}
		switch {
		case !in.PoliceAt.IsZero() && m.PoliceAt != nil, !in.HotlineAt.IsZero() && m.HotlineAt != nil, !in.FoundAt.IsZero() && m.FoundAt != nil:
			return apperr.New(apperr.Conflict, "error.child.missing_step_recorded")
		}
		return s.missingSteps(ctx, tx, actor, a.Case, *m, in)
	})
}

// missingSteps stores the steps in, validated, on report m.
func (s *Service) missingSteps(ctx context.Context, tx *storage.Tx, actor access.Actor, c cases.Case, m Missing, in MissingInput) error {
	vault, rec := s.cases.Vault(), cases.Record(c.ID)
	if !in.PoliceAt.IsZero() {
		plain, err := json.Marshal(police{To: in.PoliceTo, Ref: in.PoliceRef})
		if err != nil {
			return fmt.Errorf("encode police hand-over: %w", err)
		}
		sealed, err := vault.Seal(ctx, tx, rec, missingPoliceField(m.ID), plain)
		if err != nil {
			return fmt.Errorf("seal police hand-over: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE child_missing SET police_at = $1, police = $2 WHERE id = $3`, in.PoliceAt.UTC(), sealed, m.ID); err != nil {
			return fmt.Errorf("record police hand-over %s: %w", m.ID, err)
		}
		if err := s.cases.Log(ctx, tx, actor, c, cases.Event{Kind: "child_missing_police", Category: cases.Children, RefID: m.ID}); err != nil {
			return err
		}
	}
	if !in.HotlineAt.IsZero() {
		sealed, err := vault.Seal(ctx, tx, rec, missingHotlineField(m.ID), []byte(in.HotlineBy))
		if err != nil {
			return fmt.Errorf("seal 116 000 call: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE child_missing SET hotline_at = $1, hotline_by = $2 WHERE id = $3`, in.HotlineAt.UTC(), sealed, m.ID); err != nil {
			return fmt.Errorf("record 116 000 call %s: %w", m.ID, err)
		}
		if err := s.cases.Log(ctx, tx, actor, c, cases.Event{Kind: "child_missing_hotline", Category: cases.Children, RefID: m.ID}); err != nil {
			return err
		}
	}
	if !in.FoundAt.IsZero() {
		if _, err := tx.ExecContext(ctx, `UPDATE child_missing SET found_at = $1 WHERE id = $2`, in.FoundAt.UTC(), m.ID); err != nil {
			return fmt.Errorf("record child found %s: %w", m.ID, err)
		}
		if err := s.cases.Log(ctx, tx, actor, c, cases.Event{Kind: "child_found", Category: cases.Children, RefID: m.ID}); err != nil {
			return err
		}
	}
	return nil
}

// loadMissing lists the times a child of a case went missing, newest
// first; open decrypts the police hand-over and who called 116 000.
func (s *Service) loadMissing(ctx context.Context, tx *storage.Tx, caseID string, open bool) ([]Missing, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, case_id, missing_since, police_at, police, hotline_at, hotline_by, found_at, recorded_by, recorded_at
		FROM child_missing WHERE case_id = $1 ORDER BY missing_since DESC, id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load missing reports of case %s: %w", caseID, err)
	}
	var out []Missing
	var sealed [][2][]byte
	for rows.Next() {
		var m Missing
		var p, h []byte
		if err := rows.Scan(&m.ID, &m.CaseID, &m.Since, &m.PoliceAt, &p, &m.HotlineAt, &h, &m.FoundAt, &m.RecordedBy, &m.RecordedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan missing report: %w", err)
		}
		m.Since = m.Since.UTC()
		for _, t := range []**time.Time{&m.PoliceAt, &m.HotlineAt, &m.FoundAt} {
			if *t != nil {
				u := (*t).UTC()
				*t = &u
			}
		}
		out, sealed = append(out, m), append(sealed, [2][]byte{p, h})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load missing reports of case %s: %w", caseID, err)
	}
	if !open {
		return out, nil
	}
	vault, rec := s.cases.Vault(), cases.Record(caseID)
	for i := range out {
		if p := sealed[i][0]; p != nil {
			plain, err := vault.Open(ctx, tx, rec, missingPoliceField(out[i].ID), p)
			if err != nil {
				return nil, fmt.Errorf("open police hand-over %s: %w", out[i].ID, err)
			}
			var d police
			if err := json.Unmarshal(plain, &d); err != nil {
				return nil, fmt.Errorf("decode police hand-over %s: %w", out[i].ID, err)
			}
			out[i].PoliceTo, out[i].PoliceRef = d.To, d.Ref
		}
		if h := sealed[i][1]; h != nil {
			plain, err := vault.Open(ctx, tx, rec, missingHotlineField(out[i].ID), h)
			if err != nil {
				return nil, fmt.Errorf("open 116 000 call %s: %w", out[i].ID, err)
			}
			out[i].HotlineBy = string(plain)
		}
	}
	return out, nil
}
