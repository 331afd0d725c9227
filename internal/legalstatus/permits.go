package legalstatus

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Reminders of a granted permit: the expiry shows on the deadlines
// dashboard from expiryRemindDays before it, and the renewal should be
// applied for renewalLeadDays before expiry (authorities take weeks), with
// reminders from renewalRemindDays before that.
const (
	expiryRemindDays  = 60
	renewalLeadDays   = 60
	renewalRemindDays = 30
)

// noPermitNeeded is the type of an EU citizen, who needs no permit and so
// has no dates to keep.
const noPermitNeeded = "eu_citizen_no_permit_needed"

// longTerm is the type of a permanent or long-term permit (OSCE Alliance
// position paper, "Residence Regimes for Victims of Trafficking", (3)): it
// may have no expiry, and the rights to work and study are those of a
// resident, not recorded per permit.
const longTerm = "long_term"

// Temporary reports whether a permit type is a temporary permit, which
// records whether it allows work and study (the position paper asks that
// it does, (2)).
func Temporary(permitType string) bool { return permitType != longTerm && permitType != noPermitNeeded }

// PermitInput is the permit form: a new permit, a change of one, or its
// renewal.
type PermitInput struct {
	// Type is one of PermitTypes; on a change or renewal "" keeps it.
	Type string
	// Status is one of PermitStatuses.
	Status string
	// Start and Expiry are YYYY-MM-DD; a granted permit needs both.
	Start, Expiry string
	// Reference (the permit's number) and Authority (who issued it) are
	// encrypted; on a change or renewal "" keeps the current ones.
	Reference, Authority string
	// AllowsWork and AllowsStudy are "yes", "no" or "" (not recorded); a
	// permit that is not temporary keeps neither.
	AllowsWork, AllowsStudy string
}

// checkPermit validates the form into p (dates, codes, texts).
func checkPermit(c *checker, in PermitInput, p *Permit) {
	if in.Type != "" {
		p.Type = in.Type
	}
	c.code("permit_type", p.Type, permitTypes)
	c.code("permit_status", in.Status, permitStatuses)
	p.Status = in.Status
	start := c.date("permit_start", in.Start, planned)
	expiry := c.date("permit_expiry", in.Expiry, planned)
	p.Start, p.Expiry = day(start), day(expiry)
	if !start.IsZero() && !expiry.IsZero() && expiry.Before(start) {
		c.fail("permit_expiry", "legalstatus.error.expiry_before_start", nil)
	}
	// A permit in force has dates; an application or a refusal may not yet,
	// and a long-term permit may never expire.
	if in.Status != "applied" && in.Status != "refused" && p.Type != noPermitNeeded {
		if strings.TrimSpace(in.Start) == "" {
			c.fail("permit_start", "legalstatus.error.permit_dates_required", nil)
		}
		if strings.TrimSpace(in.Expiry) == "" && p.Type != longTerm {
			c.fail("permit_expiry", "legalstatus.error.permit_dates_required", nil)
		}
	}
	if ref := c.text("permit_reference", in.Reference); ref != "" {
		p.Reference = ref
	}
	if auth := c.text("permit_authority", in.Authority); auth != "" {
		p.Authority = auth
	}
	c.code("permit_allows_work", in.AllowsWork, permitRights)
	c.code("permit_allows_study", in.AllowsStudy, permitRights)
	p.AllowsWork, p.AllowsStudy = in.AllowsWork, in.AllowsStudy
	if !Temporary(p.Type) {
		// The form offers both questions whatever the type; for a permit
		// that is not temporary the answers do not apply and are dropped.
		p.AllowsWork, p.AllowsStudy = "", ""
	}
}

// AddPermit records a residence permit of the person. A granted permit
// registers its expiry and a renewal reminder as deadlines.
func (s *Service) AddPermit(ctx context.Context, actor access.Actor, caseID string, in PermitInput) (Permit, error) {
	var out Permit
	err := s.change(ctx, actor, caseID, func(tx *storage.Tx, a cases.Access) error {
		now := s.cases.Now()
		c := newChecker(now)
		p := Permit{ID: cases.NewID(), CreatedAt: now, UpdatedAt: now}
		checkPermit(c, in, &p)
		if err := c.err(); err != nil {
			return err
		}
		var err error
		if p.Number, err = nextNumber(ctx, tx, "legal_permits", a.Case.ID); err != nil {
			return err
		}
		if err := s.insertPermit(ctx, tx, a.Case.ID, actor, p); err != nil {
			return err
		}
		if err := s.permitDeadlines(ctx, tx, a.Case, p); err != nil {
			return err
		}
		out = p
		return s.log(ctx, tx, actor, a.Case, "legal_permit_recorded", p.ID, p.Status)
	})
	return out, err
}

