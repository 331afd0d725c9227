package cases

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/storage"
)

// Deadline is a date something on a case is due: a task, a risk review, a
// permit expiry, the end of the reflection period, a child turning 18. Each
// capability registers its own with SetDeadline; the dashboard, the case
// list's deadline filter and reminders read them from one table.
type Deadline struct {
	// Kind names the source, e.g. "task", "risk_review", "permit_expiry";
	// Kind and RefID identify the deadline.
	Kind  string
	RefID string
	// UserID is the person responsible; "" means the case's worker.
	UserID string
	// OrgID is the organisation responsible; "" means the case's owner. A
	// task given to a partner is that partner's deadline: it is on their
	// dashboards and reminders even without a share of the case.
	OrgID string
	// Due is the day it is due; RemindOn the day reminders start (Due if zero).
	Due      time.Time
	RemindOn time.Time
	// Filled in by Deadlines.
	CaseID   string
	CaseCode string
	Category Category
	// Held is true when the organisation responsible does not own the case:
	// its pages link to the task list rather than to the case.
	Held bool
}

// deadlineKinds maps each kind to the category of data it belongs to, so a
// dashboard shows only deadlines of categories the reader sees.
var deadlineKinds = map[string]Category{
	"reflection_end": Legal, "permit_expiry": Legal, "permit_renewal": Legal, "proceeding_date": Legal, "nonpunishment_hearing": Legal,
	"risk_review": Risk, "task": CrisisUnit, "conference": CrisisUnit,
	"plan_activity": Assistance, "provider_referral": Assistance, "return_followup": Assistance,
	"turning_18": Children, "best_interest_review": Children,
	"erasure_request": Profile,
}

// CategoryOf is the category of data a deadline kind belongs to.
func CategoryOf(kind string) Category { return deadlineKinds[kind] }

// DeadlineKinds lists the known kinds.
func DeadlineKinds() []string {
	out := make([]string, 0, len(deadlineKinds))
	for k := range deadlineKinds {
		out = append(out, k)
	}
	return out
}

// SetDeadline registers or moves a deadline of case c, in the caller's
// transaction (inside Change).
func (s *Service) SetDeadline(ctx context.Context, tx *storage.Tx, c Case, d Deadline) error {
	if _, ok := deadlineKinds[d.Kind]; !ok || d.RefID == "" || d.Due.IsZero() {
		return fmt.Errorf("set deadline on case %s: unknown kind %q or missing ref or date", c.ID, d.Kind)
	}
	org := c.OrgID
	if d.OrgID != "" {
		org = d.OrgID
	}
	remind := d.RemindOn
	if remind.IsZero() || remind.After(d.Due) {
		remind = d.Due
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO case_deadlines (kind, ref_id, case_id, org_id, user_id, due_on, remind_on)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (kind, ref_id) DO UPDATE SET user_id = excluded.user_id, due_on = excluded.due_on,
			remind_on = excluded.remind_on, org_id = excluded.org_id,
			reminded_at = CASE WHEN case_deadlines.remind_on = excluded.remind_on THEN case_deadlines.reminded_at END`,
		d.Kind, d.RefID, c.ID, org, storage.NullString(d.UserID), d.Due.Format(time.DateOnly), remind.Format(time.DateOnly))
	if err != nil {
		return fmt.Errorf("set %s deadline on case %s: %w", d.Kind, c.ID, err)
	}
	return nil
}

// ClearDeadline removes a deadline that was met or no longer applies.
func (s *Service) ClearDeadline(ctx context.Context, tx *storage.Tx, kind, refID string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM case_deadlines WHERE kind = $1 AND ref_id = $2`, kind, refID); err != nil {
		return fmt.Errorf("clear %s deadline %s: %w", kind, refID, err)
	}
	return nil
}

// deadlineColumns are the columns scanDeadlines reads, over case_deadlines d
// joined with cases c.
const deadlineColumns = `d.kind, d.ref_id, COALESCE(d.user_id, ''), d.due_on, d.remind_on, c.id, c.code, d.org_id, d.org_id <> c.org_id`

