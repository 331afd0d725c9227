package assistance

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

// The quality of services: the standards or accreditations a provider
// meets and the referring workers' feedback on each referral that ended.
// States are to see that services meet quality standards of care with
// monitoring and evaluation (OSCE Alliance position paper on assistance
// and protection — /work/shared/seeds/); this is the local part of it.

// ExpiryWarnDays is how long before its end a standard shows as expiring.
const ExpiryWarnDays = 60

// Standard is a quality standard or accreditation a provider meets.
type Standard struct {
	ID         string
	ProviderID string
	Name       string
	Issuer     string
	// ValidUntil is YYYY-MM-DD, "" when it does not end.
	ValidUntil string
	CreatedAt  time.Time
}

// Expired reports whether the standard no longer holds on day today.
func (s Standard) Expired(today time.Time) bool {
	return s.ValidUntil != "" && s.ValidUntil < today.Format(time.DateOnly)
}

// ExpiresSoon reports whether the standard still holds but ends within
// ExpiryWarnDays of today.
func (s Standard) ExpiresSoon(today time.Time) bool {
	return s.ValidUntil != "" && !s.Expired(today) && s.ValidUntil <= today.AddDate(0, 0, ExpiryWarnDays).Format(time.DateOnly)
}

// StandardInput is the form that adds a standard to a provider.
type StandardInput struct {
	Name       string
	Issuer     string
	ValidUntil string
}

// Feedback codes: whether the service was delivered, on time, and what the
// person said of it when asked. A person may decline to say.
var (
	feedbackDelivered    = []string{"full", "partial", "none"}
	feedbackTimeliness   = []string{"on_time", "late", "unknown"}
	feedbackSatisfaction = []string{"satisfied", "partly", "not_satisfied", "not_asked", "declined"}
)

// FeedbackDelivered lists the codes of how fully a service was delivered.
func FeedbackDelivered() []string { return slices.Clone(feedbackDelivered) }

// FeedbackTimeliness lists the codes of whether it came in time.
func FeedbackTimeliness() []string { return slices.Clone(feedbackTimeliness) }

// FeedbackSatisfaction lists the codes of the person's own satisfaction.
func FeedbackSatisfaction() []string { return slices.Clone(feedbackSatisfaction) }

// MaxComment is the length of a feedback comment, in characters.
const MaxComment = 1000

// Feedback is the referring worker's record of how a referral went.
type Feedback struct {
	Delivered    string
	Timeliness   string
	Satisfaction string
	// Comment is sealed under the case's record.
	Comment    string
	RecordedAt time.Time
}

// FeedbackInput is the feedback form.
type FeedbackInput struct {
	Delivered    string
	Timeliness   string
	Satisfaction string
	Comment      string
}

// Count is how many feedback records have one code.
type Count struct {
	Code string
	N    int
}

// FeedbackCounts is the feedback on a provider's referrals, counted by
// code in display order: no case, person or comment in it.
type FeedbackCounts struct {
	Total        int
	Delivered    []Count
	Timeliness   []Count
	Satisfaction []Count
}

// Quality is a provider's standards and the feedback counted.
type Quality struct {
	Standards []Standard
	Feedback  FeedbackCounts
}

// ProviderQuality reads the standards of a provider and counts the
// feedback on referrals to it.
func (s *Service) ProviderQuality(ctx context.Context, actor access.Actor, providerID string) (Quality, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCases, "service_provider", providerID); err != nil {
		return Quality{}, err
	}
	var q Quality
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		if _, err := getProvider(ctx, tx, providerID, false); err != nil {
			return err
		}
		var err error
		if q.Standards, err = loadStandards(ctx, tx, providerID); err != nil {
			return err
		}
		q.Feedback, err = countFeedback(ctx, tx, providerID)
		return err
	})
	return q, err
}

