package outreach

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/storage"
)

// Session is an outreach session.
type Session struct {
	ID           string
	OrgID        string
	OrgName      string
	HeldOn       string
	AreaCode     string
	LocationType string
	Materials    int
	MaterialCode string
	Referrals    int
	// Contacts are the contacts made per group; Contacted their sum.
	Contacts  map[string]int
	Contacted int
	// Team and Mediators are filled by Session only.
	Team      []Member
	Mediators []string
}

// Member is how many staff of an organisation went out.
type Member struct {
	OrgID   string
	OrgName string
	Staff   int
}

// TeamRow is one row of the team form, numbers as typed. Index names its
// fields (team_org_<i>, team_staff_<i>).
type TeamRow struct {
	Index int
	OrgID string
	Staff string
}

// Input records a session; numbers are as typed so that the service
// refuses what is not one.
type Input struct {
	HeldOn       string
	AreaCode     string
	LocationType string
	Team         []TeamRow
	// Mediators are ids of the interpreter register's entries.
	Mediators    []string
	Contacts     map[string]string
	Materials    string
	MaterialCode string
	Referrals    string
}

// checked is an Input that passed the checks.
type checked struct {
	heldOn, area, place, code string
	team                      []Member
	mediators                 []string
	contacts                  map[string]int
	materials, referrals      int
}

func (s *Service) check(ctx context.Context, in Input) (checked, error) {
	var fe apperr.Fields
	out := checked{area: strings.TrimSpace(in.AreaCode), place: strings.TrimSpace(in.LocationType), code: strings.TrimSpace(in.MaterialCode),
		contacts: map[string]int{}}
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(in.HeldOn))
	if err != nil || d.Year() < 2000 || d.Format(time.DateOnly) > s.today() {
		fe.Add("held_on", "outreach.error.held_on")
	} else {
		out.heldOn = d.Format(time.DateOnly)
	}
	if out.area == "" && out.place == "" {
		fe.Add("area", "outreach.error.where")
	}
	if out.area != "" {
		areas, err := s.areas(ctx)
		if err != nil {
			return checked{}, fmt.Errorf("load the city's areas: %w", err)
		}
		if !slices.ContainsFunc(areas, func(a geo.Area) bool { return a.Code == out.area }) {
			fe.Add("area", "outreach.error.area")
		}
	}
	if out.place != "" && !LocationTypeKnown(out.place) {
		fe.Add("location_type", "outreach.error.location_type")
	}
	for g, v := range in.Contacts {
		n, ok := count(v)
		if !slices.Contains(groups, g) || !ok {
			fe.Add("contacts_"+g, "outreach.error.count")
			continue
		}
		if n > 0 {
			out.contacts[g] = n
		}
	}
	var ok bool
	if out.materials, ok = count(in.Materials); !ok {
		fe.Add("materials", "outreach.error.count")
	}
	if out.referrals, ok = count(in.Referrals); !ok {
		fe.Add("referrals", "outreach.error.count")
	}
	if out.code != "" && (utf8.RuneCountInString(out.code) > maxCode || !materialCode.MatchString(out.code)) {
		fe.Add("material_code", "outreach.error.material_code")
	}
	for _, r := range in.Team {
		org := strings.TrimSpace(r.OrgID)
		if org == "" && strings.TrimSpace(r.Staff) == "" {
			continue
		}
		n, ok := count(r.Staff)
		field := fmt.Sprintf("team_staff_%d", r.Index)
		switch {
		case !ok || n == 0:
			fe.Add(field, "outreach.error.staff")
		case org == "" || slices.ContainsFunc(out.team, func(m Member) bool { return m.OrgID == org }):
			fe.Add(fmt.Sprintf("team_org_%d", r.Index), "outreach.error.team_org")
		default:
			out.team = append(out.team, Member{OrgID: org, Staff: n})
		}
	}
	if len(out.team) == 0 || len(out.team) > maxTeam {
		fe.Add("team", "outreach.error.team")
	}
	for _, m := range in.Mediators {
		if m = strings.TrimSpace(m); m != "" && !slices.Contains(out.mediators, m) {
			out.mediators = append(out.mediators, m)
		}
	}
	return out, fe.Err()
}

