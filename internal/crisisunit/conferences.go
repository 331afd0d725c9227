package crisisunit

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Party is a participating organisation or user, by id and display name
// (an organisation's name, a user's username: neither is about the victim).
type Party struct {
	ID   string
	Name string
}

// Decision is one decision of a conference.
type Decision struct {
	ID   string
	Code string
	// Text is the decision's wording, filled only by Conference.
	Text string
}

// Conference is one case conference of the Evaluation and Crisis Unit.
type Conference struct {
	ID     string
	CaseID string
	Number int
	At     time.Time
	Orgs   []Party
	Users  []Party
	Agenda []string
	// Minutes and Decisions' texts are filled only by Conference.
	Minutes    string
	HasMinutes bool
	Decisions  []Decision
	// Tasks are the tasks the conference gave.
	Tasks      []Task
	RecordedAt *time.Time
	CreatedBy  string
	CreatedAt  time.Time
}

// Recorded reports whether the conference's outcome was recorded; until
// then it is a scheduled meeting.
func (c Conference) Recorded() bool { return c.RecordedAt != nil }

// NewDecision is a decision to record.
type NewDecision struct {
	Code string
	Text string
}

// NewTask is a task a conference gives.
type NewTask struct {
	Title     string
	OwnerOrg  string
	OwnerUser string
	// Due is the day the task is due; it may not be in the past.
	Due time.Time
	// Needs are the categories of case data the task needs (shareable
	// ones); the owner is offered the share the task's organisation lacks.
	Needs []cases.Category
}

// NewConference is a case conference to record or schedule. Without
// minutes and decisions it is scheduled and registers a "conference"
// deadline for its day; with them its outcome is recorded at once.
type NewConference struct {
	At     time.Time
	Orgs   []string
	Users  []string
	Agenda []string
	Outcome
}

// Outcome is what a conference decided: minutes, decisions and tasks.
// Field errors name decision.N.code, decision.N.text, task.N.title,
// task.N.org, task.N.user and task.N.due, N counting from 1 in the order given.
type Outcome struct {
	Minutes   string
	Decisions []NewDecision
	Tasks     []NewTask
}

func (o Outcome) empty() bool {
	return strings.TrimSpace(o.Minutes) == "" && len(o.Decisions) == 0 && len(o.Tasks) == 0
}

// activeOrgs returns the names of those of ids that exist and are not
// disabled.
func activeOrgs(ctx context.Context, tx *storage.Tx, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := storage.InList(1, ids)
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM organisations WHERE disabled_at IS NULL AND id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("load organisations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("scan organisation: %w", err)
		}
		out[id] = name
	}
	return out, rows.Err()
}

// activeUsers returns the organisation of those of ids that are active
// accounts of active organisations.
func activeUsers(ctx context.Context, tx *storage.Tx, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := storage.InList(1, ids)
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.org_id FROM users u JOIN organisations o ON o.id = u.org_id
		WHERE u.disabled_at IS NULL AND o.disabled_at IS NULL AND u.id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, org string
		if err := rows.Scan(&id, &org); err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		out[id] = org
	}
	return out, rows.Err()
}