func loadStandards(ctx context.Context, tx *storage.Tx, providerID string) ([]Standard, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, provider_id, name, issuer, valid_until, created_at FROM provider_standards
		WHERE provider_id = $1 ORDER BY lower(name), id`, providerID)
	if err != nil {
		return nil, fmt.Errorf("load standards of provider %s: %w", providerID, err)
	}
	defer rows.Close()
	var out []Standard
	for rows.Next() {
		var st Standard
		if err := rows.Scan(&st.ID, &st.ProviderID, &st.Name, &st.Issuer, &st.ValidUntil, &st.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan standard: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

func countFeedback(ctx context.Context, tx *storage.Tx, providerID string) (FeedbackCounts, error) {
	rows, err := tx.QueryContext(ctx, `SELECT delivered, timeliness, satisfaction, COUNT(*) FROM service_referral_feedback
		WHERE provider_id = $1 GROUP BY delivered, timeliness, satisfaction`, providerID)
	if err != nil {
		return FeedbackCounts{}, fmt.Errorf("count feedback of provider %s: %w", providerID, err)
	}
	defer rows.Close()
	by := map[string]int{}
	var fc FeedbackCounts
	for rows.Next() {
		var d, t, sat string
		var n int
		if err := rows.Scan(&d, &t, &sat, &n); err != nil {
			return FeedbackCounts{}, fmt.Errorf("scan feedback count: %w", err)
		}
		by["d:"+d] += n
		by["t:"+t] += n
		by["s:"+sat] += n
		fc.Total += n
	}
	if err := rows.Err(); err != nil {
		return FeedbackCounts{}, fmt.Errorf("count feedback of provider %s: %w", providerID, err)
	}
	counts := func(prefix string, codes []string) []Count {
		out := make([]Count, 0, len(codes))
		for _, c := range codes {
			out = append(out, Count{Code: c, N: by[prefix+c]})
		}
		return out
	}
	fc.Delivered = counts("d:", feedbackDelivered)
	fc.Timeliness = counts("t:", feedbackTimeliness)
	fc.Satisfaction = counts("s:", feedbackSatisfaction)
	return fc, nil
}

// AddStandard records a standard or accreditation a provider meets.
func (s *Service) AddStandard(ctx context.Context, actor access.Actor, providerID string, in StandardInput) (Standard, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ManageProviders, "service_provider", providerID); err != nil {
		return Standard{}, err
	}
	in.Name, in.Issuer, in.ValidUntil = strings.TrimSpace(in.Name), strings.TrimSpace(in.Issuer), strings.TrimSpace(in.ValidUntil)
	var fe fields
	if in.Name == "" || tooLong(in.Name, maxName) {
		fe.Add("standard_name", "error.standard.name")
	}
	if in.Issuer == "" || tooLong(in.Issuer, maxName) {
		fe.Add("standard_issuer", "error.standard.issuer")
	}
	until, ok := parseDay(in.ValidUntil)
	switch {
	case !ok:
		fe.Add("standard_valid_until", "error.plan.date")
	case !until.IsZero() && until.Format(time.DateOnly) < s.cases.Now().Format(time.DateOnly):
		fe.Add("standard_valid_until", "error.standard.expired")
	}
	if err := fe.Err(); err != nil {
		return Standard{}, err
	}
	st := Standard{ID: cases.NewID(), ProviderID: providerID, Name: in.Name, Issuer: in.Issuer, ValidUntil: in.ValidUntil, CreatedAt: s.cases.Now()}
	err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		if _, err := getProvider(ctx, tx, providerID, true); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO provider_standards (id, provider_id, name, issuer, valid_until, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, st.ID, providerID, st.Name, st.Issuer, st.ValidUntil, actor.UserID, st.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert standard of provider %s: %w", providerID, err)
		}
		return s.cases.Audit(ctx, tx, actor, "provider.standard_add", "service_provider", providerID, "", st.ID)
	})
	return st, err
}

// RemoveStandard removes a standard that was recorded by mistake or no
// longer applies.
func (s *Service) RemoveStandard(ctx context.Context, actor access.Actor, providerID, standardID string) error {
	if _, err := s.cases.Authorize(ctx, actor, access.ManageProviders, "service_provider", providerID); err != nil {
		return err
	}
	return s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM provider_standards WHERE id = $1 AND provider_id = $2`, standardID, providerID)
		if err != nil {
			return fmt.Errorf("remove standard %s: %w", standardID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("remove standard %s: %w", standardID, err)
		} else if n == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		return s.cases.Audit(ctx, tx, actor, "provider.standard_remove", "service_provider", providerID, "", standardID)
	})
}

