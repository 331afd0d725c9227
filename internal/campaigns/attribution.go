package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/storage"
)

// CodeChoice is a running campaign's material, offered on the hotline
// console when the operator asks how the caller heard of us.
type CodeChoice struct {
	Campaign string
	Title    string
	Code     string
}

// maxCodeChoices bounds the console's list of codes.
const maxCodeChoices = 200

// RunningCodes lists the materials of the running campaigns with their
// codes, by campaign and material, for staff who log calls. The codes are
// printed on the materials, so the list reveals nothing the public cannot
// read.
func (s *Service) RunningCodes(ctx context.Context, actor access.Actor) ([]CodeChoice, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.LogCalls, "campaign", ""); err != nil {
		return nil, err
	}
	var out []CodeChoice
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT c.name, m.title, m.code FROM campaign_materials m JOIN campaigns c ON c.id = m.campaign_id
			WHERE c.status = 'running' ORDER BY c.name, c.id, m.created_at, m.id LIMIT $1`, maxCodeChoices)
		if err != nil {
			return fmt.Errorf("list running codes: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c CodeChoice
			if err := rows.Scan(&c.Campaign, &c.Title, &c.Code); err != nil {
				return fmt.Errorf("list running codes: %w", err)
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// Source is the campaign and material an attribution code belongs to.
type Source struct {
	CampaignID string
	Campaign   string
	Status     string
	Material   string
	Channel    string
	// Linked is true when the reader may open the campaign's page.
	Linked bool
}

// SourceOf names the campaign and material of code for staff who may see
// them: those who read campaigns, and those who log calls (the console
// offers them the running campaigns' materials). For others, and for a
// code no material has, ok is false and the page shows the code alone.
func (s *Service) SourceOf(ctx context.Context, actor access.Actor, code string) (src Source, ok bool, err error) {
	view := access.Can(actor, access.ViewCampaigns)
	if code == "" || !view && !access.Can(actor, access.LogCalls) {
		return Source{}, false, nil
	}
	action := access.LogCalls
	if view {
		action = access.ViewCampaigns
	}
	if _, err := s.cases.Authorize(ctx, actor, action, "campaign", ""); err != nil {
		return Source{}, false, err
	}
	err = s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT c.id, c.name, c.status, m.title, m.channel FROM campaign_materials m
			JOIN campaigns c ON c.id = m.campaign_id WHERE m.code = $1`, code).
			Scan(&src.CampaignID, &src.Campaign, &src.Status, &src.Material, &src.Channel)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("look up code %s: %w", code, err)
		}
		ok = true
		return nil
	})
	src.Linked = ok && view
	return src, ok, err
}
