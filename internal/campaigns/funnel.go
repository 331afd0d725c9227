package campaigns

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/storage"
)

// Funnel is a campaign's counts from reach to referrals, of the contacts
// made within the campaign's period (its start and end dates, whole days
// in UTC): a code used before the start or after the end counts for
// nothing. Contacts are the
// calls that named one of its codes and the reports from the public form
// that did (a report made from such a call is the same contact, counted
// once, as the call); Reports are the reports that named one or were made
// from such a call; Screenings the screenings made from those reports;
// Referrals the referrals from those screenings.
//
// Reports still held (sent without the form's proof of work, waiting for
// triage) count in no step: Held shows them apart. Reports dismissed as
// abuse or as a test count nowhere either.
type Funnel struct {
	Reach      int
	Contacts   int
	Reports    int
	Screenings int
	Referrals  int
	Held       int
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
	Held     int
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
	// Survey is the survey's result for a survey measure (Count is then
	// the share after launch, in percent); nil for a funnel measure.
	Survey *QuestionResult
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

// countedReport is true for a report of alias r the funnel counts: not
// held, and not dismissed as abuse or as a test.
const countedReport = `r.status <> 'held' AND NOT (r.status = 'dismissed' AND r.dismiss_reason IN ('abuse', 'test'))`

// In the queries below $2 is the start of the campaign's period and $3
// the end (exclusive): a contact counts when it was made within them.

// within is the condition that column is within the campaign's period.
func within(column string) string { return column + ` >= $2 AND ` + column + ` < $3` }

// reportsOf selects the id and screening of the campaign's counted reports:
// coded reports made within the period and reports made from coded calls
// taken within it.
var reportsOf = `SELECT r.id, r.screening_id FROM reports r WHERE ((r.attribution_code IN (` + codesOf + `) AND ` + within("r.created_at") + `)
	OR r.id IN (SELECT c.report_id FROM calls c WHERE c.report_id IS NOT NULL AND c.attribution_code IN (` + codesOf + `) AND ` + within("c.called_at") + `))
	AND ` + countedReport

// contactsOf counts the contacts by the codes the subquery codes selects:
// the calls, and the counted reports from the public form.
func contactsOf(codes string) string {
	return `(SELECT COUNT(*) FROM calls c WHERE c.attribution_code IN (` + codes + `) AND ` + within("c.called_at") + `)
		+ (SELECT COUNT(*) FROM reports r WHERE r.attribution_code IN (` + codes + `) AND r.source <> 'call' AND ` + within("r.created_at") + ` AND ` + countedReport + `)`
}

// heldOf counts the held reports by the codes the subquery codes selects.
func heldOf(codes string) string {
	return `(SELECT COUNT(*) FROM reports r WHERE r.attribution_code IN (` + codes + `) AND r.status = 'held' AND ` + within("r.created_at") + `)`
}

// Period is the campaign's period as instants: the start of its first day
// and the start of the day after its last, in UTC.
func (c Campaign) Period() (from, until time.Time) {
	from, _ = time.Parse(time.DateOnly, c.StartsOn)
	until, _ = time.Parse(time.DateOnly, c.EndsOn)
	return from, until.AddDate(0, 0, 1)
}

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
		from, until := c.Period()
		if err := tx.QueryRowContext(ctx, `SELECT
				(SELECT COALESCE(SUM(people), 0) FROM campaign_reach WHERE campaign_id = $1),
				`+contactsOf(codesOf)+`,
				`+heldOf(codesOf)+`,
				(SELECT COUNT(*) FROM (`+reportsOf+`) cr),
				(SELECT COUNT(DISTINCT cr.screening_id) FROM (`+reportsOf+`) cr),
				(SELECT COUNT(*) FROM referrals f WHERE f.screening_id IN (SELECT cr.screening_id FROM (`+reportsOf+`) cr))`, c.ID, from, until).
			Scan(&f.Reach, &f.Contacts, &f.Held, &f.Reports, &f.Screenings, &f.Referrals); err != nil {
			return fmt.Errorf("count funnel of campaign %s: %w", c.ID, err)
		}
		handed, err := handedOut(ctx, tx, c)
		if err != nil {
			return err
		}
		for _, m := range c.Materials {
			mc := MaterialCount{Material: m}
			if err := tx.QueryRowContext(ctx, `SELECT
					(SELECT COALESCE(SUM(people), 0) FROM campaign_reach WHERE material_id = $1),
					`+contactsOf(`$4`)+`, `+heldOf(`$4`)+``,
				m.ID, from, until, m.Code).Scan(&mc.Reach, &mc.Contacts, &mc.Held); err != nil {
				return fmt.Errorf("count material %s: %w", m.ID, err)
			}
			// Materials handed out at outreach with the code reached people too.
			mc.Reach += handed[m.Code]
			f.Reach += handed[m.Code]
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
		results, err := surveyResults(ctx, tx, c)
		if err != nil {
			return err
		}
		today := s.cases.Now().Format(time.DateOnly)
		for _, t := range c.Targets {
			p := Progress{Target: t, Count: f.Of(t.Measure), Due: today > t.DueOn}
			if q := results.question(t.Measure); q != nil {
				// A share of no responses is no result: it meets nothing.
				p.Survey, p.Count = q, q.ShareAfter
				p.Met = results.After > 0 && q.ShareAfter >= t.Target
			} else {
				p.Met = p.Count >= t.Target
			}
			f.Targets = append(f.Targets, p)
		}
		return nil
	})
	return f, err
}