// UpdatePermit changes permit number of the case: its status (applied →
// granted, renewal applied, refused, expired), dates, reference or
// authority. The deadlines follow the new status.
func (s *Service) UpdatePermit(ctx context.Context, actor access.Actor, caseID string, number int, in PermitInput) (Permit, error) {
	var out Permit
	err := s.change(ctx, actor, caseID, func(tx *storage.Tx, a cases.Access) error {
		p, err := s.permit(ctx, tx, a.Case.ID, number)
		if err != nil {
			return err
		}
		now := s.cases.Now()
		c := newChecker(now)
		checkPermit(c, in, &p)
		if err := c.err(); err != nil {
			return err
		}
		p.UpdatedAt = now
		ref, auth, err := s.sealPermit(ctx, tx, a.Case.ID, p)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE legal_permits SET type = $1, status = $2, start_on = $3, expires_on = $4,
			reference = $5, authority = $6, allows_work = $7, allows_study = $8, updated_by = $9, updated_at = $10 WHERE id = $11`,
			p.Type, p.Status, p.Start, p.Expiry, ref, auth, p.AllowsWork, p.AllowsStudy, actor.UserID, now, p.ID); err != nil {
			return fmt.Errorf("update permit %s: %w", p.ID, err)
		}
		if err := s.permitDeadlines(ctx, tx, a.Case, p); err != nil {
			return err
		}
		out = p
		return s.log(ctx, tx, actor, a.Case, "legal_permit_updated", p.ID, p.Status)
	})
	return out, err
}

// RenewPermit records the renewal of permit number as a new permit linked
// to it; the old permit's reminders end and the new one's begin. Only the
// latest permit of a chain, once it was granted, can be renewed. Type,
// reference and authority left empty are those of the renewed permit.
func (s *Service) RenewPermit(ctx context.Context, actor access.Actor, caseID string, number int, in PermitInput) (Permit, error) {
	var out Permit
	err := s.change(ctx, actor, caseID, func(tx *storage.Tx, a cases.Access) error {
		old, err := s.permit(ctx, tx, a.Case.ID, number)
		if err != nil {
			return err
		}
		switch {
		case old.RenewedBy != 0:
			return apperr.New(apperr.Conflict, "legalstatus.error.permit_already_renewed")
		case !slices.Contains([]string{"granted", "renewal_applied", "expired"}, old.Status):
			return apperr.New(apperr.Conflict, "legalstatus.error.permit_not_renewable")
		}
		now := s.cases.Now()
		c := newChecker(now)
		p := Permit{ID: cases.NewID(), Type: old.Type, Reference: old.Reference, Authority: old.Authority, renewsID: old.ID,
			Renews: old.Number, CreatedAt: now, UpdatedAt: now}
		checkPermit(c, in, &p)
		if p.Start != "" && old.Start != "" && p.Start < old.Start {
			c.fail("permit_start", "legalstatus.error.renewal_before_previous", map[string]any{"start": old.Start})
		}
		if err := c.err(); err != nil {
			return err
		}
		if p.Number, err = nextNumber(ctx, tx, "legal_permits", a.Case.ID); err != nil {
			return err
		}
		if err := s.insertPermit(ctx, tx, a.Case.ID, actor, p); err != nil {
			return err
		}
		for _, kind := range []string{"permit_expiry", "permit_renewal"} {
			if err := s.cases.ClearDeadline(ctx, tx, kind, old.ID); err != nil {
				return err
			}
		}
		if err := s.permitDeadlines(ctx, tx, a.Case, p); err != nil {
			return err
		}
		out = p
		return s.log(ctx, tx, actor, a.Case, "legal_permit_renewed", p.ID, p.Status)
	})
	return out, err
}

func (s *Service) sealPermit(ctx context.Context, tx *storage.Tx, caseID string, p Permit) (ref, auth []byte, err error) {
	if ref, err = s.seal(ctx, tx, caseID, "permit."+p.ID+".reference", p.Reference); err != nil {
		return nil, nil, err
	}
	if auth, err = s.seal(ctx, tx, caseID, "permit."+p.ID+".authority", p.Authority); err != nil {
		return nil, nil, err
	}
	return ref, auth, nil
}

func (s *Service) insertPermit(ctx context.Context, tx *storage.Tx, caseID string, actor access.Actor, p Permit) error {
	ref, auth, err := s.sealPermit(ctx, tx, caseID, p)
	if err != nil {
		return err
	}
	var renews any
	if p.renewsID != "" {
		renews = p.renewsID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO legal_permits (id, case_id, number, type, status, start_on, expires_on, reference, authority,
			allows_work, allows_study, renews_id, recorded_by, created_at, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13, $14)`,
		p.ID, caseID, p.Number, p.Type, p.Status, p.Start, p.Expiry, ref, auth, p.AllowsWork, p.AllowsStudy, renews, actor.UserID, p.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert permit of case %s: %w", caseID, err)
	}
	return nil
}

// permitDeadlines keeps the permit's two deadlines in step with it: a
// granted permit is reminded of its renewal and its expiry; once the
// renewal was applied for only the expiry remains (the decision must come
// before it); any other state, or a permit already renewed, has none.
func (s *Service) permitDeadlines(ctx context.Context, tx *storage.Tx, c cases.Case, p Permit) error {
	expiry, err := time.Parse(time.DateOnly, p.Expiry)
	live := err == nil && p.RenewedBy == 0
	if live && (p.Status == "granted" || p.Status == "renewal_applied") {
		if err := s.cases.SetDeadline(ctx, tx, c, cases.Deadline{Kind: "permit_expiry", RefID: p.ID, Due: expiry,
			RemindOn: expiry.AddDate(0, 0, -expiryRemindDays)}); err != nil {
			return err
		}
	} else if err := s.cases.ClearDeadline(ctx, tx, "permit_expiry", p.ID); err != nil {
		return err
	}
	if live && p.Status == "granted" {
		due := expiry.AddDate(0, 0, -renewalLeadDays)
		if start, err := time.Parse(time.DateOnly, p.Start); err == nil && due.Before(start) {
			due = start
		}
		return s.cases.SetDeadline(ctx, tx, c, cases.Deadline{Kind: "permit_renewal", RefID: p.ID, Due: due,
			RemindOn: due.AddDate(0, 0, -renewalRemindDays)})
	}
	return s.cases.ClearDeadline(ctx, tx, "permit_renewal", p.ID)
}

// permit loads permit number of the case, decrypted.
func (s *Service) permit(ctx context.Context, tx *storage.Tx, caseID string, number int) (Permit, error) {
	ps, err := s.loadPermits(ctx, tx, caseID, true)
	if err != nil {
		return Permit{}, err
	}
	return byNumber(ps, number, func(p Permit) int { return p.Number })
}

func (s *Service) loadPermits(ctx context.Context, tx *storage.Tx, caseID string, reveal bool) ([]Permit, error) {
	type sealed struct{ ref, auth []byte }
	out, texts, err := loadSealed(ctx, tx, "permits", caseID, `SELECT id, number, type, status, start_on, expires_on, reference, authority,
			allows_work, allows_study, COALESCE(renews_id, ''), created_at, updated_at
		FROM legal_permits WHERE case_id = $1 ORDER BY number`, func(rows *sql.Rows, p *Permit, t *sealed) error {
		err := rows.Scan(&p.ID, &p.Number, &p.Type, &p.Status, &p.Start, &p.Expiry, &t.ref, &t.auth, &p.AllowsWork, &p.AllowsStudy,
			&p.renewsID, &p.CreatedAt, &p.UpdatedAt)
		p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
		return err
	})
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	for i, p := range out {
		index[p.ID] = i
	}
	for i := range out {
		p := &out[i]
		p.HasReference = len(texts[i].ref) > 0
		if j, ok := index[p.renewsID]; ok {
			p.Renews = out[j].Number
			out[j].RenewedBy = p.Number
		}
		if p.Authority, err = s.open(ctx, tx, caseID, "permit."+p.ID+".authority", texts[i].auth); err != nil {
			return nil, err
		}
		if reveal {
			if p.Reference, err = s.open(ctx, tx, caseID, "permit."+p.ID+".reference", texts[i].ref); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
