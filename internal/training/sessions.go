package training

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Session is a training session.
type Session struct {
	ID       string
	StartsAt time.Time
	Topic    string
	// Groups are the actor groups the session was for.
	Groups []string
	// Roles describes the job roles invited, in the coordinator's words.
	Roles     string
	Trainer   string
	Languages []string
	Materials []Material
	// Attendance and Contacts are filled by Session only.
	Attendance []Attendance
	Contacts   []Contact
	// Attended is how many people attended in all.
	Attended int
}

// Material is a session's material: a title and, optionally, a link.
type Material struct {
	Title string
	URL   string
}

// Attendance is how many people of an organisation (or, with OrgID "",
// from outside the partnership), actor group and job role attended.
type Attendance struct {
	OrgID    string
	OrgName  string
	Group    string
	Role     string
	Attended int
}

// Contact is a named contact point of an organisation a session trained.
type Contact struct {
	ID        string
	SessionID string
	Topic     string
	StartsAt  time.Time
	OrgID     string
	OrgName   string
	// Name is "" when the reader may not see it.
	Name     string
	Function string
}

// SessionInput schedules or records a session. StartsAt is local time as
// LocalMinute.
type SessionInput struct {
	StartsAt  string
	Topic     string
	Groups    []string
	Roles     string
	Trainer   string
	Languages []string
	Materials []Material
}

// AttendanceInput is one row of the attendance form; Attended is the
// number as typed, so that the service refuses what is not one. Index
// names the row's fields (org_<i>, group_<i>, role_<i>, attended_<i>).
type AttendanceInput struct {
	Index    int
	OrgID    string
	Group    string
	Role     string
	Attended string
}

// ContactInput names a contact point the session trained.
type ContactInput struct {
	OrgID    string
	Name     string
	Function string
}

func (s *Service) startsAt(v string) (time.Time, bool) {
	t, err := time.ParseInLocation(LocalMinute, strings.TrimSpace(v), s.zone)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, false
	}
	return t.UTC(), true
}

func (in *SessionInput) check(fe *fields) {
	in.Topic, in.Roles, in.Trainer = strings.TrimSpace(in.Topic), strings.TrimSpace(in.Roles), strings.TrimSpace(in.Trainer)
	in.Groups, in.Languages = codes(in.Groups), codes(in.Languages)
	if in.Topic == "" || tooLong(in.Topic, maxText) {
		fe.Add("topic", "training.error.topic")
	}
	if len(in.Groups) == 0 || slices.ContainsFunc(in.Groups, func(g string) bool { return !slices.Contains(groups, g) }) {
		fe.Add("groups", "training.error.groups")
	}
	if tooLong(in.Roles, maxText) {
		fe.Add("roles", "training.error.too_long")
	}
	if in.Trainer == "" || tooLong(in.Trainer, maxText) {
		fe.Add("trainer", "training.error.trainer")
	}
	if len(in.Languages) == 0 || len(in.Languages) > 20 || slices.ContainsFunc(in.Languages, func(l string) bool { return !languageCode.MatchString(l) }) {
		fe.Add("languages", "training.error.languages")
	}
	var mats []Material
	for _, m := range in.Materials {
		m.Title, m.URL = strings.TrimSpace(m.Title), strings.TrimSpace(m.URL)
		if m.Title == "" && m.URL == "" {
			continue
		}
		mats = append(mats, m)
		if m.Title == "" || tooLong(m.Title, maxText) || tooLong(m.URL, maxURL) || (m.URL != "" && !webLink(m.URL)) {
			fe.Add("materials", "training.error.material")
		}
	}
	if len(mats) > maxMaterials {
		fe.Add("materials", "training.error.material")
	}
	in.Materials = mats
}

