package assistance

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Referral is a case referred to a service provider. The provider sees
// the case only by its pseudonymous code.
type Referral struct {
	ID       string
	CaseID   string
	CaseCode string
	// OrgID and OrgName are the referring organisation.
	OrgID        string
	OrgName      string
	ProviderID   string
	ProviderName string
	// ProviderOrg is the provider's Waymark organisation, "" for none:
	// then the referring worker records the provider's answer.
	ProviderOrg string
	ActivityID  string
	Services    []string
	Placement   bool
	ConsentID   string
	Status      string
	Reason      string
	AnswerDue   string
	// Occupying is true while an accepted placement holds a place.
	Occupying   bool
	AnsweredVia string
	CreatedAt   time.Time
	AnsweredAt  *time.Time
	EndedAt     *time.Time
}

// Open reports whether the referral still waits for an answer or runs.
func (r Referral) Open() bool { return r.Status == Pending || r.Status == Accepted }

// ReferralInput is the form that refers a case to a provider.
type ReferralInput struct {
	ProviderID string
	// Services are the provider types wanted (at least one the provider offers).
	Services []string
	// Placement asks a shelter for a place.
	Placement bool
	// ActivityID optionally ties the referral to an activity of the plan.
	ActivityID string
}

// Answer is a provider's answer to a referral.
type Answer struct {
	Accept bool
	// Reason is a DeclineReasons code, required when declining.
	Reason string
}

const referralColumns = `r.id, r.case_id, c.code, r.org_id, ro.name, r.provider_id, p.name, COALESCE(r.provider_org, ''),
	COALESCE(r.activity_id, ''), r.services, r.placement, r.consent_id, r.status, r.reason, r.answer_due, r.occupying,
	r.answered_via, r.created_at, r.answered_at, r.ended_at`

const referralFrom = ` FROM service_referrals r JOIN cases c ON c.id = r.case_id JOIN organisations ro ON ro.id = r.org_id
	JOIN service_providers p ON p.id = r.provider_id`

func scanReferral(row scanner) (Referral, error) {
	var r Referral
	var services string
	var placement, occupying int
	err := row.Scan(&r.ID, &r.CaseID, &r.CaseCode, &r.OrgID, &r.OrgName, &r.ProviderID, &r.ProviderName, &r.ProviderOrg,
		&r.ActivityID, &services, &placement, &r.ConsentID, &r.Status, &r.Reason, &r.AnswerDue, &occupying,
		&r.AnsweredVia, &r.CreatedAt, &r.AnsweredAt, &r.EndedAt)
	if err != nil {
		return Referral{}, err
	}
	r.Placement, r.Occupying = placement != 0, occupying != 0
	if err := json.Unmarshal([]byte(services), &r.Services); err != nil {
		return Referral{}, fmt.Errorf("decode referral %s: %w", r.ID, err)
	}
	return r, nil
}

