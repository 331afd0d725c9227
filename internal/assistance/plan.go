package assistance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Need is one key issue that applies to the person, with its priority.
type Need struct {
	Code     string
	Priority string
}

// NeedsInput is the needs form: the priority of each need that applies
// (need code → priority) and a note about the assessment.
type NeedsInput struct {
	Needs map[string]string
	Note  string
}

// Activity is one activity of the assistance plan.
type Activity struct {
	ID     string
	CaseID string
	Type   string
	// Step is the step of the scheme of assistance the type belongs to.
	Step              string
	ResponsibleOrg    string
	ResponsibleName   string
	Status            string
	PlannedStart      string
	PlannedEnd        string
	DoneOn            string
	Note              string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	ResponsibleActive bool
}

// ActivityInput is the form that adds or changes an activity.
type ActivityInput struct {
	Type           string
	ResponsibleOrg string
	Status         string
	PlannedStart   string
	PlannedEnd     string
	DoneOn         string
	Note           string
}

// Plan is the assistance tab of a case: needs, activities and referrals.
type Plan struct {
	Access     cases.Access `json:"-"`
	Needs      []Need
	NeedsNote  string
	AssessedAt *time.Time
	Activities []Activity
	Referrals  []Referral
	// Feedback on ended referrals, by referral id.
	Feedback map[string]*Feedback
	// Goals are the person's own, GoalsAt when last recorded.
	Goals   string
	GoalsAt *time.Time
	// Agreement is the person's latest answer to the plan, nil before any;
	// ChangedSinceAgreement is true when an activity changed after it.
	Agreement             *Agreement
	ChangedSinceAgreement bool
}

// Need returns the priority of a need, or "" when it does not apply.
func (p Plan) Need(code string) string {
	for _, n := range p.Needs {
		if n.Code == code {
			return n.Priority
		}
	}
	return ""
}

// Plan reads the needs, the plan and the referrals of a case, with notes
// decrypted; the gate audits the read.
func (s *Service) Plan(ctx context.Context, actor access.Actor, caseID string) (Plan, error) {
	var p Plan
	err := s.cases.View(ctx, actor, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		var err error
		p, err = s.Export(ctx, tx, a)
		return err
	})
	return p, err
}

// Export reads the needs, plan and referrals of a case, decrypted, inside a transaction that went
// through the case gate: for the case page and the data-protection export.
func (s *Service) Export(ctx context.Context, tx *storage.Tx, a cases.Access) (Plan, error) {
	var p Plan
	caseID := a.Case.ID
	p = Plan{Access: a}
	var err error
	if p.Needs, err = loadNeeds(ctx, tx, caseID); err != nil {
		return Plan{}, err
	}
	var note []byte
	var at time.Time
	err = tx.QueryRowContext(ctx, `SELECT needs_note, assessed_at FROM assistance_plans WHERE case_id = $1`, caseID).Scan(&note, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return Plan{}, fmt.Errorf("load plan of case %s: %w", caseID, err)
	default:
		p.AssessedAt = &at
		if p.NeedsNote, err = s.open(ctx, tx, caseID, "needs_note", note); err != nil {
			return Plan{}, err
		}
	}
	if p.Activities, err = s.loadActivities(ctx, tx, caseID, ""); err != nil {
		return Plan{}, err
	}
	if p.Referrals, err = loadReferrals(ctx, tx, `r.case_id = $1`, caseID); err != nil {
		return Plan{}, err
	}
	if p.Feedback, err = s.loadFeedback(ctx, tx, caseID); err != nil {
		return Plan{}, err
	}
	if err := s.loadAgreement(ctx, tx, caseID, &p); err != nil {
		return Plan{}, err
	}
	return p, nil
}

