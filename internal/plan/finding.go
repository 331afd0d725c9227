package plan

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Finding is what the mapping, a meeting or the coordinator found.
type Finding struct {
	ID          string
	Title       string
	Description string
	Topic       Topic
	AreaCode    string
	SourceKind  SourceKind
	SourceID    string
	Priority    Priority
	CreatedAt   time.Time
	// FollowUp is how far the finding was followed up; Latest is its newest
	// re-check when it was re-checked.
	FollowUp FollowUp
	Latest   *Recheck
	// Rechecks (newest first) and Measures are filled by Finding only.
	Rechecks []Recheck
	Measures []MeasureRef
}

// MeasureRef names a measure taken on a finding.
type MeasureRef struct {
	ID        string
	Objective string
	OwnerName string
	Status    Status
	DueOn     string
}

// FindingInput is the finding form.
type FindingInput struct {
	Title       string
	Description string
	Topic       Topic
	AreaCode    string
	SourceKind  SourceKind
	SourceID    string
	Priority    Priority
}

func (in *FindingInput) check() error {
	var f fields
	f.text(&in.Title, "title", maxTitle, true)
	f.text(&in.Description, "description", maxText, true)
	in.Topic, in.Priority = Topic(strings.TrimSpace(string(in.Topic))), Priority(strings.TrimSpace(string(in.Priority)))
	if !oneOf(in.Topic, Topics()) {
		f.Add("topic", "actionplan.error.topic")
	}
	if !oneOf(in.Priority, Priorities()) {
		f.Add("priority", "actionplan.error.priority")
	}
	f.text(&in.AreaCode, "area_code", 64, false)
	f.source(&in.SourceKind, &in.SourceID)
	return f.Err()
}

// Recheck is one re-check of a finding.
type Recheck struct {
	ID         string
	FindingID  string
	Result     Result
	CheckedOn  string
	SourceKind SourceKind
	SourceID   string
	Note       string
	Username   string
	RecordedAt time.Time
}

// RecheckInput is a re-check: what a later round, meeting or the
// coordinator found about the finding.
type RecheckInput struct {
	Result     Result
	CheckedOn  string
	SourceKind SourceKind
	SourceID   string
	Note       string
}

func (in *RecheckInput) check(today string) error {
	var f fields
	in.Result = Result(strings.TrimSpace(string(in.Result)))
	if !oneOf(in.Result, Results()) {
		f.Add("result", "actionplan.error.result")
	}
	f.date(&in.CheckedOn, "checked_on", true)
	if in.CheckedOn > today {
		f.Add("checked_on", "actionplan.error.future")
	}
	f.source(&in.SourceKind, &in.SourceID)
	f.text(&in.Note, "note", maxText, false)
	return f.Err()
}

// followUp derives a finding's follow-up from its re-checks and measures.
const followUp = `CASE
	WHEN EXISTS (SELECT 1 FROM plan_rechecks r WHERE r.finding_id = f.id) THEN 'rechecked'
	WHEN EXISTS (SELECT 1 FROM plan_measure_findings mf JOIN plan_measures m ON m.id = mf.measure_id
		WHERE mf.finding_id = f.id AND m.status = 'done') THEN 'acted'
	WHEN EXISTS (SELECT 1 FROM plan_measure_findings mf JOIN plan_measures m ON m.id = mf.measure_id
		WHERE mf.finding_id = f.id AND m.status IN ('planned', 'in_progress')) THEN 'planned'
	ELSE 'open' END`

// findingScope limits findings to those behind a measure in scope; $1 is
// the scope's organisation.
const findingScope = `($1 = '*' OR EXISTS (SELECT 1 FROM plan_measure_findings mf JOIN plan_measures m ON m.id = mf.measure_id
	WHERE mf.finding_id = f.id AND ` + inScope + `))`

const findingColumns = `f.id, f.title, f.description, f.topic, f.area_code, f.source_kind, f.source_id, f.priority, f.created_at, ` + followUp

