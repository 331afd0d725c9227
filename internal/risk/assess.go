package risk

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// NewAssessment is the assessment form.
type NewAssessment struct {
	Level   string
	Factors []string
	Summary string
	// ReviewOn is the next review, YYYY-MM-DD; "" takes the level's default.
	ReviewOn string
}

// NewIncident is the incident form.
type NewIncident struct {
	Kind       string
	OccurredOn string // YYYY-MM-DD
	Note       string
}

// Record is everything the risk tab of a case shows.
type Record struct {
	Access cases.Access `json:"-"`
	// Current is the newest assessment; History the older ones, newest first.
	Current   *Assessment
	History   []Assessment
	Incidents []Incident
	// NeedsReview is true when an incident came after the current assessment.
	NeedsReview bool
	// Vulnerabilities are the person's vulnerability factors, kept on the
	// case under the same Risk category.
	Vulnerabilities []cases.Vulnerability
}

func summaryField(id string) string { return "risk_summary." + id }
func noteField(id string) string    { return "risk_incident_note." + id }

// earliest and latest are the calendar days it is somewhere on earth now
// (UTC-12 to UTC+14): a date is in the past or the future only once it is so
// everywhere, whatever time zone the worker is in.
func earliest(now time.Time) string { return now.UTC().Add(-12 * time.Hour).Format(time.DateOnly) }
func latest(now time.Time) string   { return now.UTC().Add(14 * time.Hour).Format(time.DateOnly) }

// validDay reports whether s is a calendar day YYYY-MM-DD.
func validDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// text checks a free-text field: valid UTF-8 and at most max characters.
func text(field, s string, max int) *apperr.FieldError {
	switch {
	case !utf8.ValidString(s):
		return &apperr.FieldError{Field: field, Key: "error.bad_encoding"}
	case utf8.RuneCountInString(s) > max:
		return &apperr.FieldError{Field: field, Key: "error.risk.too_long", Args: map[string]any{"max": max}}
	}
	return nil
}

