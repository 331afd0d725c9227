package training

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/storage"
)

// Coverage is how far an actor group has been trained: people who
// attended a session in the last 12 and 24 months, and the group's open
// needs.
type Coverage struct {
	Group     string
	Trained12 int
	Trained24 int
	OpenNeeds int
}

// OrgContacts counts an organisation's trained contact points.
type OrgContacts struct {
	OrgID   string
	OrgName string
	Count   int
}

// Overview is the training page: coverage of every actor group, open
// needs, coming and recent sessions, and trained contact points.
type Overview struct {
	Coverage []Coverage
	Needs    []Need
	Upcoming []Session
	// Recent are the sessions of the last 24 months, newest first.
	Recent []Session
	// ContactCounts counts contact points per organisation; Contacts lists
	// those whose names the reader may see.
	ContactCounts []OrgContacts
	Contacts      []Contact
}

// Overview returns the training overview. Everything but the contact
// points' names is counts; names follow namesFor.
func (s *Service) Overview(ctx context.Context, actor access.Actor) (Overview, error) {
	if err := s.readable(ctx, actor, "training", ""); err != nil {
		return Overview{}, err
	}
	now := s.now()
	year, twoYears := now.AddDate(-1, 0, 0), now.AddDate(-2, 0, 0)
	var out Overview
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		byGroup := map[string]*Coverage{}
		for _, g := range groups {
			out.Coverage = append(out.Coverage, Coverage{Group: g})
		}
		for i := range out.Coverage {
			byGroup[out.Coverage[i].Group] = &out.Coverage[i]
		}
		rows, err := tx.QueryContext(ctx, `SELECT a.actor_group, COALESCE(SUM(CASE WHEN s.starts_at > $1 THEN a.attended ELSE 0 END), 0), COALESCE(SUM(a.attended), 0)
			FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id
			WHERE s.starts_at > $2 AND s.starts_at <= $3 GROUP BY a.actor_group`, year, twoYears, now)
		if err != nil {
			return fmt.Errorf("count trained: %w", err)
		}
		for rows.Next() {
			var g string
			var y1, y2 int
			if err := rows.Scan(&g, &y1, &y2); err != nil {
				rows.Close()
				return fmt.Errorf("scan trained: %w", err)
			}
			if c := byGroup[g]; c != nil {
				c.Trained12, c.Trained24 = y1, y2
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("count trained: %w", err)
		}
		if out.Needs, err = needs(ctx, tx, `n.status = 'open'`); err != nil {
			return err
		}
		for _, n := range out.Needs {
			if c := byGroup[n.Group]; c != nil {
				c.OpenNeeds++
			}
		}
		if out.Upcoming, err = sessions(ctx, tx, `s.starts_at > $1`, `s.starts_at, s.id`, now); err != nil {
			return err
		}
		if out.Recent, err = sessions(ctx, tx, `s.starts_at <= $1 AND s.starts_at > $2`, `s.starts_at DESC, s.id`, now, twoYears); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT c.org_id, o.name, COUNT(*) FROM training_contacts c JOIN organisations o ON o.id = c.org_id
			GROUP BY c.org_id, o.name ORDER BY o.name`)
		if err != nil {
			return fmt.Errorf("count contact points: %w", err)
		}
		for rows.Next() {
			var oc OrgContacts
			if err := rows.Scan(&oc.OrgID, &oc.OrgName, &oc.Count); err != nil {
				rows.Close()
				return fmt.Errorf("scan contact points: %w", err)
			}
			out.ContactCounts = append(out.ContactCounts, oc)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("count contact points: %w", err)
		}
		switch {
		case access.Can(actor, access.ManageTraining):
			out.Contacts, err = s.contacts(ctx, tx, actor, `1 = 1`)
		case actor.Role.SeesPersonalData():
			out.Contacts, err = s.contacts(ctx, tx, actor, `c.org_id = $1`, actor.OrgID)
		}
		return err
	})
	return out, err
}