func loadNeeds(ctx context.Context, tx *storage.Tx, caseID string) ([]Need, error) {
	rows, err := tx.QueryContext(ctx, `SELECT need, priority FROM case_needs WHERE case_id = $1`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load needs of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []Need
	for rows.Next() {
		var n Need
		if err := rows.Scan(&n.Code, &n.Priority); err != nil {
			return nil, fmt.Errorf("scan need of case %s: %w", caseID, err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load needs of case %s: %w", caseID, err)
	}
	slices.SortFunc(out, func(a, b Need) int { return slices.Index(needs, a.Code) - slices.Index(needs, b.Code) })
	return out, nil
}

// SaveNeeds replaces the needs assessment of a case.
func (s *Service) SaveNeeds(ctx context.Context, actor access.Actor, caseID string, in NeedsInput) error {
	var fe fields
	codes := make([]string, 0, len(in.Needs))
	for code, prio := range in.Needs {
		switch {
		case !slices.Contains(needs, code):
			fe.Add("needs", "error.plan.need_unknown")
		case !slices.Contains(priorities, prio):
			fe.Add("priority."+code, "error.plan.priority")
		}
		codes = append(codes, code)
	}
	in.Note = strings.TrimSpace(in.Note)
	if tooLong(in.Note, MaxNote) {
		fe.Add("needs_note", "error.plan.note_too_long")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	slices.SortFunc(codes, func(a, b string) int { return slices.Index(needs, a) - slices.Index(needs, b) })
	return s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_needs WHERE case_id = $1`, caseID); err != nil {
			return fmt.Errorf("clear needs of case %s: %w", caseID, err)
		}
		for _, code := range codes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_needs (case_id, need, priority) VALUES ($1, $2, $3)`,
				caseID, code, in.Needs[code]); err != nil {
				return fmt.Errorf("store need of case %s: %w", caseID, err)
			}
		}
		note, err := s.seal(ctx, tx, caseID, "needs_note", in.Note)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO assistance_plans (case_id, needs_note, assessed_by, assessed_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (case_id) DO UPDATE SET needs_note = excluded.needs_note, assessed_by = excluded.assessed_by, assessed_at = excluded.assessed_at`,
			caseID, note, actor.UserID, s.cases.Now())
		if err != nil {
			return fmt.Errorf("store needs note of case %s: %w", caseID, err)
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "needs_assessed", Category: cases.Assistance,
			RefID: caseID, Detail: strings.Join(codes, ",")})
	})
}

const activityColumns = `p.id, p.case_id, p.type, p.responsible_org, o.name, o.disabled_at IS NULL, p.status, p.planned_start,
	p.planned_end, p.done_on, p.note, p.created_at, p.updated_at`

func (s *Service) loadActivities(ctx context.Context, tx *storage.Tx, caseID, id string) ([]Activity, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+activityColumns+` FROM plan_activities p JOIN organisations o ON o.id = p.responsible_org
		WHERE p.case_id = $1 AND ($2 = '' OR p.id = $2) ORDER BY p.created_at, p.id`, caseID, id)
	if err != nil {
		return nil, fmt.Errorf("load activities of case %s: %w", caseID, err)
	}
	type row struct {
		a    Activity
		note []byte
	}
	var list []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.a.ID, &r.a.CaseID, &r.a.Type, &r.a.ResponsibleOrg, &r.a.ResponsibleName, &r.a.ResponsibleActive,
			&r.a.Status, &r.a.PlannedStart, &r.a.PlannedEnd, &r.a.DoneOn, &r.note, &r.a.CreatedAt, &r.a.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan activity of case %s: %w", caseID, err)
		}
		r.a.Step = StepOf(r.a.Type)
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load activities of case %s: %w", caseID, err)
	}
	// Decrypt after the rows are closed: the vault queries the same transaction.
	out := make([]Activity, 0, len(list))
	for _, r := range list {
		if r.a.Note, err = s.open(ctx, tx, caseID, "activity_note", r.note); err != nil {
			return nil, err
		}
		out = append(out, r.a)
	}
	return out, nil
}

// check validates an activity against today; the responsible organisation
// is checked in SQL by the caller.
func (in *ActivityInput) check(today time.Time) fields {
	var fe fields
	in.Type, in.ResponsibleOrg, in.Status = strings.TrimSpace(in.Type), strings.TrimSpace(in.ResponsibleOrg), strings.TrimSpace(in.Status)
	in.PlannedStart, in.PlannedEnd, in.DoneOn = strings.TrimSpace(in.PlannedStart), strings.TrimSpace(in.PlannedEnd), strings.TrimSpace(in.DoneOn)
	in.Note = strings.TrimSpace(in.Note)
	if in.Status == "" {
		in.Status = Planned
	}
	if StepOf(in.Type) == "" {
		fe.Add("type", "error.plan.activity_type")
	}
	if in.ResponsibleOrg == "" {
		fe.Add("responsible_org", "error.plan.org_unknown")
	}
	if !slices.Contains(activityStatuses, in.Status) {
		fe.Add("status", "error.plan.status")
	}
	start, okStart := parseDay(in.PlannedStart)
	end, okEnd := parseDay(in.PlannedEnd)
	if !okStart {
		fe.Add("planned_start", "error.plan.date")
	}
	if !okEnd {
		fe.Add("planned_end", "error.plan.date")
	}
	if okStart && okEnd && !start.IsZero() && !end.IsZero() && end.Before(start) {
		fe.Add("planned_end", "error.plan.end_before_start")
	}
	if in.Status == Done && in.DoneOn == "" {
		in.DoneOn = today.Format(time.DateOnly)
	}
	if in.Status != Done {
		in.DoneOn = ""
	}
	done, okDone := parseDay(in.DoneOn)
	switch {
	case !okDone:
		fe.Add("done_on", "error.plan.date")
	case done.After(today):
		fe.Add("done_on", "error.plan.date_future")
	}
	if tooLong(in.Note, MaxNote) {
		fe.Add("note", "error.plan.note_too_long")
	}
	return fe
}

// AddActivity adds an activity to the plan of a case.
func (s *Service) AddActivity(ctx context.Context, actor access.Actor, caseID string, in ActivityInput) (Activity, error) {
	var out Activity
	fe := in.check(s.cases.Now())
	err := s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		if err := s.checkResponsible(ctx, tx, &fe, in.ResponsibleOrg, ""); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		id, now := cases.NewID(), s.cases.Now()
		note, err := s.seal(ctx, tx, caseID, "activity_note", in.Note)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO plan_activities (id, case_id, type, responsible_org, status, planned_start, planned_end,
				done_on, note, created_by, created_at, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $11)`,
			id, caseID, in.Type, in.ResponsibleOrg, in.Status, in.PlannedStart, in.PlannedEnd, in.DoneOn, note, actor.UserID, now)
		if err != nil {
			return fmt.Errorf("insert activity on case %s: %w", caseID, storage.MapError(err))
		}
		if err := s.activityDeadline(ctx, tx, a.Case, id, in); err != nil {
			return err
		}
		if err := s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "plan_activity_added", Category: cases.Assistance,
			RefID: id, Detail: in.Type + ":" + in.Status}); err != nil {
			return err
		}
		list, err := s.loadActivities(ctx, tx, caseID, id)
		if err != nil || len(list) == 0 {
			return fmt.Errorf("reload activity %s: %w", id, err)
		}
		out = list[0]
		return nil
	})
	return out, err
}

