package workgroup

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/storage"
)

// Meeting is a meeting of the group.
type Meeting struct {
	ID       string
	StartsAt time.Time
	// HeldOn is the local date of StartsAt (YYYY-MM-DD).
	HeldOn    string
	Place     string
	Agenda    []string
	Decisions string
	// Minutes is filled only by Meeting, which audits the reading.
	Minutes    string
	HasMinutes bool
	// Present are the ids of the members present.
	Present []string
	Actions []Action
}

// Action is an action item a meeting agreed.
type Action struct {
	ID         string
	MeetingID  string
	MeetingAt  time.Time
	What       string
	OwnerOrgID string
	OwnerName  string
	// DueOn is YYYY-MM-DD.
	DueOn  string
	Status string
	// MeasureID is the action plan's measure the item became, or "".
	MeasureID string
}

// Overdue reports whether an open item is past its due date on day.
func (a Action) Overdue(day string) bool { return a.Status == "open" && a.DueOn < day }

// MeetingInput schedules a meeting. StartsAt is local time as LocalMinute.
type MeetingInput struct {
	StartsAt string
	Place    string
	Agenda   []string
}

// ActionInput is a new action item.
type ActionInput struct {
	What       string
	OwnerOrgID string
	DueOn      string
}

// Record is what the coordinator records for a meeting: agenda, minutes,
// decisions, who was present, the status of each action item by id and new
// action items. It replaces what was recorded before.
type Record struct {
	Agenda    []string
	Minutes   string
	Decisions string
	Present   []string
	Statuses  map[string]string
	New       []ActionInput
}

// startsAt parses a local start time.
func (s *Service) startsAt(v string) (time.Time, bool) {
	t, err := time.ParseInLocation(LocalMinute, strings.TrimSpace(v), s.zone)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, false
	}
	return t.UTC(), true
}

func checkAgenda(fe *fields, agenda []string) []string {
	agenda = lines(agenda)
	if len(agenda) > maxAgenda || slices.ContainsFunc(agenda, func(a string) bool { return tooLong(a, maxItem) }) {
		fe.Add("agenda", "workgroup.error.agenda")
	}
	return agenda
}

// CreateMeeting schedules a meeting (or records one held).
func (s *Service) CreateMeeting(ctx context.Context, actor access.Actor, in MeetingInput) (Meeting, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageWorkingGroup, "workgroup_meeting", ""); err != nil {
		return Meeting{}, err
	}
	var fe fields
	at, ok := s.startsAt(in.StartsAt)
	if !ok {
		fe.Add("starts_at", "workgroup.error.datetime")
	}
	in.Place = strings.TrimSpace(in.Place)
	if in.Place == "" || tooLong(in.Place, maxPlace) {
		fe.Add("place", "workgroup.error.place")
	}
	agenda := checkAgenda(&fe, in.Agenda)
	if err := fe.Err(); err != nil {
		return Meeting{}, err
	}
	var out Meeting
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		id, now := newID(), s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO workgroup_meetings (id, starts_at, held_on, place, agenda, minutes, decisions,
				created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, NULL, '', $6, $7, $6, $7)`,
			id, at, at.In(s.zone).Format(time.DateOnly), in.Place, jsonList(agenda), actor.UserID, now); err != nil {
			return fmt.Errorf("insert meeting: %w", err)
		}
		if err := s.gate.Record(ctx, tx, actor, "workgroup.meeting.create", "workgroup_meeting", id, "", ""); err != nil {
			return err
		}
		var err error
		out, err = s.loadMeeting(ctx, tx, id, "*", false)
		return err
	})
	return out, err
}

type meetingRow struct {
	Meeting
	agenda  string
	minutes []byte
}

const meetingColumns = `mt.id, mt.starts_at, mt.held_on, mt.place, mt.agenda, mt.minutes, mt.decisions`

func scanMeeting(r interface{ Scan(...any) error }) (meetingRow, error) {
	var out meetingRow
	if err := r.Scan(&out.ID, &out.StartsAt, &out.HeldOn, &out.Place, &out.agenda, &out.minutes, &out.Decisions); err != nil {
		return meetingRow{}, err
	}
	out.HasMinutes = len(out.minutes) > 0
	if err := json.Unmarshal([]byte(out.agenda), &out.Agenda); err != nil {
		return meetingRow{}, fmt.Errorf("decode agenda of meeting %s: %w", out.ID, err)
	}
	return out, nil
}

// loadMeeting loads meeting id if the scope org may read it, with its
// attendance and action items, the minutes decrypted when withMinutes.
func (s *Service) loadMeeting(ctx context.Context, tx *storage.Tx, id, scope string, withMinutes bool) (Meeting, error) {
	r, err := scanMeeting(tx.QueryRowContext(ctx, `SELECT `+meetingColumns+` FROM workgroup_meetings mt WHERE `+visible+` AND mt.id = $2`, scope, id))
	if err != nil {
		return Meeting{}, fmt.Errorf("load meeting %s: %w", id, storage.MapError(err))
	}
	m := r.Meeting
	if withMinutes && r.minutes != nil {
		if m.Minutes, err = s.open(ctx, tx, meetingRecord(id), "minutes", r.minutes); err != nil {
			return Meeting{}, err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT member_id FROM workgroup_attendance WHERE meeting_id = $1 ORDER BY member_id`, id)
	if err != nil {
		return Meeting{}, fmt.Errorf("load attendance of %s: %w", id, err)
	}
	for rows.Next() {
		var mid string
		if err := rows.Scan(&mid); err != nil {
			rows.Close()
			return Meeting{}, fmt.Errorf("scan attendance: %w", err)
		}
		m.Present = append(m.Present, mid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Meeting{}, fmt.Errorf("load attendance of %s: %w", id, err)
	}
	m.Actions, err = actions(ctx, tx, `a.meeting_id = $1`, id)
	return m, err
}

