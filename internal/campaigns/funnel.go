package campaigns

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/storage"
)

// Funnel is a campaign's counts from reach to referrals. Contacts are the
// reports and calls that named one of its codes; Reports are the reports
// that named one or were made from such a call; Screenings the screenings
// made from those reports; Referrals the referrals from those screenings.
type Funnel struct {
	Reach      int
	Contacts   int
	Reports    int
	Screenings int
	Referrals  int
	// Materials are reach and contacts per material; Channels the reach
	// counted for a whole channel, not for one material.
	Materials []MaterialCount
	Channels  []ChannelReach
	Targets   []Progress
}

// MaterialCount is the reach and contacts of one material.
type MaterialCount struct {
	Material
	Reach    int
	Contacts int
}

// ChannelReach is reach counted for a channel as a whole.
type ChannelReach struct {
	Channel string
	Reach   int
}

// Progress is a target against its measure's count.
type Progress struct {
	Target
	Count int
	Met   bool
	// Due is true once the target's date has passed.
	Due bool
}

// Of is the count of a measure.
func (f Funnel) Of(measure string) int {
	switch measure {
	case "contacts":
		return f.Contacts
	case "reports":
		return f.Reports
	case "screenings":
		return f.Screenings
	case "referrals":
		return f.Referrals
	}
	return 0
}

// codesOf selects the campaign's codes ($1 is the campaign).
const codesOf = `SELECT code FROM campaign_materials WHERE campaign_id = $1`

// reportsOf selects the id and screening of the campaign's reports.
const reportsOf = `SELECT r.id, r.screening_id FROM reports r WHERE r.attribution_code IN (` + codesOf + `)
	OR r.id IN (SELECT c.report_id FROM calls c WHERE c.report_id IS NOT NULL AND c.attribution_code IN (` + codesOf + `))`

// Funnel counts a campaign's funnel.
func (s *Service) Funnel(ctx context.Context, actor access.Actor, campaignID string) (Funnel, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCampaigns, "campaign", campaignID); err != nil {
		return Funnel{}, err
	}
	var f Funnel
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		c, err := s.campaign(ctx, tx, campaignID)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT
				(SELECT COALESCE(SUM(people), 0) FROM campaign_reach WHERE campaign_id = $1),
				(SELECT COUNT(*) FROM reports WHERE attribution_code IN (`+codesOf+`))
					+ (SELECT COUNT(*) FROM calls WHERE attribution_code IN (`+codesOf+`)),
				(SELECT COUNT(*) FROM (`+reportsOf+`) cr),
				(SELECT COUNT(DISTINCT cr.screening_id) FROM (`+reportsOf+`) cr),
				(SELECT COUNT(*) FROM referrals f WHERE f.screening_id IN (SELECT cr.screening_id FROM (`+reportsOf+`) cr))`, c.ID).
			Scan(&f.Reach, &f.Contacts, &f.Reports, &f.Screenings, &f.Referrals); err != nil {
			return fmt.Errorf("count funnel of campaign %s: %w", c.ID, err)
		}
		for _, m := range c.Materials {
			mc := MaterialCount{Material: m}
			if err := tx.QueryRowContext(ctx, `SELECT
					(SELECT COALESCE(SUM(people), 0) FROM campaign_reach WHERE material_id = $1),
					(SELECT COUNT(*) FROM reports WHERE attribution_code = $2) + (SELECT COUNT(*) FROM calls WHERE attribution_code = $2)`,
				m.ID, m.Code).Scan(&mc.Reach, &mc.Contacts); err != nil {
				return fmt.Errorf("count material %s: %w", m.ID, err)
			}
			f.Materials = append(f.Materials, mc)
		}
		rows, err := tx.QueryContext(ctx, `SELECT channel, SUM(people) FROM campaign_reach WHERE campaign_id = $1 AND material_id IS NULL
			GROUP BY channel ORDER BY channel`, c.ID)
		if err != nil {
			return fmt.Errorf("count reach by channel: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var ch ChannelReach
			if err := rows.Scan(&ch.Channel, &ch.Reach); err != nil {
				return fmt.Errorf("count reach by channel: %w", err)
			}
			f.Channels = append(f.Channels, ch)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		today := s.cases.Now().Format(time.DateOnly)
		for _, t := range c.Targets {
			n := f.Of(t.Measure)
			f.Targets = append(f.Targets, Progress{Target: t, Count: n, Met: n >= t.Target, Due: today > t.DueOn})
		}
		return nil
	})
	return f, err
}