// webLink reports whether s is an absolute http or https link.
func webLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// CreateSession records a session with its materials.
func (s *Service) CreateSession(ctx context.Context, actor access.Actor, in SessionInput) (Session, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageTraining, "training_session", ""); err != nil {
		return Session{}, err
	}
	var fe fields
	at, ok := s.startsAt(in.StartsAt)
	if !ok {
		fe.Add("starts_at", "training.error.datetime")
	}
	in.check(&fe)
	if err := fe.Err(); err != nil {
		return Session{}, err
	}
	var out Session
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		id, now := newID(), s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO training_sessions (id, starts_at, topic, audience_groups, audience_roles, trainer, languages,
				created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9)`,
			id, at, in.Topic, jsonList(in.Groups), in.Roles, in.Trainer, jsonList(in.Languages), actor.UserID, now); err != nil {
			return fmt.Errorf("insert training session: %w", err)
		}
		for i, m := range in.Materials {
			if _, err := tx.ExecContext(ctx, `INSERT INTO training_materials (id, session_id, position, title, url) VALUES ($1, $2, $3, $4, $5)`,
				newID(), id, i, m.Title, m.URL); err != nil {
				return fmt.Errorf("insert training material: %w", err)
			}
		}
		if err := s.gate.Record(ctx, tx, actor, "training.session.create", "training_session", id, "", strings.Join(in.Groups, ",")); err != nil {
			return err
		}
		var err error
		out, err = s.session(ctx, tx, actor, id)
		return err
	})
	return out, err
}

const sessionColumns = `s.id, s.starts_at, s.topic, s.audience_groups, s.audience_roles, s.trainer, s.languages,
	COALESCE((SELECT SUM(a.attended) FROM training_attendance a WHERE a.session_id = s.id), 0)`

func scanSession(r interface{ Scan(...any) error }) (Session, error) {
	var out Session
	var grp, langs string
	if err := r.Scan(&out.ID, &out.StartsAt, &out.Topic, &grp, &out.Roles, &out.Trainer, &langs, &out.Attended); err != nil {
		return Session{}, err
	}
	if err := json.Unmarshal([]byte(grp), &out.Groups); err != nil {
		return Session{}, fmt.Errorf("decode groups of session %s: %w", out.ID, err)
	}
	if err := json.Unmarshal([]byte(langs), &out.Languages); err != nil {
		return Session{}, fmt.Errorf("decode languages of session %s: %w", out.ID, err)
	}
	return out, nil
}

func sessions(ctx context.Context, tx *storage.Tx, where, order string, args ...any) ([]Session, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+sessionColumns+` FROM training_sessions s WHERE `+where+` ORDER BY `+order+` LIMIT 100`, args...)
	if err != nil {
		return nil, fmt.Errorf("list training sessions: %w", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		ses, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("scan training session: %w", err)
		}
		out = append(out, ses)
	}
	return out, rows.Err()
}

// session loads a session with materials, attendance and contact points,
// the contacts' names as actor may read them.
func (s *Service) session(ctx context.Context, tx *storage.Tx, actor access.Actor, id string) (Session, error) {
	out, err := scanSession(tx.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM training_sessions s WHERE s.id = $1`, id))
	if err != nil {
		return Session{}, fmt.Errorf("load training session %s: %w", id, storage.MapError(err))
	}
	rows, err := tx.QueryContext(ctx, `SELECT title, url FROM training_materials WHERE session_id = $1 ORDER BY position`, id)
	if err != nil {
		return Session{}, fmt.Errorf("load materials of %s: %w", id, err)
	}
	for rows.Next() {
		var m Material
		if err := rows.Scan(&m.Title, &m.URL); err != nil {
			rows.Close()
			return Session{}, fmt.Errorf("scan material: %w", err)
		}
		out.Materials = append(out.Materials, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Session{}, fmt.Errorf("load materials of %s: %w", id, err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT COALESCE(a.org_id, ''), COALESCE(o.name, ''), a.actor_group, a.role, a.attended
		FROM training_attendance a LEFT JOIN organisations o ON o.id = a.org_id WHERE a.session_id = $1
		ORDER BY COALESCE(o.name, ''), a.actor_group, a.role`, id)
	if err != nil {
		return Session{}, fmt.Errorf("load attendance of %s: %w", id, err)
	}
	for rows.Next() {
		var a Attendance
		if err := rows.Scan(&a.OrgID, &a.OrgName, &a.Group, &a.Role, &a.Attended); err != nil {
			rows.Close()
			return Session{}, fmt.Errorf("scan attendance: %w", err)
		}
		out.Attendance = append(out.Attendance, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Session{}, fmt.Errorf("load attendance of %s: %w", id, err)
	}
	out.Contacts, err = s.contacts(ctx, tx, actor, `c.session_id = $1`, id)
	return out, err
}

// contacts loads contact points matching where; a name the actor may not
// read stays "".
func (s *Service) contacts(ctx context.Context, tx *storage.Tx, actor access.Actor, where string, args ...any) ([]Contact, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.session_id, s.topic, s.starts_at, c.org_id, o.name, c.name, c.function
		FROM training_contacts c JOIN training_sessions s ON s.id = c.session_id JOIN organisations o ON o.id = c.org_id
		WHERE `+where+` ORDER BY o.name, s.starts_at DESC, c.id LIMIT 1000`, args...)
	if err != nil {
		return nil, fmt.Errorf("list contact points: %w", err)
	}
	type row struct {
		Contact
		name []byte
	}
	var list []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.ID, &r.SessionID, &r.Topic, &r.StartsAt, &r.OrgID, &r.OrgName, &r.name, &r.Function); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan contact point: %w", err)
		}
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list contact points: %w", err)
	}
	out := make([]Contact, 0, len(list))
	for _, r := range list {
		if namesFor(actor, r.OrgID) {
			if r.Contact.Name, err = s.openName(ctx, tx, r.ID, r.name); err != nil {
				return nil, err
			}
		}
		out = append(out, r.Contact)
	}
	return out, nil
}