// actions loads action items matching where, soonest due first.
func actions(ctx context.Context, tx *storage.Tx, where string, args ...any) ([]Action, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.id, a.meeting_id, mt.starts_at, a.what, a.owner_org_id, o.name, a.due_on, a.status, a.measure_id
		FROM workgroup_actions a JOIN workgroup_meetings mt ON mt.id = a.meeting_id JOIN organisations o ON o.id = a.owner_org_id
		WHERE `+where+` ORDER BY a.due_on, a.created_at, a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list action items: %w", err)
	}
	defer rows.Close()
	var out []Action
	for rows.Next() {
		var a Action
		if err := rows.Scan(&a.ID, &a.MeetingID, &a.MeetingAt, &a.What, &a.OwnerOrgID, &a.OwnerName, &a.DueOn, &a.Status, &a.MeasureID); err != nil {
			return nil, fmt.Errorf("scan action item: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// MeetingPage is a meeting with the members of the group on its date, who
// can be marked present.
type MeetingPage struct {
	Meeting
	Members []Member
}

// Meeting returns a meeting the actor's organisation may read, its minutes
// decrypted; reading minutes appends an audit entry in the same
// transaction.
func (s *Service) Meeting(ctx context.Context, actor access.Actor, id string) (MeetingPage, error) {
	scope, err := s.readScope(ctx, actor, "workgroup_meeting", id)
	if err != nil {
		return MeetingPage{}, err
	}
	var out MeetingPage
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if out.Meeting, err = s.loadMeeting(ctx, tx, id, scope.Org(), true); err != nil {
			return err
		}
		if out.Members, err = s.members(ctx, tx, `m.joined_on <= $1 AND (m.left_on = '' OR m.left_on >= $1)`, out.HeldOn); err != nil {
			return err
		}
		if !out.HasMinutes {
			return nil
		}
		return s.gate.Record(ctx, tx, actor, "workgroup.minutes.read", "workgroup_meeting", id, "", "")
	})
	return out, s.outOfScope(ctx, actor, "workgroup_meeting", id, err)
}

// RecordMeeting records agenda, minutes, decisions, attendance and action
// items of a meeting; input that is not valid changes nothing.
func (s *Service) RecordMeeting(ctx context.Context, actor access.Actor, id string, rec Record) (Meeting, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageWorkingGroup, "workgroup_meeting", id); err != nil {
		return Meeting{}, err
	}
	var fe fields
	agenda := checkAgenda(&fe, rec.Agenda)
	rec.Minutes, rec.Decisions = strings.TrimSpace(rec.Minutes), strings.TrimSpace(rec.Decisions)
	if tooLong(rec.Minutes, maxMinutes) {
		fe.Add("minutes", "workgroup.error.too_long")
	}
	if tooLong(rec.Decisions, maxDecisions) {
		fe.Add("decisions", "workgroup.error.too_long")
	}
	var out Meeting
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT id FROM workgroup_meetings WHERE id = $1`+tx.ForUpdate(), id); err != nil {
			return fmt.Errorf("lock meeting %s: %w", id, err)
		}
		cur, err := s.loadMeeting(ctx, tx, id, "*", false)
		if err != nil {
			return err
		}
		present := slices.Compact(slices.Sorted(slices.Values(rec.Present)))
		if len(present) > 0 {
			members, err := s.members(ctx, tx, `m.joined_on <= $1 AND (m.left_on = '' OR m.left_on >= $1)`, cur.HeldOn)
			if err != nil {
				return err
			}
			if slices.ContainsFunc(present, func(p string) bool {
				return !slices.ContainsFunc(members, func(m Member) bool { return m.ID == p })
			}) {
				fe.Add("present", "workgroup.error.not_member")
			}
		}
		for aid, st := range rec.Statuses {
			if !slices.ContainsFunc(cur.Actions, func(a Action) bool { return a.ID == aid }) {
				return apperr.New(apperr.NotFound, "error.not_found")
			}
			if !slices.Contains(statuses, st) {
				fe.Add("status_"+aid, "workgroup.error.status")
			}
		}
		for i := range rec.New {
			if err := checkAction(ctx, tx, &fe, &rec.New[i], cur.HeldOn); err != nil {
				return err
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		minutes, err := s.vault.Seal(ctx, tx, meetingRecord(id), "minutes", []byte(rec.Minutes))
		if err != nil {
			return fmt.Errorf("seal minutes of meeting %s: %w", id, err)
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE workgroup_meetings SET agenda = $1, minutes = $2, decisions = $3, updated_by = $4, updated_at = $5
			WHERE id = $6`, jsonList(agenda), minutes, rec.Decisions, actor.UserID, now, id); err != nil {
			return fmt.Errorf("update meeting %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM workgroup_attendance WHERE meeting_id = $1`, id); err != nil {
			return fmt.Errorf("clear attendance of %s: %w", id, err)
		}
		for _, p := range present {
			if _, err := tx.ExecContext(ctx, `INSERT INTO workgroup_attendance (meeting_id, member_id) VALUES ($1, $2)`, id, p); err != nil {
				return fmt.Errorf("insert attendance: %w", err)
			}
		}
		for aid, st := range rec.Statuses {
			if _, err := tx.ExecContext(ctx, `UPDATE workgroup_actions SET status = $1, updated_by = $2, updated_at = $3
				WHERE id = $4 AND status <> $1`, st, actor.UserID, now, aid); err != nil {
				return fmt.Errorf("update action item %s: %w", aid, err)
			}
		}
		for _, a := range rec.New {
			if _, err := tx.ExecContext(ctx, `INSERT INTO workgroup_actions (id, meeting_id, what, owner_org_id, due_on, status, measure_id,
					created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, 'open', '', $6, $7, $6, $7)`,
				newID(), id, a.What, a.OwnerOrgID, a.DueOn, actor.UserID, now); err != nil {
				return fmt.Errorf("insert action item: %w", err)
			}
		}
		detail := fmt.Sprintf("present=%d new_actions=%d minutes=%t", len(present), len(rec.New), rec.Minutes != "")
		if err := s.gate.Record(ctx, tx, actor, "workgroup.meeting.record", "workgroup_meeting", id, "", detail); err != nil {
			return err
		}
		out, err = s.loadMeeting(ctx, tx, id, "*", false)
		return err
	})
	return out, err
}

