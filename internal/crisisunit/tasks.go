package crisisunit

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Task is a task of the crisis unit on a case.
type Task struct {
	ID       string
	CaseID   string
	CaseCode string
	Number   int
	// ConferenceID and ConferenceNumber name the conference that gave the
	// task; empty for a task of the protocol of collaboration.
	ConferenceID     string
	ConferenceNumber int
	// Template is the protocol's task template code, and Stage the stage
	// whose protocol created it; both empty for a conference's task.
	Template string
	Stage    string
	// Title is the conference task's wording, filled only on the case's
	// pages (an audited read); HasTitle says whether it has one.
	Title         string
	HasTitle      bool
	OwnerOrg      string
	OwnerOrgName  string
	OwnerUser     string
	OwnerUsername string
	// ToConfirm is set when the protocol could not be sure of the owner.
	ToConfirm bool
	Due       time.Time
	Status    string
	ClosedAt  *time.Time
	ClosedBy  string
}

// Overdue reports whether the open task's day has passed on today.
func (t Task) Overdue(today time.Time) bool {
	return t.Status == TaskOpen && day(t.Due).Before(day(today))
}

// taskRow is a task to insert.
type taskRow struct {
	conferenceID string
	template     string
	stage        string
	title        string
	ownerOrg     string
	ownerUser    string
	toConfirm    bool
	due          time.Time
}

