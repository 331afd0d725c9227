package campaigns

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Measures a target can be set on: the funnel's steps after reach. A
// target can be set on a survey measure too (SurveyMeasures), as a share
// in percent.
var measures = []string{"contacts", "reports", "screenings", "referrals"}

// Measures lists the funnel's measures in funnel order.
func Measures() []string { return slices.Clone(measures) }

// maxCount is the largest number a target or a reach count takes.
const maxCount = 100_000_000

// Target is a behavioural target declared before launch: Target of
// Measure by DueOn.
type Target struct {
	ID      string
	Measure string
	Target  int
	DueOn   string
}

// TargetInput declares a target; Target is the number as typed.
type TargetInput struct {
	Measure string
	Target  string
	DueOn   string
}

// Material is a campaign's material with its attribution code.
type Material struct {
	ID       string
	Title    string
	Channel  string
	Language string
	Code     string
}

// MaterialInput adds a material.
type MaterialInput struct {
	Title    string
	Channel  string
	Language string
}

// ReachInput records how many people a channel or a material reached;
// People is the number as typed. A MaterialID sets the channel.
type ReachInput struct {
	MaterialID string
	Channel    string
	People     string
	CountedOn  string
}

func count(typed string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(typed))
	return n, err == nil && n >= 0 && n <= maxCount
}

// change runs fn on campaign id in a write transaction for the coordinator
// and audits action.
func (s *Service) change(ctx context.Context, actor access.Actor, id, action string, fn func(tx *storage.Tx, c Campaign) (string, error)) error {
	if _, err := s.cases.Authorize(ctx, actor, access.ManageCampaigns, "campaign", id); err != nil {
		return err
	}
	return s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		c, err := s.campaign(ctx, tx, id)
		if err != nil {
			return err
		}
		detail, err := fn(tx, c)
		if err != nil {
			return err
		}
		return s.cases.Audit(ctx, tx, actor, action, "campaign", id, "", detail)
	})
}

// AddTarget declares a target. Targets are declared before launch and
// stay as declared: a target moved after the results came in measures
// nothing.
func (s *Service) AddTarget(ctx context.Context, actor access.Actor, campaignID string, in TargetInput) error {
	return s.change(ctx, actor, campaignID, "campaigns.target.add", func(tx *storage.Tx, c Campaign) (string, error) {
		if c.Status != Draft {
			return "", apperr.New(apperr.Conflict, "campaigns.error.targets_frozen")
		}
		var fe fields
		if !slices.Contains(measures, in.Measure) && !IsSurveyMeasure(in.Measure) {
			fe.Add("measure", "campaigns.error.measure")
		}
		n, ok := count(in.Target)
		switch {
		case IsSurveyMeasure(in.Measure) && (!ok || n == 0 || n > 100):
			fe.Add("target", "campaigns.error.target_share")
		case !ok || n == 0:
			fe.Add("target", "campaigns.error.target")
		}
		in.DueOn = strings.TrimSpace(in.DueOn)
		if !validDate(in.DueOn) || in.DueOn < c.StartsOn {
			fe.Add("due_on", "campaigns.error.due_on")
		}
		if err := fe.Err(); err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_targets (id, campaign_id, measure, target, due_on, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, cases.NewID(), c.ID, in.Measure, n, in.DueOn, actor.UserID, s.cases.Now()); err != nil {
			return "", fmt.Errorf("insert campaign target: %w", err)
		}
		return in.Measure + " " + strconv.Itoa(n) + " by " + in.DueOn, nil
	})
}