// UpdateActivity changes an activity of the plan (its status, dates,
// responsible organisation and note).
func (s *Service) UpdateActivity(ctx context.Context, actor access.Actor, caseID, activityID string, in ActivityInput) (Activity, error) {
	var out Activity
	fe := in.check(s.cases.Now())
	err := s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		var current string
		err := tx.QueryRowContext(ctx, `SELECT responsible_org FROM plan_activities WHERE id = $1 AND case_id = $2`+tx.ForUpdate(),
			activityID, caseID).Scan(&current)
		if err != nil {
			return fmt.Errorf("load activity %s: %w", activityID, storage.MapError(err))
		}
		// An organisation disabled since may stay responsible for an
		// activity it already had; a new one must be active.
		if err := s.checkResponsible(ctx, tx, &fe, in.ResponsibleOrg, current); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		note, err := s.seal(ctx, tx, caseID, "activity_note", in.Note)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE plan_activities SET type = $1, responsible_org = $2, status = $3, planned_start = $4,
				planned_end = $5, done_on = $6, note = $7, updated_by = $8, updated_at = $9 WHERE id = $10`,
			in.Type, in.ResponsibleOrg, in.Status, in.PlannedStart, in.PlannedEnd, in.DoneOn, note, actor.UserID, s.cases.Now(), activityID)
		if err != nil {
			return fmt.Errorf("update activity %s: %w", activityID, storage.MapError(err))
		}
		if err := s.activityDeadline(ctx, tx, a.Case, activityID, in); err != nil {
			return err
		}
		if err := s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "plan_activity_changed", Category: cases.Assistance,
			RefID: activityID, Detail: in.Type + ":" + in.Status}); err != nil {
			return err
		}
		list, err := s.loadActivities(ctx, tx, caseID, activityID)
		if err != nil || len(list) == 0 {
			return fmt.Errorf("reload activity %s: %w", activityID, err)
		}
		out = list[0]
		return nil
	})
	return out, err
}

// checkResponsible adds a field error unless orgID is an active
// organisation (or keep, the one already responsible).
func (s *Service) checkResponsible(ctx context.Context, tx *storage.Tx, fe *fields, orgID, keep string) error {
	if orgID == "" || orgID == keep {
		return nil
	}
	ok, err := activeOrg(ctx, tx, orgID)
	if err != nil {
		return err
	}
	if !ok {
		fe.Add("responsible_org", "error.plan.org_unknown")
	}
	return nil
}

// activityDeadline registers the planned end of an open activity as a
// "plan_activity" deadline, reminding three days ahead, and clears it once
// the activity is done, cancelled or has no planned end.
func (s *Service) activityDeadline(ctx context.Context, tx *storage.Tx, c cases.Case, id string, in ActivityInput) error {
	if in.PlannedEnd == "" || in.Status == Done || in.Status == Cancelled {
		return s.cases.ClearDeadline(ctx, tx, "plan_activity", id)
	}
	due, _ := parseDay(in.PlannedEnd)
	return s.cases.SetDeadline(ctx, tx, c, cases.Deadline{Kind: "plan_activity", RefID: id, Due: due, RemindOn: due.AddDate(0, 0, -3)})
}