func dedupe(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// checkOutcome validates an outcome against the conference's participating
// organisations (orgs) and returns its field errors.
func (s *Service) checkOutcome(ctx context.Context, tx *storage.Tx, o *Outcome, orgs []string) ([]apperr.FieldError, error) {
	var fields []apperr.FieldError
	if tooLong(o.Minutes, MaxMinutes) {
		fields = append(fields, apperr.FieldError{Field: "minutes", Key: "crisisunit.error.too_long"})
	}
	for i := range o.Decisions {
		d := &o.Decisions[i]
		d.Text = strings.TrimSpace(d.Text)
		n := strconv.Itoa(i + 1)
		if !slices.Contains(decisionCodes, d.Code) {
			fields = append(fields, apperr.FieldError{Field: "decision." + n + ".code", Key: "crisisunit.error.decision_code"})
		}
		switch {
		case d.Text == "":
			fields = append(fields, apperr.FieldError{Field: "decision." + n + ".text", Key: "crisisunit.error.decision_text"})
		case tooLong(d.Text, MaxDecision):
			fields = append(fields, apperr.FieldError{Field: "decision." + n + ".text", Key: "crisisunit.error.too_long"})
		}
	}
	var userIDs []string
	for _, t := range o.Tasks {
		if t.OwnerUser != "" {
			userIDs = append(userIDs, t.OwnerUser)
		}
	}
	users, err := activeUsers(ctx, tx, userIDs)
	if err != nil {
		return nil, err
	}
	live, err := activeOrgs(ctx, tx, orgs)
	if err != nil {
		return nil, err
	}
	today := s.today()
	for i := range o.Tasks {
		t := &o.Tasks[i]
		t.Title = strings.TrimSpace(t.Title)
		n := strconv.Itoa(i + 1)
		switch {
		case t.Title == "":
			fields = append(fields, apperr.FieldError{Field: "task." + n + ".title", Key: "crisisunit.error.task_title"})
		case tooLong(t.Title, MaxTitle):
			fields = append(fields, apperr.FieldError{Field: "task." + n + ".title", Key: "crisisunit.error.too_long"})
		}
		if _, ok := live[t.OwnerOrg]; !ok {
			fields = append(fields, apperr.FieldError{Field: "task." + n + ".org", Key: "crisisunit.error.owner_not_participant"})
		} else if t.OwnerUser != "" && users[t.OwnerUser] != t.OwnerOrg {
			fields = append(fields, apperr.FieldError{Field: "task." + n + ".user", Key: "crisisunit.error.owner_user"})
		}
		for _, c := range t.Needs {
			if !slices.Contains(cases.Shareable(), c) {
				fields = append(fields, apperr.FieldError{Field: "task." + n + ".needs", Key: "crisisunit.error.task_needs"})
				break
			}
		}
		switch {
		case t.Due.IsZero():
			fields = append(fields, apperr.FieldError{Field: "task." + n + ".due", Key: "crisisunit.error.due_required"})
		case day(t.Due).Before(today):
			fields = append(fields, apperr.FieldError{Field: "task." + n + ".due", Key: "crisisunit.error.due_past"})
		}
	}
	return fields, nil
}

// CreateConference records (or schedules) a case conference with its
// participants, agenda and outcome, in one transaction. Every participating
// organisation must exist and be active, each named user must be an active
// account of one of them, and every task is given to a participating
// organisation (and optionally one of its users).
func (s *Service) CreateConference(ctx context.Context, actor access.Actor, caseID string, in NewConference) (Conference, error) {
	in.Orgs, in.Users, in.Agenda = dedupe(in.Orgs), dedupe(in.Users), dedupe(in.Agenda)
	var out Conference
	err := s.cases.Change(ctx, actor, access.ManageCrisisUnit, caseID, cases.CrisisUnit, func(tx *storage.Tx, a cases.Access) error {
		var fields []apperr.FieldError
		if in.At.IsZero() {
			fields = append(fields, apperr.FieldError{Field: "at", Key: "crisisunit.error.at_required"})
		}
		orgs, err := activeOrgs(ctx, tx, in.Orgs)
		if err != nil {
			return err
		}
		switch {
		case len(in.Orgs) == 0:
			fields = append(fields, apperr.FieldError{Field: "orgs", Key: "crisisunit.error.no_participants"})
		case len(orgs) != len(in.Orgs):
			fields = append(fields, apperr.FieldError{Field: "orgs", Key: "crisisunit.error.org_unknown"})
		}
		users, err := activeUsers(ctx, tx, in.Users)
		if err != nil {
			return err
		}
		for _, u := range in.Users {
			if _, ok := orgs[users[u]]; !ok {
				fields = append(fields, apperr.FieldError{Field: "users", Key: "crisisunit.error.user_not_participant"})
				break
			}
		}
		for _, c := range in.Agenda {
			if !slices.Contains(agendaCodes, c) {
				fields = append(fields, apperr.FieldError{Field: "agenda", Key: "crisisunit.error.agenda_code"})
				break
			}
		}
		more, err := s.checkOutcome(ctx, tx, &in.Outcome, in.Orgs)
		if err != nil {
			return err
		}
		if fields = append(fields, more...); len(fields) > 0 {
			return apperr.Validation(fields...)
		}
		now := s.cases.Now()
		c := Conference{ID: cases.NewID(), CaseID: caseID, At: in.At.UTC().Truncate(time.Microsecond), Agenda: in.Agenda,
			CreatedBy: actor.UserID, CreatedAt: now}
		if c.Agenda == nil {
			c.Agenda = []string{}
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM case_conferences WHERE case_id = $1`, caseID).Scan(&c.Number); err != nil {
			return fmt.Errorf("number conference of case %s: %w", caseID, err)
		}
		agenda, _ := json.Marshal(c.Agenda)
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_conferences (id, case_id, number, held_at, agenda, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, caseID, c.Number, c.At, string(agenda), actor.UserID, now); err != nil {
			return fmt.Errorf("insert conference of case %s: %w", caseID, err)
		}
		for _, o := range in.Orgs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_conference_orgs (conference_id, org_id) VALUES ($1, $2)`, c.ID, o); err != nil {
				return fmt.Errorf("insert participant of conference %s: %w", c.ID, err)
			}
		}
		for _, u := range in.Users {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_conference_users (conference_id, user_id) VALUES ($1, $2)`, c.ID, u); err != nil {
				return fmt.Errorf("insert participant of conference %s: %w", c.ID, err)
			}
		}
		if err := s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "conference", Category: cases.CrisisUnit, RefID: c.ID,
			Detail: strings.Join(c.Agenda, ",")}); err != nil {
			return err
		}
		if in.empty() {
			// A scheduled meeting: remind the team the day before.
			d := day(c.At.In(s.zone))
			if err := s.cases.SetDeadline(ctx, tx, a.Case, cases.Deadline{Kind: "conference", RefID: c.ID, Due: d, RemindOn: d.AddDate(0, 0, -1)}); err != nil {
				return err
			}
		} else if err := s.record(ctx, tx, actor, a.Case, c.ID, in.Outcome); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// RecordOutcome records the minutes, decisions and tasks of a conference
// (typically one that was scheduled) and clears its "conference" deadline.
// Minutes, when given, replace earlier ones; decisions and tasks are added.
func (s *Service) RecordOutcome(ctx context.Context, actor access.Actor, caseID string, number int, o Outcome) error {
	return s.cases.Change(ctx, actor, access.ManageCrisisUnit, caseID, cases.CrisisUnit, func(tx *storage.Tx, a cases.Access) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM case_conferences WHERE case_id = $1 AND number = $2`, caseID, number).Scan(&id)
		if err != nil {
			return fmt.Errorf("load conference %d of case %s: %w", number, caseID, storage.MapError(err))
		}
		orgs, err := conferenceOrgs(ctx, tx, id)
		if err != nil {
			return err
		}
		ids := make([]string, len(orgs))
		for i, p := range orgs {
			ids[i] = p.ID
		}
		fields, err := s.checkOutcome(ctx, tx, &o, ids)
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			return apperr.Validation(fields...)
		}
		if o.empty() {
			return apperr.Validation(apperr.FieldError{Field: "minutes", Key: "crisisunit.error.outcome_empty"})
		}
		return s.record(ctx, tx, actor, a.Case, id, o)
	})
}