// scanDeadlines reads rows of deadlineColumns and closes them.
func scanDeadlines(rows *sql.Rows) ([]Deadline, error) {
	defer rows.Close()
	var out []Deadline
	for rows.Next() {
		var d Deadline
		var due, remind string
		if err := rows.Scan(&d.Kind, &d.RefID, &d.UserID, &due, &remind, &d.CaseID, &d.CaseCode, &d.OrgID, &d.Held); err != nil {
			return nil, fmt.Errorf("scan deadline: %w", err)
		}
		var err error
		if d.Due, err = parseDay(due); err != nil {
			return nil, fmt.Errorf("deadline %s %s: %w", d.Kind, d.RefID, err)
		}
		if d.RemindOn, err = parseDay(remind); err != nil {
			return nil, fmt.Errorf("deadline %s %s: %w", d.Kind, d.RefID, err)
		}
		d.Category = deadlineKinds[d.Kind]
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeadlineFilter narrows the deadlines dashboard.
type DeadlineFilter struct {
	// Mine keeps the actor's own deadlines: named, on cases they work, or
	// held by their organisation on a partner's case with nobody named.
	Mine bool
	// Days is how far ahead to look; overdue deadlines always show.
	Days  int
	Limit int
}

// Deadlines lists deadlines of the organisation's own cases due within
// f.Days (and every overdue one), soonest first.
func (s *Service) Deadlines(ctx context.Context, actor access.Actor, f DeadlineFilter) ([]Deadline, error) {
	scope, err := s.authorize(ctx, actor, access.ViewCases, "deadlines", "")
	if err != nil {
		return nil, err
	}
	q := s.deadlinesQuery(scope, actor, f, deadlineLimit(f.Limit))
	var out []Deadline
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, q.SQL, q.Args...)
		if err != nil {
			return fmt.Errorf("list deadlines: %w", err)
		}
		out, err = scanDeadlines(rows)
		return err
	})
	sortDeadlines(out)
	return out, err
}

// sortDeadlines orders deadlines by day, as SQL read them, which walks the
// (org_id, due_on) index; within a day by case here, which would otherwise
// sort every row of the range.
func sortDeadlines(list []Deadline) {
	slices.SortStableFunc(list, func(a, b Deadline) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return strings.Compare(a.CaseCode, b.CaseCode)
	})
}

// DeadlinesQuery returns the SQL that Deadlines runs, for the benchmark's
// raw-SQL baseline.
func (s *Service) DeadlinesQuery(actor access.Actor, f DeadlineFilter) (Query, error) {
	scope, err := access.Authorize(actor, access.ViewCases)
	if err != nil {
		return Query{}, err
	}
	return s.deadlinesQuery(scope, actor, f, deadlineLimit(f.Limit)), nil
}

// deadlineLimit bounds the deadlines dashboard.
func deadlineLimit(n int) int {
	if n <= 0 || n > 500 {
		return 200
	}
	return n
}

// deadlinesQuery reads at most limit deadlines.
func (s *Service) deadlinesQuery(scope access.Scope, actor access.Actor, f DeadlineFilter, limit int) Query {
	if f.Days <= 0 || f.Days > 366 {
		f.Days = 14
	}
	until := s.now().AddDate(0, 0, f.Days).Format(time.DateOnly)
	mine := ""
	if f.Mine {
		mine = actor.UserID
	}
	// A plain equality for an organisation lets the planner walk the
	// (org_id, due_on) index; "($1 = '*' OR …)" would scan every deadline.
	orgCond := `d.org_id = $1`
	if scope.Org() == "*" {
		orgCond = `$1 = '*'`
	}
	return Query{SQL: `SELECT ` + deadlineColumns + `
		FROM case_deadlines d JOIN cases c ON c.id = d.case_id
		WHERE ` + orgCond + ` AND d.due_on <= $2 AND c.anonymised_at IS NULL
		  AND ($4 = '' OR d.user_id = $4 OR (d.user_id IS NULL AND (c.worker_id = $4 OR d.org_id <> c.org_id)))
		ORDER BY d.due_on LIMIT $3`, Args: []any{scope.Org(), until, limit, mine}}
}