// Session returns a session with its materials, attendance and contact
// points; names of contact points as namesFor allows.
func (s *Service) Session(ctx context.Context, actor access.Actor, id string) (Session, error) {
	if err := s.readable(ctx, actor, "training_session", id); err != nil {
		return Session{}, err
	}
	var out Session
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = s.session(ctx, tx, actor, id)
		return err
	})
	return out, err
}

type rowKey struct{ org, group, role string }

// RecordAttendance replaces a held session's attendance with rows (blank
// rows are skipped) and, when contact is not nil, adds a trained contact
// point. Input that is not valid changes nothing.
func (s *Service) RecordAttendance(ctx context.Context, actor access.Actor, id string, rows []AttendanceInput, contact *ContactInput) (Session, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageTraining, "training_session", id); err != nil {
		return Session{}, err
	}
	var out Session
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var startsAt time.Time
		if err := tx.QueryRowContext(ctx, `SELECT starts_at FROM training_sessions WHERE id = $1`+tx.ForUpdate(), id).Scan(&startsAt); err != nil {
			return fmt.Errorf("load training session %s: %w", id, storage.MapError(err))
		}
		if startsAt.After(s.now()) {
			return apperr.New(apperr.Conflict, "training.error.session_future")
		}
		var fe fields
		var keep []Attendance
		seen := map[rowKey]bool{}
		total := 0
		for _, in := range rows {
			in.OrgID, in.Group, in.Role, in.Attended = strings.TrimSpace(in.OrgID), strings.TrimSpace(in.Group), strings.TrimSpace(in.Role), strings.TrimSpace(in.Attended)
			if in.OrgID == "" && in.Role == "" && in.Attended == "" {
				continue
			}
			i := strconv.Itoa(in.Index)
			n, err := strconv.Atoi(in.Attended)
			switch {
			case err != nil || n > MaxAttended:
				fe.Add("attended_"+i, "training.error.attended")
			case n < 0:
				fe.Add("attended_"+i, "training.error.attended_negative")
			}
			if tooLong(in.Role, maxRole) {
				fe.Add("role_"+i, "training.error.too_long")
			}
			if err := resolveGroup(ctx, tx, &fe, "org_"+i, "group_"+i, in.OrgID, &in.Group); err != nil {
				return err
			}
			k := rowKey{in.OrgID, in.Group, strings.ToLower(in.Role)}
			if seen[k] {
				fe.Add("role_"+i, "training.error.duplicate_row")
			}
			seen[k] = true
			keep = append(keep, Attendance{OrgID: in.OrgID, Group: in.Group, Role: in.Role, Attended: n})
			total += max(n, 0)
		}
		if len(keep) > maxRows {
			fe.Add("attendance", "training.error.too_many_rows")
		}
		if contact != nil {
			contact.OrgID, contact.Name, contact.Function = strings.TrimSpace(contact.OrgID), strings.TrimSpace(contact.Name), strings.TrimSpace(contact.Function)
			if contact.Name == "" || tooLong(contact.Name, 200) {
				fe.Add("contact_name", "training.error.contact_name")
			}
			if tooLong(contact.Function, 200) {
				fe.Add("contact_function", "training.error.too_long")
			}
			kind := ""
			if contact.OrgID != "" {
				var err error
				if kind, err = orgKind(ctx, tx, contact.OrgID); err != nil {
					return err
				}
			}
			if kind == "" {
				fe.Add("contact_org", "training.error.org_unknown")
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM training_attendance WHERE session_id = $1`, id); err != nil {
			return fmt.Errorf("clear attendance of %s: %w", id, err)
		}
		for _, a := range keep {
			if _, err := tx.ExecContext(ctx, `INSERT INTO training_attendance (id, session_id, org_id, actor_group, role, attended)
				VALUES ($1, $2, $3, $4, $5, $6)`, newID(), id, storage.NullString(a.OrgID), a.Group, a.Role, a.Attended); err != nil {
				return fmt.Errorf("insert attendance: %w", err)
			}
		}
		if err := s.gate.Record(ctx, tx, actor, "training.attendance.record", "training_session", id, "",
			fmt.Sprintf("rows=%d attended=%d", len(keep), total)); err != nil {
			return err
		}
		if contact != nil {
			cid := newID()
			name, err := s.vault.Seal(ctx, tx, contactRecord(cid), "name", []byte(contact.Name))
			if err != nil {
				return fmt.Errorf("seal name of contact point %s: %w", cid, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO training_contacts (id, session_id, org_id, name, function, created_by, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, cid, id, contact.OrgID, name, contact.Function, actor.UserID, s.now()); err != nil {
				return fmt.Errorf("insert contact point: %w", err)
			}
			if err := s.gate.Record(ctx, tx, actor, "training.contact.add", "training_contact", cid, contact.OrgID, id); err != nil {
				return err
			}
		}
		var err error
		out, err = s.session(ctx, tx, actor, id)
		return err
	})
	return out, err
}