// loadReferrals lists referrals matching where (whose one argument is $1),
// newest first.
func loadReferrals(ctx context.Context, tx *storage.Tx, where string, arg string) ([]Referral, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+referralColumns+referralFrom+` WHERE `+where+` ORDER BY r.created_at DESC, r.id DESC LIMIT 500`, arg)
	if err != nil {
		return nil, fmt.Errorf("load referrals: %w", err)
	}
	defer rows.Close()
	var out []Referral
	for rows.Next() {
		r, err := scanReferral(rows)
		if err != nil {
			return nil, fmt.Errorf("scan referral: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func getReferral(ctx context.Context, tx *storage.Tx, caseID, id string) (Referral, error) {
	q := `SELECT ` + referralColumns + referralFrom + ` WHERE r.id = $1 AND r.case_id = $2`
	if tx.Engine == storage.Postgres {
		q += " FOR UPDATE OF r"
	}
	r, err := scanReferral(tx.QueryRowContext(ctx, q, id, caseID))
	if err != nil {
		return Referral{}, fmt.Errorf("load referral %s: %w", id, storage.MapError(err))
	}
	return r, nil
}

// Refer refers a case to a provider from its plan. It checks in code,
// before anything is stored, that the person consented to a referral to
// the provider's organisation (if it has one) covering assistance data.
func (s *Service) Refer(ctx context.Context, actor access.Actor, caseID string, in ReferralInput) (Referral, error) {
	in.ProviderID, in.ActivityID = strings.TrimSpace(in.ProviderID), strings.TrimSpace(in.ActivityID)
	in.Services = cleanCodes(in.Services)
	var out Referral
	err := s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		var fe fields
		if in.ProviderID == "" {
			fe.Add("provider", "error.service_referral.provider_unknown")
			return fe.Err()
		}
		p, err := getProvider(ctx, tx, in.ProviderID, true)
		if apperr.Is(err, apperr.NotFound) || (err == nil && !p.Active) {
			fe.Add("provider", "error.service_referral.provider_unknown")
			return fe.Err()
		}
		if err != nil {
			return err
		}
		if len(in.Services) == 0 || !all(in.Services, p.Offers) {
			fe.Add("services", "error.service_referral.services")
		}
		if in.Placement {
			if !p.Shelter() || p.Places.Total == 0 {
				fe.Add("placement", "error.shelter.not_shelter")
			} else if key := restriction(p.Places, a.Case); key != "" {
				fe.Add("placement", key)
			}
		}
		if in.ActivityID != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_activities WHERE id = $1 AND case_id = $2`, in.ActivityID, caseID).Scan(&n); err != nil {
				return fmt.Errorf("check activity %s: %w", in.ActivityID, err)
			}
			if n == 0 {
				fe.Add("activity", "error.service_referral.activity_unknown")
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if in.Placement && p.Places.Free() == 0 {
			return apperr.New(apperr.Conflict, "error.shelter.full")
		}
		consentID, err := s.cases.CheckProviderConsent(ctx, tx, a.Case, p.ID, p.OrgID)
		if err != nil {
			return err
		}
		id, now := cases.NewID(), s.cases.Now()
		due := now.AddDate(0, 0, AnswerDays)
		_, err = tx.ExecContext(ctx, `INSERT INTO service_referrals (id, case_id, org_id, provider_id, provider_org, activity_id, services,
				placement, consent_id, status, answer_due, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			id, caseID, a.Case.OrgID, p.ID, storage.NullString(p.OrgID), storage.NullString(in.ActivityID), jsonList(in.Services), storage.Flag(in.Placement),
			consentID, Pending, due.Format(time.DateOnly), actor.UserID, now)
		if err != nil {
			return fmt.Errorf("insert referral on case %s: %w", caseID, storage.MapError(err))
		}
		if err := s.cases.SetDeadline(ctx, tx, a.Case, cases.Deadline{Kind: "provider_referral", RefID: id, Due: due}); err != nil {
			return err
		}
		detail := strings.Join(in.Services, ",")
		if in.Placement {
			detail += ":placement"
		}
		if err := s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "service_referral_created", Category: cases.Assistance,
			RefID: id, Detail: detail}); err != nil {
			return err
		}
		out, err = getReferral(ctx, tx, caseID, id)
		return err
	})
	return out, err
}

// restriction returns the message key of the shelter restriction the
// person does not meet, or "".
func restriction(p Places, c cases.Case) string {
	switch {
	case p.Age == "adults" && c.Child:
		return "error.shelter.adults_only"
	case p.Age == "children" && !c.Child:
		return "error.shelter.children_only"
	case p.Gender == "women" && (c.Gender == "masculine" || c.Gender == "transgender_masculine"):
		return "error.shelter.women_only"
	case p.Gender == "men" && (c.Gender == "feminine" || c.Gender == "transgender_feminine"):
		return "error.shelter.men_only"
	}
	return ""
}

