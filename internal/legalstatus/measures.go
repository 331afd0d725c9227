package legalstatus

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/risk"
	"waymark.city/waymark/internal/storage"
)

// Protective measures the person may ask for in investigation and
// proceedings so that testifying does not harm them again: no visual
// contact, no confrontation with the accused, their identity and their
// relatives protected, police protection where the individual risk
// assessment calls for it (OSCE Alliance position paper, "Protection in
// Investigation and Criminal Proceedings").
var (
	measureKinds = []string{"video_testimony", "no_confrontation", "closed_hearing", "relatives_protection",
		"anonymised_testimony", "police_protection", "other"}
	requesters      = []string{"person", "lawyer", "assisting_organisation", "prosecutor", "police", "court", "other"}
	measureStatuses = []string{"pending", "granted", "refused"}
)

// MeasureKinds lists the protective measures.
func MeasureKinds() []string { return slices.Clone(measureKinds) }

// Requesters lists who asked for a protective measure.
func Requesters() []string { return slices.Clone(requesters) }

// MeasureStatuses lists the states of a request for a protective measure.
func MeasureStatuses() []string { return slices.Clone(measureStatuses) }

// Measure is a protective measure requested in proceedings.
type Measure struct {
	ID          string `json:"id"`
	Number      int    `json:"number"`
	Kind        string `json:"measure"`
	RequestedOn string `json:"requested_on"`
	RequestedBy string `json:"requested_by"`
	Status      string `json:"status"`
	DecidedOn   string `json:"decided_on,omitempty"`
	// ProceedingID and Proceeding (its number) name the criminal
	// proceedings the measure was asked for; "" and 0 for none.
	ProceedingID string `json:"-"`
	Proceeding   int    `json:"proceeding,omitempty"`
	// HearingOn is the hearing it is asked for, if one.
	HearingOn string `json:"hearing_on,omitempty"`
	// RiskAssessmentID is the risk assessment the measure answers.
	RiskAssessmentID string `json:"risk_assessment_id,omitempty"`
	// Note is decrypted: what exactly was asked for.
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"recorded_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// MeasureInput is the protective-measure form: Number 0 records a new
// request, otherwise request Number of the case is changed.
type MeasureInput struct {
	Number int
	// Kind, RequestedBy and Status are codes (MeasureKinds, Requesters,
	// MeasureStatuses); the dates are YYYY-MM-DD.
	Kind, RequestedOn, RequestedBy, Status, DecidedOn, HearingOn string
	// ProceedingID and RiskAssessmentID link the measure to the case's
	// proceedings and risk assessment by id; "" for none.
	ProceedingID, RiskAssessmentID string
	// Note is encrypted; required for "other"; on a change "" keeps it.
	Note string
}

func checkMeasure(c *checker, in MeasureInput, m *Measure) {
	c.code("measure_kind", in.Kind, measureKinds)
	c.code("measure_requested_by", in.RequestedBy, requesters)
	c.code("measure_status", in.Status, measureStatuses)
	m.Kind, m.RequestedBy, m.Status = in.Kind, in.RequestedBy, in.Status
	requested := c.date("measure_requested_on", in.RequestedOn, past)
	decided := c.date("measure_decided_on", in.DecidedOn, past)
	m.RequestedOn, m.DecidedOn = day(requested), day(decided)
	m.HearingOn = day(c.date("measure_hearing_on", in.HearingOn, planned))
	c.required("measure_requested_on", in.RequestedOn)
	c.decision("measure_decided_on", in.Status, measureStatuses, requested, decided, in.DecidedOn,
		"legalstatus.error.decided_before_requested")
	if n := c.note("measure_note", in.Note); n != "" {
		m.Note = n
	}
	if in.Kind == "other" && m.Note == "" {
		c.fail("measure_note", "legalstatus.error.note_required", nil)
	}
}

// SaveMeasure records a request for a protective measure or changes one
// (the decision on it). The proceedings and the risk assessment it names
// must be the case's own.
func (s *Service) SaveMeasure(ctx context.Context, actor access.Actor, caseID string, in MeasureInput) (Measure, error) {
	var out Measure
	err := s.change(ctx, actor, caseID, func(tx *storage.Tx, a cases.Access) error {
		now := s.cases.Now()
		c := newChecker(now)
		m := Measure{ID: cases.NewID(), CreatedAt: now, UpdatedAt: now}
		kind := "legal_measure_recorded"
		if in.Number != 0 {
			old, err := s.measure(ctx, tx, a.Case.ID, in.Number)
			if err != nil {
				return err
			}
			kind, m = "legal_measure_updated", old
			m.UpdatedAt = now
		}
		checkMeasure(c, in, &m)
		if err := s.checkMeasureLinks(ctx, tx, c, a.Case.ID, in, &m); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		note, err := s.seal(ctx, tx, a.Case.ID, "measure."+m.ID+".note", m.Note)
		if err != nil {
			return err
		}
		if in.Number == 0 {
			if m.Number, err = nextNumber(ctx, tx, "legal_protective_measures", a.Case.ID); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO legal_protective_measures (id, case_id, number, measure, requested_on, requested_by,
					status, decided_on, proceeding_id, hearing_on, risk_assessment_id, note, recorded_by, created_at, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13, $14)`,
				m.ID, a.Case.ID, m.Number, m.Kind, m.RequestedOn, m.RequestedBy, m.Status, m.DecidedOn,
				storage.NullString(m.ProceedingID), m.HearingOn, storage.NullString(m.RiskAssessmentID), note, actor.UserID, now)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE legal_protective_measures SET measure = $1, requested_on = $2, requested_by = $3,
				status = $4, decided_on = $5, proceeding_id = $6, hearing_on = $7, risk_assessment_id = $8, note = $9,
				updated_by = $10, updated_at = $11 WHERE id = $12`,
				m.Kind, m.RequestedOn, m.RequestedBy, m.Status, m.DecidedOn, storage.NullString(m.ProceedingID), m.HearingOn,
				storage.NullString(m.RiskAssessmentID), note, actor.UserID, now, m.ID)
		}
		if err != nil {
			return fmt.Errorf("save protective measure of case %s: %w", a.Case.ID, err)
		}
		out = m
		return s.log(ctx, tx, actor, a.Case, kind, m.ID, m.Status)
	})
	return out, err
}