// record stores a validated outcome of conference confID.
func (s *Service) record(ctx context.Context, tx *storage.Tx, actor access.Actor, c cases.Case, confID string, o Outcome) error {
	now := s.cases.Now()
	v, rec := s.cases.Vault(), cases.Record(c.ID)
	if m := strings.TrimSpace(o.Minutes); m != "" {
		sealed, err := v.Seal(ctx, tx, rec, "conference.minutes", []byte(m))
		if err != nil {
			return fmt.Errorf("seal minutes of conference %s: %w", confID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_conferences SET minutes = $1 WHERE id = $2`, sealed, confID); err != nil {
			return fmt.Errorf("store minutes of conference %s: %w", confID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE case_conferences SET recorded_at = $1 WHERE id = $2`, now, confID); err != nil {
		return fmt.Errorf("mark conference %s recorded: %w", confID, err)
	}
	for _, d := range o.Decisions {
		sealed, err := v.Seal(ctx, tx, rec, "decision.text", []byte(d.Text))
		if err != nil {
			return fmt.Errorf("seal decision of conference %s: %w", confID, err)
		}
		id := cases.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_decisions (id, conference_id, case_id, code, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, confID, c.ID, d.Code, sealed, now); err != nil {
			return fmt.Errorf("insert decision of conference %s: %w", confID, err)
		}
		if err := s.cases.Log(ctx, tx, actor, c, cases.Event{Kind: "decision", Category: cases.CrisisUnit, RefID: id, Detail: d.Code}); err != nil {
			return err
		}
	}
	for _, t := range o.Tasks {
		if _, err := s.addTask(ctx, tx, actor, c, taskRow{conferenceID: confID, title: t.Title, ownerOrg: t.OwnerOrg,
			ownerUser: t.OwnerUser, due: day(t.Due), needs: t.Needs}); err != nil {
			return err
		}
	}
	if err := s.cases.Log(ctx, tx, actor, c, cases.Event{Kind: "conference_recorded", Category: cases.CrisisUnit, RefID: confID}); err != nil {
		return err
	}
	return s.cases.ClearDeadline(ctx, tx, "conference", confID)
}

func conferenceOrgs(ctx context.Context, tx *storage.Tx, confID string) ([]Party, error) {
	return parties(ctx, tx, `SELECT o.id, o.name FROM case_conference_orgs p JOIN organisations o ON o.id = p.org_id
		WHERE p.conference_id = $1 ORDER BY lower(o.name), o.id`, confID)
}

func conferenceUsers(ctx context.Context, tx *storage.Tx, confID string) ([]Party, error) {
	return parties(ctx, tx, `SELECT u.id, u.username FROM case_conference_users p JOIN users u ON u.id = p.user_id
		WHERE p.conference_id = $1 ORDER BY u.username`, confID)
}

func parties(ctx context.Context, tx *storage.Tx, q, id string) ([]Party, error) {
	rows, err := tx.QueryContext(ctx, q, id)
	if err != nil {
		return nil, fmt.Errorf("load participants of conference %s: %w", id, err)
	}
	defer rows.Close()
	var out []Party
	for rows.Next() {
		var p Party
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			return nil, fmt.Errorf("scan participant of conference %s: %w", id, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

const conferenceColumns = `id, case_id, number, held_at, agenda, minutes IS NOT NULL, recorded_at, created_by, created_at`

func scanConference(row interface{ Scan(...any) error }) (Conference, error) {
	var c Conference
	var agenda string
	if err := row.Scan(&c.ID, &c.CaseID, &c.Number, &c.At, &agenda, &c.HasMinutes, &c.RecordedAt, &c.CreatedBy, &c.CreatedAt); err != nil {
		return Conference{}, err
	}
	if err := json.Unmarshal([]byte(agenda), &c.Agenda); err != nil {
		return Conference{}, fmt.Errorf("decode agenda of conference %s: %w", c.ID, err)
	}
	return c, nil
}

// CaseUnit is the crisis-unit tab of a case: its conferences (without
// minutes and decision texts) and every task of the case.
type CaseUnit struct {
	Access      cases.Access `json:"-"`
	Conferences []Conference
	Tasks       []Task
}

// Conferences lists a case's conferences, newest first, and its tasks,
// open ones first, with their titles (an audited read of the case's
// crisis-unit data).
func (s *Service) Conferences(ctx context.Context, actor access.Actor, caseID string) (CaseUnit, error) {
	var out CaseUnit
	err := s.cases.View(ctx, actor, caseID, cases.CrisisUnit, func(tx *storage.Tx, a cases.Access) error {
		var err error
		out, err = s.Export(ctx, tx, a)
		return err
	})
	return out, err
}

// Export reads a case's conferences and tasks inside a transaction that went
// through the case gate: for the case page and the data-protection export.
func (s *Service) Export(ctx context.Context, tx *storage.Tx, a cases.Access) (CaseUnit, error) {
	var out CaseUnit
	caseID := a.Case.ID
	out.Access = a
	rows, err := tx.QueryContext(ctx, `SELECT `+conferenceColumns+` FROM case_conferences WHERE case_id = $1 ORDER BY number DESC`, caseID)
	if err != nil {
		return CaseUnit{}, fmt.Errorf("list conferences of case %s: %w", caseID, err)
	}
	for rows.Next() {
		c, err := scanConference(rows)
		if err != nil {
			rows.Close()
			return CaseUnit{}, fmt.Errorf("scan conference of case %s: %w", caseID, err)
		}
		out.Conferences = append(out.Conferences, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return CaseUnit{}, fmt.Errorf("list conferences of case %s: %w", caseID, err)
	}
	for i := range out.Conferences {
		if out.Conferences[i].Orgs, err = conferenceOrgs(ctx, tx, out.Conferences[i].ID); err != nil {
			return CaseUnit{}, err
		}
	}
	out.Tasks, err = s.caseTasks(ctx, tx, a.Case, "")
	return out, err
}

// ConferenceView is one conference with its case access.
type ConferenceView struct {
	Access     cases.Access
	Conference Conference
}

// Conference returns conference number of a case with its minutes,
// decisions and tasks opened (an audited read of crisis-unit data).
func (s *Service) Conference(ctx context.Context, actor access.Actor, caseID string, number int) (ConferenceView, error) {
	var out ConferenceView
	err := s.cases.View(ctx, actor, caseID, cases.CrisisUnit, func(tx *storage.Tx, a cases.Access) error {
		out.Access = a
		var sealed []byte
		c, err := scanConference(tx.QueryRowContext(ctx, `SELECT `+conferenceColumns+` FROM case_conferences WHERE case_id = $1 AND number = $2`, caseID, number))
		if err != nil {
			return fmt.Errorf("load conference %d of case %s: %w", number, caseID, storage.MapError(err))
		}
		v, rec := s.cases.Vault(), cases.Record(caseID)
		if c.HasMinutes {
			if err := tx.QueryRowContext(ctx, `SELECT minutes FROM case_conferences WHERE id = $1`, c.ID).Scan(&sealed); err != nil {
				return fmt.Errorf("load minutes of conference %s: %w", c.ID, err)
			}
			plain, err := v.Open(ctx, tx, rec, "conference.minutes", sealed)
			if err != nil {
				return fmt.Errorf("open minutes of conference %s: %w", c.ID, err)
			}
			c.Minutes = string(plain)
		}
		if c.Orgs, err = conferenceOrgs(ctx, tx, c.ID); err != nil {
			return err
		}
		if c.Users, err = conferenceUsers(ctx, tx, c.ID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, code, body FROM case_decisions WHERE conference_id = $1 ORDER BY created_at, id`, c.ID)
		if err != nil {
			return fmt.Errorf("load decisions of conference %s: %w", c.ID, err)
		}
		type sealedDecision struct {
			d    Decision
			body []byte
		}
		var ds []sealedDecision
		for rows.Next() {
			var d sealedDecision
			if err := rows.Scan(&d.d.ID, &d.d.Code, &d.body); err != nil {
				rows.Close()
				return fmt.Errorf("scan decision of conference %s: %w", c.ID, err)
			}
			ds = append(ds, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("load decisions of conference %s: %w", c.ID, err)
		}
		for _, d := range ds {
			plain, err := v.Open(ctx, tx, rec, "decision.text", d.body)
			if err != nil {
				return fmt.Errorf("open decision %s: %w", d.d.ID, err)
			}
			d.d.Text = string(plain)
			c.Decisions = append(c.Decisions, d.d)
		}
		if c.Tasks, err = s.caseTasks(ctx, tx, a.Case, c.ID); err != nil {
			return err
		}
		out.Conference = c
		return nil
	})
	return out, err
}