// onReferral runs fn on a referral of a case in one write transaction, for
// whoever may act on it: a user of the provider's own organisation
// (byProvider), or else the organisation that owns the case through the
// case gate, which refuses and audits everyone else.
//
// On a closed case only the provider may still end a placement, so that a
// person who moved on does not hold a shelter place for ever.
func (s *Service) onReferral(ctx context.Context, actor access.Actor, caseID, refID string, endsOnClosed bool,
	fn func(tx *storage.Tx, c cases.Case, r Referral, byProvider bool) error) error {
	var providerOrg string
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COALESCE(provider_org, '') FROM service_referrals WHERE id = $1 AND case_id = $2`,
			refID, caseID).Scan(&providerOrg)
	})
	if err != nil && !errors.Is(err, sql.ErrNoRows) && !apperr.Is(err, apperr.NotFound) {
		return fmt.Errorf("find referral %s: %w", refID, err)
	}
	if providerOrg == "" || providerOrg != actor.OrgID {
		return s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
			r, err := getReferral(ctx, tx, caseID, refID)
			if err != nil {
				return err
			}
			return fn(tx, a.Case, r, false)
		})
	}
	if _, err := s.cases.Authorize(ctx, actor, access.ManageCases, "service_referral", refID); err != nil {
		return err
	}
	return s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		var c cases.Case
		var anonymised bool
		err := tx.QueryRowContext(ctx, `SELECT id, code, org_id, stage, anonymised_at IS NOT NULL FROM cases WHERE id = $1`+tx.ForUpdate(),
			caseID).Scan(&c.ID, &c.Code, &c.OrgID, &c.Stage, &anonymised)
		if err != nil {
			return fmt.Errorf("load case %s: %w", caseID, storage.MapError(err))
		}
		if anonymised || (c.Stage == cases.Closed && !endsOnClosed) {
			return apperr.New(apperr.Conflict, "error.service_referral.case_closed")
		}
		r, err := getReferral(ctx, tx, caseID, refID)
		if err != nil {
			return err
		}
		return fn(tx, c, r, true)
	})
}

// AnswerReferral records a provider's answer. A user of the provider's
// organisation answers; for a provider without Waymark the referring
// organisation records the answer it got (by phone). Accepting a shelter
// placement takes one of the shelter's places in the same transaction, and
// is refused when none is free, so two placements never share the last one.
func (s *Service) AnswerReferral(ctx context.Context, actor access.Actor, caseID, refID string, ans Answer) (Referral, error) {
	ans.Reason = strings.TrimSpace(ans.Reason)
	if !ans.Accept && !slices.Contains(declineReasons, ans.Reason) {
		return Referral{}, apperr.Validation(apperr.FieldError{Field: "reason", Key: "error.service_referral.reason"})
	}
	var out Referral
	err := s.onReferral(ctx, actor, caseID, refID, false, func(tx *storage.Tx, c cases.Case, r Referral, byProvider bool) error {
		if !byProvider && r.ProviderOrg != "" {
			return apperr.New(apperr.Forbidden, "error.service_referral.provider_answers")
		}
		if r.Status != Pending {
			return apperr.New(apperr.Conflict, "error.service_referral.answered")
		}
		now := s.cases.Now()
		var withdrawn string
		if err := tx.QueryRowContext(ctx, `SELECT withdrawn_on FROM case_consents WHERE id = $1`, r.ConsentID).Scan(&withdrawn); err != nil {
			return fmt.Errorf("load consent of referral %s: %w", refID, err)
		}
		if ans.Accept && withdrawn != "" && withdrawn <= now.Format(time.DateOnly) {
			return apperr.New(apperr.Conflict, "error.service_referral.consent_withdrawn")
		}
		status, reason, occupying := Declined, ans.Reason, 0
		if ans.Accept {
			status, reason = Accepted, ""
			if r.Placement {
				if err := takePlace(ctx, tx, r.ProviderID); err != nil {
					return err
				}
				occupying = 1
			}
		}
		via := "phone"
		if byProvider {
			via = "provider"
		}
		_, err := tx.ExecContext(ctx, `UPDATE service_referrals SET status = $1, reason = $2, occupying = $3, answered_via = $4,
				answered_by = $5, answered_at = $6 WHERE id = $7`, status, reason, occupying, via, actor.UserID, now, refID)
		if err != nil {
			return fmt.Errorf("answer referral %s: %w", refID, err)
		}
		if err := s.cases.ClearDeadline(ctx, tx, "provider_referral", refID); err != nil {
			return err
		}
		if err := s.cases.Log(ctx, tx, actor, c, cases.Event{Kind: "service_referral_" + status, Category: cases.Assistance,
			RefID: refID, Detail: strings.TrimSuffix(via+":"+reason, ":")}); err != nil {
			return err
		}
		out, err = getReferral(ctx, tx, caseID, refID)
		return err
	})
	return out, err
}

// takePlace takes one free place of a shelter, or refuses when it is full.
// The condition is in the UPDATE itself: PostgreSQL re-checks it after
// waiting for a concurrent placement, SQLite has one writer.
func takePlace(ctx context.Context, tx *storage.Tx, providerID string) error {
	res, err := tx.ExecContext(ctx, `UPDATE service_providers SET places_occupied = places_occupied + 1
		WHERE id = $1 AND places_occupied < places_total`, providerID)
	if err != nil {
		return fmt.Errorf("take a place of provider %s: %w", providerID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("take a place of provider %s: %w", providerID, err)
	} else if n == 0 {
		return apperr.New(apperr.Conflict, "error.shelter.full")
	}
	return nil
}

// EndReferral ends an accepted referral (the service finished, the person
// left the shelter) or withdraws a pending one. An accepted placement frees
// its place in the same transaction. Either the referring organisation or
// the provider's own organisation may end it.
func (s *Service) EndReferral(ctx context.Context, actor access.Actor, caseID, refID, reason string) (Referral, error) {
	reason = strings.TrimSpace(reason)
	if !slices.Contains(endReasons, reason) {
		return Referral{}, apperr.Validation(apperr.FieldError{Field: "end_reason", Key: "error.service_referral.end_reason"})
	}
	var out Referral
	err := s.onReferral(ctx, actor, caseID, refID, true, func(tx *storage.Tx, c cases.Case, r Referral, _ bool) error {
		if !r.Open() {
			return apperr.New(apperr.Conflict, "error.service_referral.not_open")
		}
		if err := s.stop(ctx, tx, actor, c, r, reason); err != nil {
			return err
		}
		var err error
		out, err = getReferral(ctx, tx, caseID, refID)
		return err
	})
	return out, err
}

// IncomingReferrals lists the referrals to providers linked to the actor's
// organisation, newest first; status "" lists all. They name the case by
// its pseudonymous code only.
func (s *Service) IncomingReferrals(ctx context.Context, actor access.Actor, status string) ([]Referral, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCases, "service_referrals", ""); err != nil {
		return nil, err
	}
	if status != "" && !slices.Contains([]string{Pending, Accepted, Declined, Withdrawn, Ended}, status) {
		return nil, apperr.Validation(apperr.FieldError{Field: "status", Key: "error.service_referral.status"})
	}
	var out []Referral
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		list, err := loadReferrals(ctx, tx, `r.provider_org = $1 AND c.anonymised_at IS NULL`, actor.OrgID)
		for _, r := range list {
			if status == "" || r.Status == status {
				out = append(out, r)
			}
		}
		return err
	})
	return out, err
}

// stop ends a running referral or withdraws a pending one, freeing the
// shelter place it holds, in the caller's transaction.
func (s *Service) stop(ctx context.Context, tx *storage.Tx, actor access.Actor, c cases.Case, r Referral, reason string) error {
	status := Ended
	if r.Status == Pending {
		status = Withdrawn
	}
	if r.Occupying {
		if _, err := tx.ExecContext(ctx, `UPDATE service_providers SET places_occupied = places_occupied - 1
			WHERE id = $1 AND places_occupied > 0`, r.ProviderID); err != nil {
			return fmt.Errorf("free a place of provider %s: %w", r.ProviderID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE service_referrals SET status = $1, reason = $2, occupying = 0, ended_by = $3, ended_at = $4
		WHERE id = $5`, status, reason, storage.NullString(actor.UserID), s.cases.Now(), r.ID); err != nil {
		return fmt.Errorf("end referral %s: %w", r.ID, err)
	}
	if err := s.cases.ClearDeadline(ctx, tx, "provider_referral", r.ID); err != nil {
		return err
	}
	return s.cases.Log(ctx, tx, actor, c, cases.Event{Kind: "service_referral_" + status, Category: cases.Assistance,
		RefID: r.ID, Detail: reason})
}