// checkMeasureLinks checks that the proceedings and the risk assessment
// the form names belong to the case; another case's are refused as if
// unknown, so the form tells nothing about them.
func (s *Service) checkMeasureLinks(ctx context.Context, tx *storage.Tx, c *checker, caseID string, in MeasureInput, m *Measure) error {
	m.ProceedingID, m.Proceeding = "", 0
	if id := strings.TrimSpace(in.ProceedingID); id != "" {
		procs, err := s.loadProceedings(ctx, tx, caseID, false)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(procs, func(p Proceeding) bool { return p.ID == id })
		if i < 0 {
			c.fail("measure_proceeding", "legalstatus.error.choose", nil)
		} else {
			m.ProceedingID, m.Proceeding = id, procs[i].Number
		}
	}
	m.RiskAssessmentID = ""
	if id := strings.TrimSpace(in.RiskAssessmentID); id != "" {
		list, err := risk.Assessments(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(list, func(as risk.Assessment) bool { return as.ID == id }) {
			m.RiskAssessmentID = id
		} else {
			c.fail("measure_risk", "legalstatus.error.choose", nil)
		}
	}
	return nil
}

func (s *Service) measure(ctx context.Context, tx *storage.Tx, caseID string, number int) (Measure, error) {
	list, err := s.loadMeasures(ctx, tx, caseID)
	if err != nil {
		return Measure{}, err
	}
	return byNumber(list, number, func(m Measure) int { return m.Number })
}

func (s *Service) loadMeasures(ctx context.Context, tx *storage.Tx, caseID string) ([]Measure, error) {
	out, notes, err := loadSealed(ctx, tx, "protective measures", caseID, `SELECT m.id, m.number, m.measure, m.requested_on,
			m.requested_by, m.status, m.decided_on, COALESCE(m.proceeding_id, ''), COALESCE(p.number, 0), m.hearing_on,
			COALESCE(m.risk_assessment_id, ''), m.note, m.created_at, m.updated_at
		FROM legal_protective_measures m LEFT JOIN legal_proceedings p ON p.id = m.proceeding_id
		WHERE m.case_id = $1 ORDER BY m.number`, func(rows *sql.Rows, m *Measure, note *[]byte) error {
		err := rows.Scan(&m.ID, &m.Number, &m.Kind, &m.RequestedOn, &m.RequestedBy, &m.Status, &m.DecidedOn, &m.ProceedingID,
			&m.Proceeding, &m.HearingOn, &m.RiskAssessmentID, note, &m.CreatedAt, &m.UpdatedAt)
		m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Note, err = s.open(ctx, tx, caseID, "measure."+out[i].ID+".note", notes[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