// validate checks the form against today's date and fills in the default
// review date.
func (in *NewAssessment) validate(now time.Time) error {
	var fields []apperr.FieldError
	in.Level, in.Summary, in.ReviewOn = strings.TrimSpace(in.Level), strings.TrimSpace(in.Summary), strings.TrimSpace(in.ReviewOn)
	if !slices.Contains(cases.RiskLevels(), in.Level) {
		fields = append(fields, apperr.FieldError{Field: "level", Key: "error.risk.level_required"})
	}
	var list []string
	for _, f := range in.Factors {
		f = strings.TrimSpace(f)
		if f == "" || slices.Contains(list, f) {
			continue
		}
		if !knownFactor(f) {
			fields = append(fields, apperr.FieldError{Field: "factors", Key: "error.risk.factor_unknown"})
			break
		}
		list = append(list, f)
	}
	in.Factors = list
	if fe := text("summary", in.Summary, MaxSummary); fe != nil {
		fields = append(fields, *fe)
	}
	if in.ReviewOn == "" && slices.Contains(cases.RiskLevels(), in.Level) {
		in.ReviewOn = DefaultReview(in.Level, now.UTC())
	}
	switch {
	case in.ReviewOn == "":
		fields = append(fields, apperr.FieldError{Field: "review_on", Key: "error.risk.review_required"})
	case !validDay(in.ReviewOn):
		fields = append(fields, apperr.FieldError{Field: "review_on", Key: "error.date_invalid"})
	case in.ReviewOn < earliest(now):
		fields = append(fields, apperr.FieldError{Field: "review_on", Key: "error.risk.review_past"})
	case in.ReviewOn > now.UTC().AddDate(1, 0, 1).Format(time.DateOnly):
		// A risk review more than a year away is no living record.
		fields = append(fields, apperr.FieldError{Field: "review_on", Key: "error.risk.review_too_far"})
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

func (in *NewIncident) validate(now time.Time) error {
	var fields []apperr.FieldError
	in.Kind, in.OccurredOn, in.Note = strings.TrimSpace(in.Kind), strings.TrimSpace(in.OccurredOn), strings.TrimSpace(in.Note)
	if !slices.Contains(incidentKinds, in.Kind) {
		fields = append(fields, apperr.FieldError{Field: "kind", Key: "error.risk.incident_kind_required"})
	}
	switch {
	case in.OccurredOn == "":
		fields = append(fields, apperr.FieldError{Field: "occurred_on", Key: "error.risk.incident_date_required"})
	case !validDay(in.OccurredOn):
		fields = append(fields, apperr.FieldError{Field: "occurred_on", Key: "error.date_invalid"})
	case in.OccurredOn > latest(now):
		fields = append(fields, apperr.FieldError{Field: "occurred_on", Key: "error.risk.incident_date_future"})
	}
	if fe := text("note", in.Note, MaxNote); fe != nil {
		fields = append(fields, *fe)
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// Assess records a new risk assessment of a case, which becomes the current
// one: the case takes its level, and its next review becomes the case's
// "risk_review" deadline. Bad input changes nothing.
func (s *Service) Assess(ctx context.Context, actor access.Actor, caseID string, in NewAssessment) (Assessment, error) {
	now := s.cases.Now()
	if err := in.validate(now); err != nil {
		return Assessment{}, err
	}
	a := Assessment{ID: cases.NewID(), CaseID: caseID, Level: in.Level, Factors: in.Factors, HasSummary: in.Summary != "",
		ReviewOn: in.ReviewOn, AssessedBy: actor.UserID, AssessedAt: now}
	err := s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Risk, func(tx *storage.Tx, ac cases.Access) error {
		summary, err := s.cases.Vault().Seal(ctx, tx, cases.Record(caseID), summaryField(a.ID), []byte(in.Summary))
		if err != nil {
			return fmt.Errorf("seal risk summary: %w", err)
		}
		factors, err := json.Marshal(a.Factors)
		if err != nil {
			return fmt.Errorf("encode risk factors: %w", err)
		}
		if a.Factors == nil {
			factors = []byte("[]")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO risk_assessments (id, case_id, org_id, level, factors, summary, review_on, assessed_by, assessed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			a.ID, caseID, ac.Case.OrgID, a.Level, string(factors), summary, a.ReviewOn, actor.UserID, now); err != nil {
			return fmt.Errorf("insert risk assessment of case %s: %w", caseID, err)
		}
		if err := s.cases.SetRiskLevel(ctx, tx, caseID, a.Level); err != nil {
			return err
		}
		due, _ := time.Parse(time.DateOnly, a.ReviewOn)
		if err := s.cases.SetDeadline(ctx, tx, ac.Case, cases.Deadline{Kind: "risk_review", RefID: caseID, Due: due,
			RemindOn: due.AddDate(0, 0, -remindDays(a.Level))}); err != nil {
			return err
		}
		return s.cases.Log(ctx, tx, actor, ac.Case, cases.Event{Kind: "risk_assessed", Category: cases.Risk, RefID: a.ID, Detail: a.Level})
	})
	if err != nil {
		return Assessment{}, err
	}
	return a, nil
}

// remindDays is how many days before a review reminders start: a week, but
// no more than half the level's interval so a critical case is not
// reminded on the day it was assessed.
func remindDays(level string) int { return min(7, reviewDays[level]/2) }

// RecordIncident records an event that changes the risk of a case. It asks
// for a new assessment: the case's "risk_review" deadline moves to today,
// and NeedsReview is true until the next assessment.
func (s *Service) RecordIncident(ctx context.Context, actor access.Actor, caseID string, in NewIncident) (Incident, error) {
	now := s.cases.Now()
	if err := in.validate(now); err != nil {
		return Incident{}, err
	}
	inc := Incident{ID: cases.NewID(), CaseID: caseID, Kind: in.Kind, OccurredOn: in.OccurredOn, HasNote: in.Note != "",
		RecordedBy: actor.UserID, RecordedAt: now}
	err := s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Risk, func(tx *storage.Tx, ac cases.Access) error {
		note, err := s.cases.Vault().Seal(ctx, tx, cases.Record(caseID), noteField(inc.ID), []byte(in.Note))
		if err != nil {
			return fmt.Errorf("seal incident note: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO risk_incidents (id, case_id, org_id, kind, occurred_on, note, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			inc.ID, caseID, ac.Case.OrgID, inc.Kind, inc.OccurredOn, note, actor.UserID, now); err != nil {
			return fmt.Errorf("insert risk incident of case %s: %w", caseID, err)
		}
		day, _ := time.Parse(time.DateOnly, today(now))
		if err := s.cases.SetDeadline(ctx, tx, ac.Case, cases.Deadline{Kind: "risk_review", RefID: caseID, Due: day, RemindOn: day}); err != nil {
			return err
		}
		return s.cases.Log(ctx, tx, actor, ac.Case, cases.Event{Kind: "risk_incident", Category: cases.Risk, RefID: inc.ID, Detail: inc.Kind})
	})
	if err != nil {
		return Incident{}, err
	}
	return inc, nil
}

// Get returns the risk record of a case with the summaries and notes
// decrypted, as an audited read of the case's risk category.
func (s *Service) Get(ctx context.Context, actor access.Actor, caseID string) (Record, error) {
	var out Record
	err := s.cases.View(ctx, actor, caseID, cases.Risk, func(tx *storage.Tx, ac cases.Access) error {
		var err error
		out, err = s.Export(ctx, tx, ac)
		return err
	})
	return out, err
}

// Export reads the risk record of a case, decrypted, inside a transaction that went
// through the case gate: for the case page and the data-protection export.
func (s *Service) Export(ctx context.Context, tx *storage.Tx, ac cases.Access) (Record, error) {
	var out Record
	caseID := ac.Case.ID
	out.Access = ac
	all, err := loadAssessments(ctx, tx, caseID, 0)
	if err != nil {
		return Record{}, err
	}
	for i := range all {
		a := &all[i]
		plain, err := s.cases.Vault().Open(ctx, tx, cases.Record(caseID), summaryField(a.ID), a.sealed)
		if err != nil {
			return Record{}, fmt.Errorf("open risk summary %s: %w", a.ID, err)
		}
		a.Summary, a.sealed = string(plain), nil
	}
	if len(all) > 0 {
		out.Current, out.History = &all[0], all[1:]
	}
	out.Incidents, err = s.loadIncidents(ctx, tx, caseID)
	if err != nil {
		return Record{}, err
	}
	if out.NeedsReview, err = needsReview(ctx, tx, caseID); err != nil {
		return Record{}, err
	}
	out.Vulnerabilities, err = s.cases.VulnerabilitiesIn(ctx, tx, caseID)
	return out, err
}

// loadAssessments lists a case's assessments, newest first, with their
// summaries still sealed; limit 0 means all.
func loadAssessments(ctx context.Context, tx *storage.Tx, caseID string, limit int) ([]Assessment, error) {
	q := `SELECT a.id, a.case_id, a.level, a.factors, a.summary, a.review_on, a.assessed_by, u.username, a.assessed_at
		FROM risk_assessments a JOIN users u ON u.id = a.assessed_by
		WHERE a.case_id = $1 ORDER BY a.assessed_at DESC, a.id DESC`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := tx.QueryContext(ctx, q, caseID)
	if err != nil {
		return nil, fmt.Errorf("load risk assessments of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []Assessment
	for rows.Next() {
		var a Assessment
		var factors string
		if err := rows.Scan(&a.ID, &a.CaseID, &a.Level, &factors, &a.sealed, &a.ReviewOn, &a.AssessedBy, &a.AssessedByName, &a.AssessedAt); err != nil {
			return nil, fmt.Errorf("scan risk assessment: %w", err)
		}
		a.HasSummary = len(a.sealed) > 0
		if err := json.Unmarshal([]byte(factors), &a.Factors); err != nil {
			return nil, fmt.Errorf("decode factors of risk assessment %s: %w", a.ID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// loadIncidents lists a case's incidents with their notes, newest first.
func (s *Service) loadIncidents(ctx context.Context, tx *storage.Tx, caseID string) ([]Incident, error) {
	rows, err := tx.QueryContext(ctx, `SELECT i.id, i.case_id, i.kind, i.occurred_on, i.note, i.recorded_by, u.username, i.recorded_at
		FROM risk_incidents i JOIN users u ON u.id = i.recorded_by
		WHERE i.case_id = $1 ORDER BY i.recorded_at DESC, i.id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load risk incidents of case %s: %w", caseID, err)
	}
	type row struct {
		Incident
		note []byte
	}
	var list []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.ID, &r.CaseID, &r.Kind, &r.OccurredOn, &r.note, &r.RecordedBy, &r.RecordedByName, &r.RecordedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan risk incident: %w", err)
		}
		list = append(list, r)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("load risk incidents of case %s: %w", caseID, err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load risk incidents of case %s: %w", caseID, err)
	}
	// Decrypt once the rows are closed: the vault queries the same transaction.
	out := make([]Incident, 0, len(list))
	for _, r := range list {
		inc := r.Incident
		inc.HasNote = len(r.note) > 0
		plain, err := s.cases.Vault().Open(ctx, tx, cases.Record(caseID), noteField(inc.ID), r.note)
		if err != nil {
			return nil, fmt.Errorf("open risk incident note %s: %w", inc.ID, err)
		}
		inc.Note = string(plain)
		out = append(out, inc)
	}
	return out, nil
}