// addTask inserts an open task on case c, registers its "task" deadline
// and logs it, in the caller's transaction.
func (s *Service) addTask(ctx context.Context, tx *storage.Tx, actor access.Actor, c cases.Case, r taskRow) (string, error) {
	id := cases.NewID()
	var number int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM case_tasks WHERE case_id = $1`, c.ID).Scan(&number); err != nil {
		return "", fmt.Errorf("number task of case %s: %w", c.ID, err)
	}
	var title []byte
	if r.title != "" {
		var err error
		if title, err = s.cases.Vault().Seal(ctx, tx, cases.Record(c.ID), "task.title", []byte(r.title)); err != nil {
			return "", fmt.Errorf("seal task title on case %s: %w", c.ID, err)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO case_tasks (id, case_id, number, conference_id, template, stage, title, owner_org, owner_user,
			to_confirm, due_on, status, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		id, c.ID, number, storage.NullString(r.conferenceID), r.template, r.stage, title, r.ownerOrg, storage.NullString(r.ownerUser),
		storage.Flag(r.toConfirm), r.due.Format(time.DateOnly), TaskOpen, actor.UserID, s.cases.Now())
	if err != nil {
		return "", fmt.Errorf("insert task on case %s: %w", c.ID, err)
	}
	if err := s.cases.SetDeadline(ctx, tx, c, cases.Deadline{Kind: "task", RefID: id, UserID: r.ownerUser, Due: r.due,
		RemindOn: r.due.AddDate(0, 0, -1)}); err != nil {
		return "", err
	}
	detail := r.template
	if detail == "" {
		detail = "conference"
	}
	return id, s.cases.Log(ctx, tx, actor, c, cases.Event{Kind: "task", Category: cases.CrisisUnit, RefID: id, Detail: detail})
}

const taskColumns = `t.id, t.case_id, c.code, t.number, COALESCE(t.conference_id, ''), COALESCE(cf.number, 0), t.template, t.stage,
	t.title IS NOT NULL, t.owner_org, o.name, COALESCE(t.owner_user, ''), COALESCE(u.username, ''), t.to_confirm, t.due_on,
	t.status, t.closed_at, COALESCE(t.closed_by, '')`

const taskFrom = ` FROM case_tasks t JOIN cases c ON c.id = t.case_id JOIN organisations o ON o.id = t.owner_org
	LEFT JOIN users u ON u.id = t.owner_user LEFT JOIN case_conferences cf ON cf.id = t.conference_id`

func scanTask(row interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var confirm int
	var due string
	err := row.Scan(&t.ID, &t.CaseID, &t.CaseCode, &t.Number, &t.ConferenceID, &t.ConferenceNumber, &t.Template, &t.Stage,
		&t.HasTitle, &t.OwnerOrg, &t.OwnerOrgName, &t.OwnerUser, &t.OwnerUsername, &confirm, &due, &t.Status, &t.ClosedAt, &t.ClosedBy)
	if err != nil {
		return Task{}, err
	}
	t.ToConfirm = confirm != 0
	if t.Due, err = time.Parse(time.DateOnly, due); err != nil {
		return Task{}, fmt.Errorf("task %s due date: %w", t.ID, err)
	}
	return t, nil
}

// caseTasks lists a case's tasks (of one conference when confID is set),
// open first, then by due date, with their titles opened.
func (s *Service) caseTasks(ctx context.Context, tx *storage.Tx, caseID, confID string) ([]Task, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+taskColumns+`, t.title`+taskFrom+`
		WHERE t.case_id = $1 AND ($2 = '' OR t.conference_id = $2)
		ORDER BY CASE t.status WHEN 'open' THEN 0 ELSE 1 END, t.due_on, t.number`, caseID, confID)
	if err != nil {
		return nil, fmt.Errorf("list tasks of case %s: %w", caseID, err)
	}
	var out []Task
	var titles [][]byte
	for rows.Next() {
		var title []byte
		var t Task
		var confirm int
		var due string
		if err := rows.Scan(&t.ID, &t.CaseID, &t.CaseCode, &t.Number, &t.ConferenceID, &t.ConferenceNumber, &t.Template, &t.Stage,
			&t.HasTitle, &t.OwnerOrg, &t.OwnerOrgName, &t.OwnerUser, &t.OwnerUsername, &confirm, &due, &t.Status, &t.ClosedAt, &t.ClosedBy, &title); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan task of case %s: %w", caseID, err)
		}
		t.ToConfirm = confirm != 0
		t.Due, _ = time.Parse(time.DateOnly, due)
		out = append(out, t)
		titles = append(titles, title)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tasks of case %s: %w", caseID, err)
	}
	for i := range out {
		if titles[i] == nil {
			continue
		}
		plain, err := s.cases.Vault().Open(ctx, tx, cases.Record(caseID), "task.title", titles[i])
		if err != nil {
			return nil, fmt.Errorf("open title of task %s: %w", out[i].ID, err)
		}
		out[i].Title = string(plain)
	}
	return out, nil
}

// SetTaskStatus marks task number of a case done or cancelled and clears
// its deadline. The case's own organisation may close any task; an
// organisation the case was shared with only the tasks it owns.
func (s *Service) SetTaskStatus(ctx context.Context, actor access.Actor, caseID string, number int, status string) (Task, error) {
	if status != TaskDone && status != TaskCancelled {
		return Task{}, apperr.Validation(apperr.FieldError{Field: "status", Key: "crisisunit.error.task_status"})
	}
	var out Task
	err := s.cases.Change(ctx, actor, access.ManageCrisisUnit, caseID, cases.CrisisUnit, func(tx *storage.Tx, a cases.Access) error {
		t, err := scanTask(tx.QueryRowContext(ctx, `SELECT `+taskColumns+taskFrom+` WHERE t.case_id = $1 AND t.number = $2`, caseID, number))
		if err != nil {
			return fmt.Errorf("load task %d of case %s: %w", number, caseID, storage.MapError(err))
		}
		if !a.Owner && t.OwnerOrg != actor.OrgID {
			return apperr.New(apperr.Forbidden, "crisisunit.error.not_task_owner")
		}
		if t.Status != TaskOpen {
			return apperr.New(apperr.Conflict, "crisisunit.error.task_closed")
		}
		now := s.cases.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE case_tasks SET status = $1, closed_at = $2, closed_by = $3 WHERE id = $4`,
			status, now, actor.UserID, t.ID); err != nil {
			return fmt.Errorf("close task %s: %w", t.ID, err)
		}
		if err := s.cases.ClearDeadline(ctx, tx, "task", t.ID); err != nil {
			return err
		}
		t.Status, t.ClosedAt, t.ClosedBy = status, &now, actor.UserID
		out = t
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "task_" + status, Category: cases.CrisisUnit, RefID: t.ID})
	})
	return out, err
}