// Create records a session in the actor's organisation. Every team
// organisation must be active and every mediator an active mediator of
// the register; a refusal changes nothing.
func (s *Service) Create(ctx context.Context, actor access.Actor, in Input) (Session, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.RecordOutreach, "outreach_session", ""); err != nil {
		return Session{}, err
	}
	c, err := s.check(ctx, in)
	if err != nil {
		return Session{}, err
	}
	var out Session
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		var fe apperr.Fields
		for i, m := range c.team {
			ok, err := activeOrg(ctx, tx, m.OrgID)
			if err != nil {
				return fmt.Errorf("check team organisation: %w", err)
			}
			if !ok {
				fe.Add(fmt.Sprintf("team_org_%d", teamIndex(in.Team, m.OrgID, i)), "outreach.error.team_org")
			}
		}
		for _, id := range c.mediators {
			ok, err := mediator(ctx, tx, id)
			if err != nil {
				return fmt.Errorf("check mediator: %w", err)
			}
			if !ok {
				fe.Add("mediators", "outreach.error.mediator")
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		id := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO outreach_sessions (id, org_id, held_on, area_code, location_type, materials, material_code,
				referrals, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, actor.OrgID, c.heldOn, c.area, c.place, c.materials, c.code, c.referrals, actor.UserID, s.now()); err != nil {
			return fmt.Errorf("insert outreach session: %w", err)
		}
		for _, m := range c.team {
			if _, err := tx.ExecContext(ctx, `INSERT INTO outreach_team (session_id, org_id, staff) VALUES ($1, $2, $3)`, id, m.OrgID, m.Staff); err != nil {
				return fmt.Errorf("insert outreach team: %w", err)
			}
		}
		for _, m := range c.mediators {
			if _, err := tx.ExecContext(ctx, `INSERT INTO outreach_mediators (session_id, interpreter_id) VALUES ($1, $2)`, id, m); err != nil {
				return fmt.Errorf("insert outreach mediator: %w", err)
			}
		}
		for _, g := range groups {
			if n := c.contacts[g]; n > 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO outreach_contacts (session_id, contact_group, contacts) VALUES ($1, $2, $3)`, id, g, n); err != nil {
					return fmt.Errorf("insert outreach contacts: %w", err)
				}
			}
		}
		if err := s.gate.Record(ctx, tx, actor, "outreach.session.create", "outreach_session", id, actor.OrgID, c.heldOn); err != nil {
			return err
		}
		out, err = session(ctx, tx, access.SystemScope(), id)
		return err
	})
	return out, err
}

// teamIndex is the form row of the team member at position i.
func teamIndex(rows []TeamRow, orgID string, i int) int {
	for _, r := range rows {
		if strings.TrimSpace(r.OrgID) == orgID {
			return r.Index
		}
	}
	return i
}

const sessionColumns = `s.id, s.org_id, o.name, s.held_on, s.area_code, s.location_type, s.materials, s.material_code, s.referrals`

func scanSession(r interface{ Scan(...any) error }) (Session, error) {
	var out Session
	err := r.Scan(&out.ID, &out.OrgID, &out.OrgName, &out.HeldOn, &out.AreaCode, &out.LocationType, &out.Materials, &out.MaterialCode, &out.Referrals)
	out.Contacts = map[string]int{}
	return out, err
}

// contactsOf fills the contacts of sessions, in scope.
func contactsOf(ctx context.Context, tx *storage.Tx, sc access.Scope, from, to string, bySession map[string]*Session) error {
	rows, err := tx.QueryContext(ctx, `SELECT c.session_id, c.contact_group, c.contacts FROM outreach_contacts c
		JOIN outreach_sessions s ON s.id = c.session_id
		WHERE ($1 = '*' OR s.org_id = $1) AND s.held_on >= $2 AND s.held_on <= $3`, sc.Org(), from, to)
	if err != nil {
		return fmt.Errorf("list outreach contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, g string
		var n int
		if err := rows.Scan(&id, &g, &n); err != nil {
			return fmt.Errorf("scan outreach contacts: %w", err)
		}
		if s := bySession[id]; s != nil {
			s.Contacts[g] += n
			s.Contacted += n
		}
	}
	return rows.Err()
}

// session loads session id in scope with its team and mediators.
func session(ctx context.Context, tx *storage.Tx, sc access.Scope, id string) (Session, error) {
	out, err := scanSession(tx.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM outreach_sessions s JOIN organisations o ON o.id = s.org_id
		WHERE s.id = $1 AND ($2 = '*' OR s.org_id = $2)`, id, sc.Org()))
	if err != nil {
		return Session{}, fmt.Errorf("load outreach session %s: %w", id, storage.MapError(err))
	}
	if err := contactsOf(ctx, tx, access.SystemScope(), out.HeldOn, out.HeldOn, map[string]*Session{id: &out}); err != nil {
		return Session{}, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT t.org_id, o.name, t.staff FROM outreach_team t JOIN organisations o ON o.id = t.org_id
		WHERE t.session_id = $1 ORDER BY o.name, t.org_id`, id)
	if err != nil {
		return Session{}, fmt.Errorf("list outreach team: %w", err)
	}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.OrgID, &m.OrgName, &m.Staff); err != nil {
			rows.Close()
			return Session{}, fmt.Errorf("scan outreach team: %w", err)
		}
		out.Team = append(out.Team, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Session{}, fmt.Errorf("list outreach team: %w", err)
	}
	med, err := tx.QueryContext(ctx, `SELECT interpreter_id FROM outreach_mediators WHERE session_id = $1 ORDER BY interpreter_id`, id)
	if err != nil {
		return Session{}, fmt.Errorf("list outreach mediators: %w", err)
	}
	defer med.Close()
	for med.Next() {
		var m string
		if err := med.Scan(&m); err != nil {
			return Session{}, fmt.Errorf("scan outreach mediator: %w", err)
		}
		out.Mediators = append(out.Mediators, m)
	}
	return out, med.Err()
}

// Session is one session in the actor's scope.
func (s *Service) Session(ctx context.Context, actor access.Actor, id string) (Session, error) {
	sc, err := s.gate.Authorize(ctx, actor, access.RecordOutreach, "outreach_session", id)
	if err != nil {
		return Session{}, err
	}
	var out Session
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		out, err = session(ctx, tx, sc, id)
		return err
	})
	if apperr.Is(err, apperr.NotFound) {
		// Another organisation's session reads as missing; the attempt is
		// audited like any refusal.
		return Session{}, s.gate.Refuse(ctx, actor, access.RecordOutreach, "outreach_session", id, err)
	}
	return out, err
}

// sessions lists the sessions in scope held from from to to, newest first.
func sessions(ctx context.Context, tx *storage.Tx, sc access.Scope, from, to string, limit int) ([]Session, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+sessionColumns+` FROM outreach_sessions s JOIN organisations o ON o.id = s.org_id
		WHERE ($1 = '*' OR s.org_id = $1) AND s.held_on >= $2 AND s.held_on <= $3
		ORDER BY s.held_on DESC, s.id DESC LIMIT $4`, sc.Org(), from, to, limit)
	if err != nil {
		return nil, fmt.Errorf("list outreach sessions: %w", err)
	}
	var out []Session
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan outreach session: %w", err)
		}
		out = append(out, ss)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list outreach sessions: %w", err)
	}
	by := map[string]*Session{}
	for i := range out {
		by[out[i].ID] = &out[i]
	}
	return out, contactsOf(ctx, tx, sc, from, to, by)
}