func scanFinding(r interface{ Scan(...any) error }) (Finding, error) {
	var f Finding
	err := r.Scan(&f.ID, &f.Title, &f.Description, &f.Topic, &f.AreaCode, &f.SourceKind, &f.SourceID, &f.Priority, &f.CreatedAt, &f.FollowUp)
	return f, err
}

// CreateFinding records a finding.
func (s *Service) CreateFinding(ctx context.Context, actor access.Actor, in FindingInput) (Finding, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManagePlan, "plan_finding", ""); err != nil {
		return Finding{}, err
	}
	if err := in.check(); err != nil {
		return Finding{}, err
	}
	id := newID()
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_findings
			(id, title, description, topic, area_code, source_kind, source_id, priority, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, in.Title, in.Description, in.Topic, in.AreaCode, in.SourceKind, in.SourceID, in.Priority, actor.UserID, s.now()); err != nil {
			return err
		}
		return s.gate.Record(ctx, tx, actor, "plan.finding.create", "plan_finding", id, actor.OrgID, "source="+string(in.SourceKind))
	})
	if err != nil {
		return Finding{}, err
	}
	return s.Finding(ctx, actor, id)
}

// UpdateFinding corrects a finding's title, description, topic, area and
// priority; where it came from stays as recorded.
func (s *Service) UpdateFinding(ctx context.Context, actor access.Actor, id string, in FindingInput) (Finding, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManagePlan, "plan_finding", id); err != nil {
		return Finding{}, err
	}
	// The source is not changed, so it is not checked again.
	in.SourceKind, in.SourceID = FromEntered, ""
	if err := in.check(); err != nil {
		return Finding{}, err
	}
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE plan_findings SET title = $1, description = $2, topic = $3, area_code = $4, priority = $5
			WHERE id = $6`, in.Title, in.Description, in.Topic, in.AreaCode, in.Priority, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmp.Or(err, errNotFound())
		}
		return s.gate.Record(ctx, tx, actor, "plan.finding.update", "plan_finding", id, actor.OrgID, "")
	})
	if err != nil {
		return Finding{}, err
	}
	return s.Finding(ctx, actor, id)
}

// Finding returns a finding with its re-checks and measures.
func (s *Service) Finding(ctx context.Context, actor access.Actor, id string) (Finding, error) {
	sc, err := readScope(actor)
	if err != nil {
		return Finding{}, s.gate.Refuse(ctx, actor, access.ViewMunicipal, "plan_finding", id, err)
	}
	var f Finding
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		f, err = scanFinding(tx.QueryRowContext(ctx, `SELECT `+findingColumns+` FROM plan_findings f WHERE f.id = $2 AND `+findingScope, sc.Org(), id))
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound()
		}
		if err != nil {
			return err
		}
		if f.Rechecks, err = rechecks(ctx, tx, []string{id}); err != nil {
			return err
		}
		if len(f.Rechecks) > 0 {
			f.Latest = &f.Rechecks[0]
		}
		f.Measures, err = measuresOf(ctx, tx, sc, id)
		return err
	})
	if apperr.Is(err, apperr.NotFound) {
		return Finding{}, s.gate.Refuse(ctx, actor, access.ReportPlanProgress, "plan_finding", id, err)
	}
	return f, err
}

// rechecks lists the re-checks of findings, newest first.
func rechecks(ctx context.Context, tx *storage.Tx, ids []string) ([]Recheck, error) {
	in, args := storage.InList(1, ids)
	var out []Recheck
	err := eachRow(ctx, tx, `SELECT r.id, r.finding_id, r.result, r.checked_on, r.source_kind, r.source_id, r.note, u.username, r.recorded_at
		FROM plan_rechecks r JOIN users u ON u.id = r.recorded_by
		WHERE r.finding_id IN (`+in+`) ORDER BY r.checked_on DESC, r.recorded_at DESC`, args, func(rows *sql.Rows) error {
		var r Recheck
		err := rows.Scan(&r.ID, &r.FindingID, &r.Result, &r.CheckedOn, &r.SourceKind, &r.SourceID, &r.Note, &r.Username, &r.RecordedAt)
		out = append(out, r)
		return err
	})
	return out, err
}

// measuresOf names the measures in scope taken on a finding.
func measuresOf(ctx context.Context, tx *storage.Tx, sc access.Scope, findingID string) ([]MeasureRef, error) {
	var out []MeasureRef
	err := eachRow(ctx, tx, `SELECT m.id, m.objective, o.name, m.status, m.due_on
		FROM plan_measures m JOIN plan_measure_findings mf ON mf.measure_id = m.id JOIN organisations o ON o.id = m.owner_org
		WHERE mf.finding_id = $2 AND `+inScope+` ORDER BY m.due_on, m.id`, []any{sc.Org(), findingID}, func(rows *sql.Rows) error {
		var m MeasureRef
		err := rows.Scan(&m.ID, &m.Objective, &m.OwnerName, &m.Status, &m.DueOn)
		out = append(out, m)
		return err
	})
	return out, err
}

// FindingFilter narrows the list of findings.
type FindingFilter struct {
	SourceKind SourceKind
	SourceID   string
}

// Findings lists the findings in the actor's view, most urgent and newest
// first, each with its latest re-check.
func (s *Service) Findings(ctx context.Context, actor access.Actor, f FindingFilter) ([]Finding, error) {
	sc, err := readScope(actor)
	if err != nil {
		return nil, s.gate.Refuse(ctx, actor, access.ViewMunicipal, "plan_finding", "", err)
	}
	var out []Finding
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+findingColumns+` FROM plan_findings f
			WHERE `+findingScope+` AND ($2 = '' OR f.source_kind = $2) AND ($3 = '' OR f.source_id = $3)
			ORDER BY CASE f.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, f.created_at DESC, f.id`,
			sc.Org(), string(f.SourceKind), f.SourceID)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			fd, err := scanFinding(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, fd)
			ids = append(ids, fd.ID)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		all, err := rechecks(ctx, tx, ids)
		if err != nil {
			return err
		}
		for i := range out {
			if j := slices.IndexFunc(all, func(r Recheck) bool { return r.FindingID == out[i].ID }); j >= 0 {
				out[i].Latest = &all[j]
			}
		}
		return nil
	})
	return out, err
}

// FindingsBySource lists the findings a mapping round or meeting produced,
// each with how far it was followed up and its latest re-check: what the
// next round shows as acted on.
func (s *Service) FindingsBySource(ctx context.Context, actor access.Actor, kind SourceKind, sourceID string) ([]Finding, error) {
	if !oneOf(kind, SourceKinds()) || sourceID == "" {
		return nil, errNotFound()
	}
	return s.Findings(ctx, actor, FindingFilter{SourceKind: kind, SourceID: sourceID})
}

// RecheckFinding records a re-check of a finding: what a later mapping
// round, a meeting or the coordinator found.
func (s *Service) RecheckFinding(ctx context.Context, actor access.Actor, findingID string, in RecheckInput) (Recheck, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManagePlan, "plan_finding", findingID); err != nil {
		return Recheck{}, err
	}
	if err := in.check(s.today()); err != nil {
		return Recheck{}, err
	}
	id := newID()
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM plan_findings WHERE id = $1`, findingID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errNotFound()
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_rechecks
			(id, finding_id, result, checked_on, source_kind, source_id, note, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			id, findingID, in.Result, in.CheckedOn, in.SourceKind, in.SourceID, in.Note, actor.UserID, s.now()); err != nil {
			return err
		}
		return s.gate.Record(ctx, tx, actor, "plan.finding.recheck", "plan_finding", findingID, actor.OrgID, "result="+string(in.Result))
	})
	if err != nil {
		return Recheck{}, err
	}
	f, err := s.Finding(ctx, actor, findingID)
	if err != nil {
		return Recheck{}, err
	}
	for _, r := range f.Rechecks {
		if r.ID == id {
			return r, nil
		}
	}
	return Recheck{}, errNotFound()
}