// crisisShared is the condition that the case c was shared with
// organisation $2, crisis-unit category included, and the share accepted.
const crisisShared = `EXISTS (SELECT 1 FROM case_shares sh WHERE sh.case_id = c.id AND sh.to_org = $2
	AND sh.status = 'accepted' AND sh.categories LIKE '%"crisis_unit"%')`

// MyTasks lists the open tasks the actor or the actor's organisation owns,
// on cases the organisation owns or takes part in through a share, overdue
// first (by due date). No titles: the list names cases by code only.
func (s *Service) MyTasks(ctx context.Context, actor access.Actor) ([]Task, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCases, "tasks", ""); err != nil {
		return nil, err
	}
	var out []Task
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+taskColumns+taskFrom+`
			WHERE t.status = 'open' AND c.anonymised_at IS NULL AND (t.owner_user = $1 OR t.owner_org = $2)
			  AND (c.org_id = $2 OR `+crisisShared+`)
			ORDER BY t.due_on, c.code, t.number LIMIT 500`, actor.UserID, actor.OrgID)
		if err != nil {
			return fmt.Errorf("list tasks of user %s: %w", actor.UserID, err)
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTask(rows)
			if err != nil {
				return fmt.Errorf("scan task: %w", err)
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// onMove runs inside a stage move. Entering a stage pre-fills the tasks
// the protocol of collaboration names for it; closing the case cancels its
// open tasks and clears the deadlines of its tasks and scheduled
// conferences, so nobody is reminded of a closed case.
func (s *Service) onMove(ctx context.Context, tx *storage.Tx, actor access.Actor, c cases.Case, from cases.Stage) error {
	if c.Stage == cases.Closed {
		return s.closeAll(ctx, tx, actor, c)
	}
	steps, err := protocolFor(ctx, tx, c.Stage)
	if err != nil {
		return err
	}
	today := s.today()
	for _, st := range steps {
		owner, confirm, err := pickOwner(ctx, tx, c, st.Kind)
		if err != nil {
			return err
		}
		if _, err := s.addTask(ctx, tx, actor, c, taskRow{template: st.Template, stage: string(st.Stage), ownerOrg: owner,
			toConfirm: confirm, due: today.AddDate(0, 0, st.DueDays)}); err != nil {
			return err
		}
	}
	return nil
}

// pickOwner chooses the organisation of kind that takes a protocol task on
// case c: the case's own organisation if it is of that kind; else the only
// active one of that kind; else the first by name, to be confirmed; and if
// there is none, the case's own organisation, to be confirmed.
func pickOwner(ctx context.Context, tx *storage.Tx, c cases.Case, kind string) (string, bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM organisations WHERE kind = $1 AND disabled_at IS NULL ORDER BY lower(name), id`, kind)
	if err != nil {
		return "", false, fmt.Errorf("find organisations of kind %s: %w", kind, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return "", false, fmt.Errorf("scan organisation: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", false, fmt.Errorf("find organisations of kind %s: %w", kind, err)
	}
	switch {
	case slices.Contains(ids, c.OrgID):
		return c.OrgID, false, nil
	case len(ids) == 1:
		return ids[0], false, nil
	case len(ids) > 1:
		return ids[0], true, nil
	}
	return c.OrgID, true, nil
}

// closeAll cancels the open tasks of a case being closed.
func (s *Service) closeAll(ctx context.Context, tx *storage.Tx, actor access.Actor, c cases.Case) error {
	now := s.cases.Now()
	res, err := tx.ExecContext(ctx, `UPDATE case_tasks SET status = $1, closed_at = $2, closed_by = $3 WHERE case_id = $4 AND status = $5`,
		TaskCancelled, now, actor.UserID, c.ID, TaskOpen)
	if err != nil {
		return fmt.Errorf("cancel tasks of case %s: %w", c.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM case_deadlines WHERE case_id = $1 AND kind IN ('task', 'conference')`, c.ID); err != nil {
		return fmt.Errorf("clear crisis-unit deadlines of case %s: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return s.cases.Log(ctx, tx, actor, c, cases.Event{Kind: "tasks_cancelled", Category: cases.CrisisUnit, Detail: strconv.FormatInt(n, 10)})
	}
	return nil
}