// AddMaterial adds a material in one of the campaign's channels and
// languages and gives it a new attribution code.
func (s *Service) AddMaterial(ctx context.Context, actor access.Actor, campaignID string, in MaterialInput) (Material, error) {
	var out Material
	err := s.change(ctx, actor, campaignID, "campaigns.material.add", func(tx *storage.Tx, c Campaign) (string, error) {
		if c.Status == Ended {
			return "", apperr.New(apperr.Conflict, "campaigns.error.ended")
		}
		var fe fields
		in.Title = strings.TrimSpace(in.Title)
		if in.Title == "" || tooLong(in.Title, maxTitle) {
			fe.Add("title", "campaigns.error.title")
		}
		if !slices.Contains(c.Channels, in.Channel) {
			fe.Add("channel", "campaigns.error.material_channel")
		}
		if !slices.Contains(c.Languages, in.Language) {
			fe.Add("language", "campaigns.error.material_language")
		}
		if err := fe.Err(); err != nil {
			return "", err
		}
		code, err := freeCode(ctx, tx)
		if err != nil {
			return "", err
		}
		out = Material{ID: cases.NewID(), Title: in.Title, Channel: in.Channel, Language: in.Language, Code: code}
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_materials (id, campaign_id, title, channel, language, code, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, out.ID, c.ID, out.Title, out.Channel, out.Language, out.Code, actor.UserID, s.cases.Now()); err != nil {
			return "", fmt.Errorf("insert campaign material: %w", err)
		}
		return out.Code, nil
	})
	return out, err
}

// RecordReach records a reach count.
func (s *Service) RecordReach(ctx context.Context, actor access.Actor, campaignID string, in ReachInput) error {
	return s.change(ctx, actor, campaignID, "campaigns.reach.record", func(tx *storage.Tx, c Campaign) (string, error) {
		var fe fields
		if in.MaterialID != "" {
			i := slices.IndexFunc(c.Materials, func(m Material) bool { return m.ID == in.MaterialID })
			if i < 0 {
				fe.Add("material", "campaigns.error.choice")
			} else {
				in.Channel = c.Materials[i].Channel
			}
		} else if !slices.Contains(c.Channels, in.Channel) {
			fe.Add("channel", "campaigns.error.material_channel")
		}
		n, ok := count(in.People)
		if !ok {
			fe.Add("people", "campaigns.error.people")
		}
		in.CountedOn = strings.TrimSpace(in.CountedOn)
		if !validDate(in.CountedOn) {
			fe.Add("counted_on", "campaigns.error.date")
		}
		if err := fe.Err(); err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_reach (id, campaign_id, material_id, channel, people, counted_on, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, cases.NewID(), c.ID, storage.NullString(in.MaterialID), in.Channel, n, in.CountedOn,
			actor.UserID, s.cases.Now()); err != nil {
			return "", fmt.Errorf("insert campaign reach: %w", err)
		}
		return in.Channel + " " + strconv.Itoa(n), nil
	})
}

func targets(ctx context.Context, tx *storage.Tx, campaignID string) ([]Target, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, measure, target, due_on FROM campaign_targets WHERE campaign_id = $1
		ORDER BY due_on, created_at, id`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("list campaign targets: %w", err)
	}
	defer rows.Close()
	var out []Target
	for rows.Next() {
		var t Target
		if err := rows.Scan(&t.ID, &t.Measure, &t.Target, &t.DueOn); err != nil {
			return nil, fmt.Errorf("list campaign targets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func materials(ctx context.Context, tx *storage.Tx, campaignID string) ([]Material, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, title, channel, language, code FROM campaign_materials WHERE campaign_id = $1
		ORDER BY created_at, id`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("list campaign materials: %w", err)
	}
	defer rows.Close()
	var out []Material
	for rows.Next() {
		var m Material
		if err := rows.Scan(&m.ID, &m.Title, &m.Channel, &m.Language, &m.Code); err != nil {
			return nil, fmt.Errorf("list campaign materials: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// material finds a campaign's material.
func material(c Campaign, id string) (Material, error) {
	i := slices.IndexFunc(c.Materials, func(m Material) bool { return m.ID == id })
	if i < 0 {
		return Material{}, apperr.New(apperr.NotFound, "campaigns.error.not_found")
	}
	return c.Materials[i], nil
}