// endOnClose is a case move hook: when a case closes, its pending
// referrals are withdrawn and its running ones end, so that a shelter
// place is not held for a person whose case has closed.
func (s *Service) endOnClose(ctx context.Context, tx *storage.Tx, actor access.Actor, c cases.Case, _ cases.Stage) error {
	if c.Stage != cases.Closed {
		return nil
	}
	open, err := loadReferrals(ctx, tx, `r.case_id = $1 AND r.status IN ('pending', 'accepted')`, c.ID)
	if err != nil {
		return err
	}
	for _, r := range open {
		if err := s.stop(ctx, tx, actor, c, r, "case_closed"); err != nil {
			return err
		}
	}
	return nil
}

// withdrawOnConsent is a consent hook: when the person withdraws the
// consent a referral rests on, referrals still waiting for an answer are
// withdrawn. A service already running goes on (ending a shelter place
// would put the person at risk); the worker decides with the person.
func (s *Service) withdrawOnConsent(ctx context.Context, tx *storage.Tx, actor access.Actor, c cases.Case, consentID string) error {
	pending, err := loadReferrals(ctx, tx, `r.consent_id = $1 AND r.status = 'pending'`, consentID)
	if err != nil {
		return err
	}
	for _, r := range pending {
		if err := s.stop(ctx, tx, actor, c, r, "consent_withdrawn"); err != nil {
			return err
		}
	}
	return nil
}
