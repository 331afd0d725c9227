package campaigns

import (
	"context"
	"database/sql"
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

// What a harm log entry is about, and how serious it is.
var (
	harmKinds  = []string{"misunderstood", "backlash", "risk_to_people", "other"}
	severities = []string{"low", "medium", "high"}
)

// HarmKinds lists the kinds of harm.
func HarmKinds() []string { return slices.Clone(harmKinds) }

// Severities lists the severities, lowest first.
func Severities() []string { return slices.Clone(severities) }

// Harm is an entry of a campaign's harm log and its review.
type Harm struct {
	ID          string
	Kind        string
	Severity    string
	HappenedOn  string
	Description string
	RecordedAt  time.Time
	// ReviewedBy is the reviewer's user name; "" until reviewed.
	ReviewedBy  string
	ReviewedAt  *time.Time
	ActionTaken string
}

// HarmInput records what went wrong.
type HarmInput struct {
	Kind        string
	Severity    string
	HappenedOn  string
	Description string
}

// RecordHarm adds an entry to the harm log.
func (s *Service) RecordHarm(ctx context.Context, actor access.Actor, campaignID string, in HarmInput) error {
	return s.change(ctx, actor, campaignID, "campaigns.harm.record", func(tx *storage.Tx, c Campaign) (string, error) {
		var fe fields
		if !slices.Contains(harmKinds, in.Kind) {
			fe.Add("kind", "campaigns.error.choice")
		}
		if !slices.Contains(severities, in.Severity) {
			fe.Add("severity", "campaigns.error.choice")
		}
		in.HappenedOn, in.Description = strings.TrimSpace(in.HappenedOn), strings.TrimSpace(in.Description)
		if !validDate(in.HappenedOn) || in.HappenedOn > s.cases.Now().Add(24*time.Hour).Format(time.DateOnly) {
			fe.Add("happened_on", "campaigns.error.date")
		}
		if in.Description == "" || tooLong(in.Description, maxText) {
			fe.Add("description", "campaigns.error.description")
		}
		if err := fe.Err(); err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_harms (id, campaign_id, kind, severity, happened_on, description, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, cases.NewID(), c.ID, in.Kind, in.Severity, in.HappenedOn, in.Description,
			actor.UserID, s.cases.Now()); err != nil {
			return "", fmt.Errorf("insert harm log entry: %w", err)
		}
		return in.Kind + " " + in.Severity, nil
	})
}

// ReviewHarm records the coordinator's review of an entry: the action
// taken. An entry is reviewed once.
func (s *Service) ReviewHarm(ctx context.Context, actor access.Actor, campaignID, harmID, actionTaken string) error {
	return s.change(ctx, actor, campaignID, "campaigns.harm.review", func(tx *storage.Tx, c Campaign) (string, error) {
		var reviewed sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT reviewed_at FROM campaign_harms WHERE id = $1 AND campaign_id = $2`, harmID, c.ID).Scan(&reviewed)
		if errors.Is(err, sql.ErrNoRows) {
			return "", apperr.New(apperr.NotFound, "campaigns.error.not_found")
		}
		if err != nil {
			return "", fmt.Errorf("load harm log entry %s: %w", harmID, err)
		}
		if reviewed.Valid {
			return "", apperr.New(apperr.Conflict, "campaigns.error.reviewed")
		}
		actionTaken = strings.TrimSpace(actionTaken)
		if actionTaken == "" || tooLong(actionTaken, maxText) {
			// Each entry has its own review form: the error names its field.
			return "", apperr.Validation(apperr.FieldError{Field: "action_" + harmID, Key: "campaigns.error.action_taken"})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaign_harms SET reviewed_by = $2, reviewed_at = $3, action_taken = $4 WHERE id = $1`,
			harmID, actor.UserID, s.cases.Now(), actionTaken); err != nil {
			return "", fmt.Errorf("review harm log entry %s: %w", harmID, err)
		}
		return harmID, nil
	})
}

// Harms lists a campaign's harm log, unreviewed entries first, then the
// most serious, newest first.
func (s *Service) Harms(ctx context.Context, actor access.Actor, campaignID string) ([]Harm, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCampaigns, "campaign", campaignID); err != nil {
		return nil, err
	}
	var out []Harm
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT h.id, h.kind, h.severity, h.happened_on, h.description, h.created_at,
				COALESCE(u.username, ''), h.reviewed_at, h.action_taken
			FROM campaign_harms h LEFT JOIN users u ON u.id = h.reviewed_by WHERE h.campaign_id = $1
			ORDER BY CASE WHEN h.reviewed_at IS NULL THEN 0 ELSE 1 END,
				CASE h.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, h.happened_on DESC, h.id`, campaignID)
		if err != nil {
			return fmt.Errorf("list harm log: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var h Harm
			if err := rows.Scan(&h.ID, &h.Kind, &h.Severity, &h.HappenedOn, &h.Description, &h.RecordedAt, &h.ReviewedBy,
				&h.ReviewedAt, &h.ActionTaken); err != nil {
				return fmt.Errorf("list harm log: %w", err)
			}
			out = append(out, h)
		}
		return rows.Err()
	})
	return out, err
}
