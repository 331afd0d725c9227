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
	"waymark.city/waymark/internal/vault"
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
	ID         string
	Kind       string
	Severity   string
	HappenedOn string
	// Description is opened from the vault; "" with Erased set when the
	// entry's key was forgotten.
	Description string
	Erased      bool
	RecordedAt  time.Time
	// ReviewedBy is the reviewer's user name; "" until reviewed.
	ReviewedBy  string
	ReviewedAt  *time.Time
	ActionTaken string
}

// HarmLog is a campaign's harm log as the reader may see it.
type HarmLog struct {
	// Open and Reviewed count the entries; everyone who reads campaigns
	// sees them.
	Open, Reviewed int
	// Entries are the entries with their descriptions, reviewers and
	// actions; nil for a role that sees no personal data (the analyst
	// reads campaigns as counts only, and a description may name a person).
	Entries []Harm
}

// Total is the number of entries.
func (l HarmLog) Total() int { return l.Open + l.Reviewed }

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
		id := cases.NewID()
		sealed, err := s.cases.Vault().Seal(ctx, tx, harmRecord(id), harmField, []byte(in.Description))
		if err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_harms (id, campaign_id, kind, severity, happened_on, description,
				description_sealed, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8)`, id, c.ID, in.Kind, in.Severity, in.HappenedOn, sealed,
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

// Harms returns a campaign's harm log: its counts, and for a role that
// sees personal data its entries, unreviewed first, then the most serious,
// newest first.
func (s *Service) Harms(ctx context.Context, actor access.Actor, campaignID string) (HarmLog, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCampaigns, "campaign", campaignID); err != nil {
		return HarmLog{}, err
	}
	var log HarmLog
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN reviewed_at IS NULL THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN reviewed_at IS NULL THEN 0 ELSE 1 END), 0)
			FROM campaign_harms WHERE campaign_id = $1`, campaignID).Scan(&log.Open, &log.Reviewed); err != nil {
			return fmt.Errorf("count harm log: %w", err)
		}
		if !actor.Role.SeesPersonalData() {
			return nil
		}
		var err error
		log.Entries, err = s.harmEntries(ctx, tx, campaignID)
		return err
	})
	return log, err
}

// harmEntries reads a campaign's harm log entries and opens their
// descriptions.
func (s *Service) harmEntries(ctx context.Context, tx *storage.Tx, campaignID string) ([]Harm, error) {
	var out []Harm
	rows, err := tx.QueryContext(ctx, `SELECT h.id, h.kind, h.severity, h.happened_on, h.description_sealed, h.created_at,
			COALESCE(u.username, ''), h.reviewed_at, h.action_taken
		FROM campaign_harms h LEFT JOIN users u ON u.id = h.reviewed_by WHERE h.campaign_id = $1
		ORDER BY CASE WHEN h.reviewed_at IS NULL THEN 0 ELSE 1 END,
			CASE h.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, h.happened_on DESC, h.id`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("list harm log: %w", err)
	}
	var sealed [][]byte
	for rows.Next() {
		var h Harm
		var desc []byte
		if err := rows.Scan(&h.ID, &h.Kind, &h.Severity, &h.HappenedOn, &desc, &h.RecordedAt, &h.ReviewedBy,
			&h.ReviewedAt, &h.ActionTaken); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list harm log: %w", err)
		}
		out, sealed = append(out, h), append(sealed, desc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list harm log: %w", err)
	}
	for i := range out {
		plain, err := s.cases.Vault().Open(ctx, tx, harmRecord(out[i].ID), harmField, sealed[i])
		switch {
		case errors.Is(err, vault.ErrErased):
			out[i].Erased = true
		case err != nil:
			return nil, fmt.Errorf("open harm log entry %s: %w", out[i].ID, err)
		}
		out[i].Description = string(plain)
	}
	return out, nil
}

// harmRecord is the vault record of a harm log entry: its description
// may name a person, and forgetting the entry's key erases it alone.
func harmRecord(id string) string { return "campaign_harms/" + id }

// harmField is the sealed field of a harm log entry.
const harmField = "description"

// SealHarmDescriptions seals the descriptions of harm log entries written
// before they were sealed (migration 0047) and empties their clear text.
// The vault's keys are not in the database, so a migration cannot do it;
// Waymark runs this when it starts. Entries already sealed are left alone,
// so running it again does nothing.
func (s *Service) SealHarmDescriptions(ctx context.Context) error {
	return s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, description FROM campaign_harms WHERE description <> '' AND description_sealed IS NULL`)
		if err != nil {
			return fmt.Errorf("list unsealed harm log entries: %w", err)
		}
		type entry struct{ id, text string }
		var todo []entry
		for rows.Next() {
			var e entry
			if err := rows.Scan(&e.id, &e.text); err != nil {
				rows.Close()
				return fmt.Errorf("list unsealed harm log entries: %w", err)
			}
			todo = append(todo, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list unsealed harm log entries: %w", err)
		}
		for _, e := range todo {
			sealed, err := s.cases.Vault().Seal(ctx, tx, harmRecord(e.id), harmField, []byte(e.text))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE campaign_harms SET description_sealed = $2, description = '' WHERE id = $1`, e.id, sealed); err != nil {
				return fmt.Errorf("seal harm log entry %s: %w", e.id, err)
			}
		}
		return nil
	})
}
