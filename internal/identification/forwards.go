package identification

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// Forward records that a referral was forwarded to a competent authority
// for the formal decision.
type Forward struct {
	ID string
	To Org
	// From is the organisation that forwarded it; By and ByName its user.
	From   Org
	By     string
	ByName string
	At     time.Time
}

func loadForwards(ctx context.Context, tx *storage.Tx, referralID string) ([]Forward, error) {
	rows, err := tx.QueryContext(ctx, `SELECT f.id, f.to_org, t.name, t.kind, f.from_org, o.name, o.kind, f.forwarded_by, u.username, f.forwarded_at
		FROM referral_forwards f JOIN organisations t ON t.id = f.to_org JOIN organisations o ON o.id = f.from_org
			JOIN users u ON u.id = f.forwarded_by
		WHERE f.referral_id = $1 ORDER BY f.forwarded_at, f.id`, referralID)
	if err != nil {
		return nil, fmt.Errorf("load forwards of referral %s: %w", referralID, err)
	}
	defer rows.Close()
	var out []Forward
	for rows.Next() {
		var f Forward
		if err := rows.Scan(&f.ID, &f.To.ID, &f.To.Name, &f.To.Kind, &f.From.ID, &f.From.Name, &f.From.Kind, &f.By, &f.ByName, &f.At); err != nil {
			return nil, fmt.Errorf("scan forward: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// GroundsFound reports whether the latest reasonable-grounds decision on
// the referral is positive (a pending review or appeal does not count).
func (r Referral) GroundsFound() bool {
	d := latestDecided(r.Decisions, StageReasonableGrounds)
	return d != nil && d.Outcome == OutcomePositive
}

// Identified reports how far the person's identification has come: whether
// there are reasonable grounds and whether victim status is confirmed, by
// the latest decisions of each stage.
func (r Referral) Identified() (grounds, confirmed bool) {
	d := latestDecided(r.Decisions, StageVictimStatus)
	return r.GroundsFound(), d != nil && d.Outcome == OutcomeConfirmed
}

// Deciders returns the competent authorities the local protocol names for
// the formal decision on the referral (see Protocol.DecidersFor), as the
// forwarding form offers them.
func (s *Service) Deciders(ctx context.Context, r Referral) ([]Org, error) {
	var out []Org
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		p, err := loadProtocol(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range p.DecidersFor(r.Population, r.Purposes) {
			o, err := loadOrg(ctx, tx, id)
			if err != nil {
				return err
			}
			if !o.Disabled {
				out = append(out, Org{ID: id, Name: o.Name, Kind: o.Kind})
			}
		}
		return nil
	})
	return out, err
}

// ForwardTo forwards a referral the actor's organisation received to the
// competent authority for the formal decision, once there are reasonable
// grounds. The authority must be one the local protocol names for the
// referral's forms and population, and one that does not see the referral
// already; otherwise nothing changes. The authority sees the referral from
// then on; the forward is recorded and audited.
func (s *Service) ForwardTo(ctx context.Context, actor access.Actor, referralID, to string) (Referral, error) {
	const action = "referral.forward"
	scope, err := s.authorize(ctx, actor, access.RespondReferral, "referral", referralID)
	if err != nil {
		return Referral{}, err
	}
	to = strings.TrimSpace(to)
	if to == "" {
		return Referral{}, apperr.Validation(apperr.FieldError{Field: "authority", Key: "error.forward.authority_required"})
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		r, err := getReferral(ctx, tx, scope, referralID, tx.ForUpdate())
		if err != nil {
			return err
		}
		if r.To.ID != actor.OrgID {
			return apperr.New(apperr.Forbidden, "error.referral.not_receiver")
		}
		if !r.Open() {
			return apperr.New(apperr.Conflict, "error.decision.referral_declined")
		}
		if !r.GroundsFound() {
			return apperr.New(apperr.Conflict, "error.forward.needs_grounds")
		}
		p, err := loadProtocol(ctx, tx)
		if err != nil {
			return err
		}
		if !slices.Contains(p.DecidersFor(r.Population, r.Purposes), to) {
			return apperr.Validation(apperr.FieldError{Field: "authority", Key: "error.forward.not_competent"})
		}
		if err := activeOrg(ctx, tx, to); err != nil {
			if apperr.Is(err, apperr.Invalid) {
				return apperr.Validation(apperr.FieldError{Field: "authority", Key: "error.forward.not_competent"})
			}
			return err
		}
		if to == r.From.ID || to == r.To.ID || slices.ContainsFunc(r.Forwards, func(f Forward) bool { return f.To.ID == to }) {
			return apperr.Validation(apperr.FieldError{Field: "authority", Key: "error.forward.sees_already"})
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_forwards (id, referral_id, to_org, from_org, forwarded_by, forwarded_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, newID(), referralID, to, actor.OrgID, actor.UserID, now); err != nil {
			return fmt.Errorf("forward referral %s: %w", referralID, storage.MapError(err))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET updated_at = $1 WHERE id = $2`, now, referralID); err != nil {
			return fmt.Errorf("touch referral %s: %w", referralID, err)
		}
		return s.record(ctx, tx, actor, action, audit.Done, "referral", referralID, r.From.ID, "to:"+to)
	})
	if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
		return Referral{}, s.denied(ctx, actor, action, "referral", referralID, err)
	}
	if err != nil {
		return Referral{}, err
	}
	return s.Get(ctx, actor, referralID)
}

// Progress tells the page of a case opened from a referral how far the
// person's identification has come (see Referral.Identified), so that the
// case can follow it. The case's own gate has already decided the reader
// may see the case, whichever organisation holds it now; nothing else of
// the referral is given. A referral that is not there (a case imported
// under another installation's referral) has come nowhere.
func (s *Service) Progress(ctx context.Context, referralID string) (grounds, confirmed bool, err error) {
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		r, err := getReferral(ctx, tx, access.SystemScope(), referralID, "")
		if apperr.Is(err, apperr.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		grounds, confirmed = r.Identified()
		return nil
	})
	return grounds, confirmed, err
}