// checkAction validates a new action item against the meeting's date.
func checkAction(ctx context.Context, tx *storage.Tx, fe *fields, a *ActionInput, heldOn string) error {
	a.What, a.OwnerOrgID, a.DueOn = strings.TrimSpace(a.What), strings.TrimSpace(a.OwnerOrgID), strings.TrimSpace(a.DueOn)
	if a.What == "" || tooLong(a.What, maxItem) {
		fe.Add("action_what", "workgroup.error.action_what")
	}
	switch {
	case !day(a.DueOn):
		fe.Add("action_due", "workgroup.error.date")
	case a.DueOn < heldOn:
		fe.Add("action_due", "workgroup.error.due_before_meeting")
	}
	return checkOrg(ctx, tx, fe, "action_owner", a.OwnerOrgID)
}

// MakeMeasure turns an open action item into a measure of the action plan:
// the item's text is the objective, its owner the owner, from the meeting's
// date to the item's due date; the item keeps the measure's id. The plan
// keeps its measures in its own transaction, so a measure whose link
// failed to save stays in the plan, where the coordinator finds it.
func (s *Service) MakeMeasure(ctx context.Context, actor access.Actor, actionID string) (plan.Measure, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageWorkingGroup, "workgroup_action", actionID); err != nil {
		return plan.Measure{}, err
	}
	var a Action
	var heldOn string
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		list, err := actions(ctx, tx, `a.id = $1`, actionID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		a = list[0]
		return tx.QueryRowContext(ctx, `SELECT held_on FROM workgroup_meetings WHERE id = $1`, a.MeetingID).Scan(&heldOn)
	})
	switch {
	case err != nil:
		return plan.Measure{}, err
	case a.MeasureID != "":
		return plan.Measure{}, apperr.New(apperr.Conflict, "workgroup.error.already_measure")
	case a.Status != "open":
		return plan.Measure{}, apperr.New(apperr.Conflict, "workgroup.error.action_closed")
	}
	m, err := s.plan.CreateMeasure(ctx, actor, plan.MeasureInput{Objective: a.What, OwnerOrg: a.OwnerOrgID, StartOn: heldOn, DueOn: a.DueOn})
	if err != nil {
		return plan.Measure{}, err
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE workgroup_actions SET measure_id = $1, updated_by = $2, updated_at = $3 WHERE id = $4 AND measure_id = ''`,
			m.ID, actor.UserID, s.now(), actionID)
		if err != nil {
			return fmt.Errorf("link action item %s: %w", actionID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "workgroup.error.already_measure")
		}
		return s.gate.Record(ctx, tx, actor, "workgroup.action.measure", "workgroup_action", actionID, a.OwnerOrgID, m.ID)
	})
	return m, err
}

// Overview is the working group as the reader's organisation sees it.
type Overview struct {
	// Member is false when the reader's organisation is not in the group
	// (always true with every organisation in scope): members are then
	// not listed.
	Member      bool
	Today       string
	Members     []Member
	Upcoming    []Meeting
	Past        []Meeting
	OpenActions []Action
}

// Overview lists the members, the coming and past meetings and the open
// action items the actor may read.
func (s *Service) Overview(ctx context.Context, actor access.Actor) (Overview, error) {
	scope, err := s.readScope(ctx, actor, "workgroup", "")
	if err != nil {
		return Overview{}, err
	}
	out := Overview{Today: s.today()}
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		if out.Member, err = isMember(ctx, tx, scope.Org()); err != nil {
			return err
		}
		if out.Member {
			if out.Members, err = s.members(ctx, tx, `1 = 1`); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+meetingColumns+` FROM workgroup_meetings mt WHERE `+visible+`
			ORDER BY mt.starts_at DESC, mt.id LIMIT 200`, scope.Org())
		if err != nil {
			return fmt.Errorf("list meetings: %w", err)
		}
		now := s.now()
		for rows.Next() {
			r, err := scanMeeting(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan meeting: %w", err)
			}
			if r.StartsAt.After(now) {
				out.Upcoming = append(out.Upcoming, r.Meeting)
			} else {
				out.Past = append(out.Past, r.Meeting)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list meetings: %w", err)
		}
		slices.Reverse(out.Upcoming)
		out.OpenActions, err = actions(ctx, tx, `a.status = 'open' AND `+visible, scope.Org())
		return err
	})
	return out, err
}

// Action returns an action item the actor's organisation may read.
func (s *Service) Action(ctx context.Context, actor access.Actor, id string) (Action, error) {
	scope, err := s.readScope(ctx, actor, "workgroup_action", id)
	if err != nil {
		return Action{}, err
	}
	var out Action
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		list, err := actions(ctx, tx, visible+` AND a.id = $2`, scope.Org(), id)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		out = list[0]
		return nil
	})
	return out, s.outOfScope(ctx, actor, "workgroup_action", id, err)
}
