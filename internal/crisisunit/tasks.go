package crisisunit

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
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
	// Needs are the categories of case data the task needs; Missing those
	// of them the case's owner has not shared (nor offered to share) with
	// the task's organisation, filled on the case's pages for its owner.
	Needs   []cases.Category
	Missing []cases.Category
	// Visible is set on the task list when the actor's organisation can
	// open the case (it owns it or accepted a share); a partner given a
	// task without a share sees the task only.
	Visible bool
	// CaseOrgName is the organisation that owns the case, on the task
	// list: whom a partner asks for the data a task needs.
	CaseOrgName string
	Due         time.Time
	Status      string
	ClosedAt    *time.Time
	ClosedBy    string
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
	needs        []cases.Category
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
	needs, err := json.Marshal(nonNil(r.needs))
	if err != nil {
		return "", fmt.Errorf("encode needs of task on case %s: %w", c.ID, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO case_tasks (id, case_id, number, conference_id, template, stage, title, owner_org, owner_user,
			to_confirm, due_on, status, created_by, created_at, needs)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		id, c.ID, number, storage.NullString(r.conferenceID), r.template, r.stage, title, r.ownerOrg, storage.NullString(r.ownerUser),
		storage.Flag(r.toConfirm), r.due.Format(time.DateOnly), TaskOpen, actor.UserID, s.cases.Now(), string(needs))
	if err != nil {
		return "", fmt.Errorf("insert task on case %s: %w", c.ID, err)
	}
	if err := s.cases.SetDeadline(ctx, tx, c, cases.Deadline{Kind: "task", RefID: id, UserID: r.ownerUser, OrgID: r.ownerOrg, Due: r.due,
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
	t.status, t.closed_at, COALESCE(t.closed_by, ''), t.needs`

const taskFrom = ` FROM case_tasks t JOIN cases c ON c.id = t.case_id JOIN organisations o ON o.id = t.owner_org
	LEFT JOIN users u ON u.id = t.owner_user LEFT JOIN case_conferences cf ON cf.id = t.conference_id`

// scanTask reads taskColumns and then extra, e.g. the sealed title.
func scanTask(row interface{ Scan(...any) error }, extra ...any) (Task, error) {
	var t Task
	var confirm int
	var due, needs string
	dest := append([]any{&t.ID, &t.CaseID, &t.CaseCode, &t.Number, &t.ConferenceID, &t.ConferenceNumber, &t.Template, &t.Stage,
		&t.HasTitle, &t.OwnerOrg, &t.OwnerOrgName, &t.OwnerUser, &t.OwnerUsername, &confirm, &due, &t.Status, &t.ClosedAt, &t.ClosedBy,
		&needs}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Task{}, err
	}
	t.ToConfirm = confirm != 0
	var err error
	if t.Due, err = time.Parse(time.DateOnly, due); err != nil {
		return Task{}, fmt.Errorf("task %s due date: %w", t.ID, err)
	}
	if err := json.Unmarshal([]byte(needs), &t.Needs); err != nil {
		return Task{}, fmt.Errorf("task %s needs: %w", t.ID, err)
	}
	return t, nil
}

// openTitles opens the sealed titles of tasks (titles[i] is tasks[i]'s),
// each under its case's record.
func (s *Service) openTitles(ctx context.Context, tx *storage.Tx, tasks []Task, titles [][]byte) error {
	for i := range tasks {
		if titles[i] == nil {
			continue
		}
		plain, err := s.cases.Vault().Open(ctx, tx, cases.Record(tasks[i].CaseID), "task.title", titles[i])
		if err != nil {
			return fmt.Errorf("open title of task %s: %w", tasks[i].ID, err)
		}
		tasks[i].Title = string(plain)
	}
	return nil
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// caseTasks lists a case's tasks (of one conference when confID is set),
// open first, then by due date, with their titles opened.
func (s *Service) caseTasks(ctx context.Context, tx *storage.Tx, c cases.Case, confID string) ([]Task, error) {
	caseID := c.ID
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
		t, err := scanTask(rows, &title)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan task of case %s: %w", caseID, err)
		}
		out = append(out, t)
		titles = append(titles, title)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tasks of case %s: %w", caseID, err)
	}
	if err := s.openTitles(ctx, tx, out, titles); err != nil {
		return nil, err
	}
	return out, markMissing(ctx, tx, c, out)
}

// markMissing fills each open task's Missing: the categories it needs that
// the case was neither shared nor offered to the task's organisation with.
// A task of the case's own organisation misses nothing.
func markMissing(ctx context.Context, tx *storage.Tx, c cases.Case, tasks []Task) error {
	var shares []cases.Share
	for i := range tasks {
		t := &tasks[i]
		if t.Status != TaskOpen || len(t.Needs) == 0 || t.OwnerOrg == c.OrgID {
			continue
		}
		if shares == nil {
			var err error
			if shares, err = cases.Shares(ctx, tx, c.ID); err != nil {
				return err
			}
			shares = nonNil(shares)
		}
		for _, need := range t.Needs {
			given := slices.ContainsFunc(shares, func(sh cases.Share) bool {
				return sh.To == t.OwnerOrg && (sh.Status == "accepted" || sh.Status == "pending") && slices.Contains(sh.Categories, need)
			})
			if !given {
				t.Missing = append(t.Missing, need)
			}
		}
	}
	return nil
}

// SetTaskStatus marks task number of a case done or cancelled, clears its
// deadline and writes it to the case's timeline. The case's own
// organisation may close any task; a partner may mark done the tasks given
// to it, whether or not the case was shared with it.
func (s *Service) SetTaskStatus(ctx context.Context, actor access.Actor, caseID string, number int, status string) (Task, error) {
	if status != TaskDone && status != TaskCancelled {
		return Task{}, apperr.Validation(apperr.FieldError{Field: "status", Key: "crisisunit.error.task_status"})
	}
	var out Task
	holds := func(tx *storage.Tx, c cases.Case) (bool, error) {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_tasks WHERE case_id = $1 AND number = $2 AND owner_org = $3`,
			c.ID, number, actor.OrgID).Scan(&n)
		if err != nil {
			return false, fmt.Errorf("check owner of task %d of case %s: %w", number, c.ID, err)
		}
		return n > 0, nil
	}
	err := s.cases.ChangeHeld(ctx, actor, access.ManageCrisisUnit, caseID, cases.CrisisUnit, holds, func(tx *storage.Tx, a cases.Access) error {
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
		// Whether a task is still needed is the case holder's call: a
		// partner marks its task done, it does not drop it.
		if !a.Owner && status == TaskCancelled {
			return apperr.New(apperr.Forbidden, "crisisunit.error.cancel_owner_only")
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

// canOpen is the condition that organisation $2 can open case c: it owns
// it or accepted a share of it.
const canOpen = `(c.org_id = $2 OR EXISTS (SELECT 1 FROM case_shares sh WHERE sh.case_id = c.id AND sh.to_org = $2
	AND sh.status = 'accepted'))`

// MyTasks lists the open tasks given to the actor or the actor's
// organisation, overdue first (by due date), whether or not the case was
// shared with it: a task reaches the organisation it was given to. Each
// shows its title, case code, due date and where it came from; nothing else
// of the case. Titles may name the person, so reading them is audited, once
// per case.
func (s *Service) MyTasks(ctx context.Context, actor access.Actor) ([]Task, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCases, "tasks", ""); err != nil {
		return nil, err
	}
	var out []Task
	err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = s.myTasks(ctx, tx, actor, 500, true)
		return err
	})
	return out, err
}

// myTasks reads at most limit of the actor's open tasks (see MyTasks),
// with their titles opened and the reading audited when titles is set.
func (s *Service) myTasks(ctx context.Context, tx *storage.Tx, actor access.Actor, limit int, titles bool) ([]Task, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+taskColumns+`, t.title, `+canOpen+`, c.org_id, co.name`+taskFrom+`
		JOIN organisations co ON co.id = c.org_id
		WHERE t.status = 'open' AND c.anonymised_at IS NULL AND (t.owner_org = $2 OR t.owner_user = $1)
		ORDER BY t.due_on, c.code, t.number LIMIT $3`, actor.UserID, actor.OrgID, limit)
	if err != nil {
		return nil, fmt.Errorf("list tasks of user %s: %w", actor.UserID, err)
	}
	var out []Task
	var sealed [][]byte
	caseOrgs := map[string]string{}
	for rows.Next() {
		var title []byte
		var caseOrg string
		var visible bool
		var caseOrgName string
		t, err := scanTask(rows, &title, &visible, &caseOrg, &caseOrgName)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan task: %w", err)
		}
		t.Visible, t.CaseOrgName = visible, caseOrgName
		out = append(out, t)
		sealed = append(sealed, title)
		if title != nil {
			caseOrgs[t.CaseID] = caseOrg
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tasks of user %s: %w", actor.UserID, err)
	}
	if !titles {
		return out, nil
	}
	for _, id := range slices.Sorted(maps.Keys(caseOrgs)) {
		if err := s.cases.Audit(ctx, tx, actor, "case.read", "case", id, caseOrgs[id], "task.title"); err != nil {
			return nil, err
		}
	}
	return out, s.openTitles(ctx, tx, out, sealed)
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
			toConfirm: confirm, due: today.AddDate(0, 0, st.DueDays), needs: templateNeeds[st.Template]}); err != nil {
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

// onTransfer hands the open tasks the old owner held on case c to the
// organisation that now owns it, unassigned and to be confirmed: the old
// owner leaves the case, its work does not. Their deadlines moved with the
// case's own.
func (s *Service) onTransfer(ctx context.Context, tx *storage.Tx, actor access.Actor, c cases.Case, to string) error {
	res, err := tx.ExecContext(ctx, `UPDATE case_tasks SET owner_org = $1, owner_user = NULL, to_confirm = 1
		WHERE case_id = $2 AND owner_org = $3 AND status = $4`, to, c.ID, c.OrgID, TaskOpen)
	if err != nil {
		return fmt.Errorf("hand over tasks of case %s: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return s.cases.Log(ctx, tx, actor, c, cases.Event{Kind: "tasks_handed_over", Category: cases.CrisisUnit, Detail: strconv.FormatInt(n, 10)})
	}
	return nil
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