// RecordFeedback records how a referral that ended went, by the
// organisation that referred: whether the service was delivered, on time,
// and the person's own satisfaction if they were asked, with a short
// comment sealed under the case. It is recorded once.
func (s *Service) RecordFeedback(ctx context.Context, actor access.Actor, caseID, refID string, in FeedbackInput) error {
	in.Delivered, in.Timeliness = strings.TrimSpace(in.Delivered), strings.TrimSpace(in.Timeliness)
	in.Satisfaction, in.Comment = strings.TrimSpace(in.Satisfaction), strings.TrimSpace(in.Comment)
	var fe fields
	if !slices.Contains(feedbackDelivered, in.Delivered) {
		fe.Add("delivered", "error.referral_feedback.delivered")
	}
	if !slices.Contains(feedbackTimeliness, in.Timeliness) {
		fe.Add("timeliness", "error.referral_feedback.timeliness")
	}
	if !slices.Contains(feedbackSatisfaction, in.Satisfaction) {
		fe.Add("satisfaction", "error.referral_feedback.satisfaction")
	}
	if tooLong(in.Comment, MaxComment) {
		fe.Add("comment", "error.referral_feedback.comment_too_long")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		r, err := getReferral(ctx, tx, caseID, refID)
		if err != nil {
			return err
		}
		if r.OrgID != actor.OrgID {
			return apperr.New(apperr.Forbidden, "error.referral_feedback.not_referrer")
		}
		if r.Status != Ended && r.Status != Declined {
			return apperr.New(apperr.Conflict, "error.referral_feedback.not_ended")
		}
		// Bound to its referral, so a comment cannot be moved to another row.
		comment, err := s.seal(ctx, tx, caseID, "referral_feedback."+refID, in.Comment)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO service_referral_feedback (referral_id, case_id, provider_id, delivered, timeliness,
				satisfaction, comment, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			refID, caseID, r.ProviderID, in.Delivered, in.Timeliness, in.Satisfaction, comment, actor.UserID, s.cases.Now())
		if err != nil {
			err = storage.MapError(err)
			if apperr.Is(err, apperr.Conflict) {
				return apperr.New(apperr.Conflict, "error.referral_feedback.recorded")
			}
			return fmt.Errorf("insert feedback on referral %s: %w", refID, err)
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "service_referral_feedback", Category: cases.Assistance,
			RefID: refID, Detail: in.Delivered + ":" + in.Timeliness})
	})
}

// loadFeedback reads the feedback on a case's referrals, comments
// decrypted, by referral id.
func (s *Service) loadFeedback(ctx context.Context, tx *storage.Tx, caseID string) (map[string]*Feedback, error) {
	rows, err := tx.QueryContext(ctx, `SELECT referral_id, delivered, timeliness, satisfaction, comment, recorded_at
		FROM service_referral_feedback WHERE case_id = $1`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load feedback of case %s: %w", caseID, err)
	}
	sealed := map[string][]byte{}
	out := map[string]*Feedback{}
	for rows.Next() {
		var id string
		var f Feedback
		var c []byte
		if err := rows.Scan(&id, &f.Delivered, &f.Timeliness, &f.Satisfaction, &c, &f.RecordedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan feedback of case %s: %w", caseID, err)
		}
		out[id], sealed[id] = &f, c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load feedback of case %s: %w", caseID, err)
	}
	// Decrypt after the rows are closed: the vault queries the same transaction.
	for id, c := range sealed {
		if out[id].Comment, err = s.open(ctx, tx, caseID, "referral_feedback."+id, c); err != nil {
			return nil, err
		}
	}
	return out, nil
}
