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
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// The person's own goals and their agreement to the plan. Assistance
// proceeds on the person's full and informed agreement, explained in a
// language they understand, and they take part in the decisions (Danube
// guidelines §3.2, "Informed agreement and choice" — /work/shared/seeds/).

// Agreement answers: the person agreed to the plan, to part of it, or not.
var agreements = []string{"agreed", "partly", "not_agreed"}

// Agreements lists the answers a person may give to the plan.
func Agreements() []string { return slices.Clone(agreements) }

// MaxGoals is the length of the person's goals, in characters.
const MaxGoals = 5000

// Agreement is the person's answer to the plan as last recorded.
type Agreement struct {
	Agreement string
	// AgreedOn is YYYY-MM-DD; Language the ISO 639 code it was explained in.
	AgreedOn    string
	Language    string
	Interpreter bool
	// RecordedBy is the username of who recorded it.
	RecordedBy string
	RecordedAt time.Time
}

// AgreementInput is the agreement form.
type AgreementInput struct {
	Agreement   string
	AgreedOn    string
	Language    string
	Interpreter bool
}

// SaveGoals replaces the person's goals, in their own words; "" clears them.
func (s *Service) SaveGoals(ctx context.Context, actor access.Actor, caseID, goals string) error {
	goals = strings.TrimSpace(goals)
	if tooLong(goals, MaxGoals) {
		return apperr.Validation(apperr.FieldError{Field: "goals", Key: "error.plan.goals_too_long"})
	}
	return s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		sealed, err := s.seal(ctx, tx, caseID, "plan_goals", goals)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO plan_goals (case_id, goals, recorded_by, recorded_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (case_id) DO UPDATE SET goals = excluded.goals, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
			caseID, sealed, actor.UserID, s.cases.Now())
		if err != nil {
			return fmt.Errorf("store goals of case %s: %w", caseID, err)
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "plan_goals_recorded", Category: cases.Assistance, RefID: caseID})
	})
}

// RecordAgreement records the person's answer to the plan as it stands:
// when, in which language, and whether an interpreter was there.
func (s *Service) RecordAgreement(ctx context.Context, actor access.Actor, caseID string, in AgreementInput) error {
	in.Agreement, in.AgreedOn, in.Language = strings.TrimSpace(in.Agreement), strings.TrimSpace(in.AgreedOn), strings.ToLower(strings.TrimSpace(in.Language))
	var fe fields
	if !slices.Contains(agreements, in.Agreement) {
		fe.Add("agreement", "error.plan.agreement")
	}
	on, ok := parseDay(in.AgreedOn)
	switch {
	case !ok || on.IsZero():
		fe.Add("agreed_on", "error.plan.date")
	case on.Format(time.DateOnly) > s.cases.Now().Format(time.DateOnly):
		fe.Add("agreed_on", "error.plan.date_future")
	}
	if !languageCode.MatchString(in.Language) {
		fe.Add("agreement_language", "error.plan.agreement_language")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		id := cases.NewID()
		_, err := tx.ExecContext(ctx, `INSERT INTO plan_agreements (id, case_id, agreement, agreed_on, language, interpreter, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			id, caseID, in.Agreement, in.AgreedOn, in.Language, storage.Flag(in.Interpreter), actor.UserID, s.cases.Now())
		if err != nil {
			return fmt.Errorf("store agreement of case %s: %w", caseID, err)
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "plan_agreement_recorded", Category: cases.Assistance,
			RefID: id, Detail: in.Agreement})
	})
}

// loadAgreement reads the person's goals, their latest agreement and
// whether an activity of the plan changed after it, into p.
func (s *Service) loadAgreement(ctx context.Context, tx *storage.Tx, caseID string, p *Plan) error {
	var goals []byte
	var at time.Time
	err := tx.QueryRowContext(ctx, `SELECT goals, recorded_at FROM plan_goals WHERE case_id = $1`, caseID).Scan(&goals, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("load goals of case %s: %w", caseID, err)
	default:
		p.GoalsAt = &at
		if p.Goals, err = s.open(ctx, tx, caseID, "plan_goals", goals); err != nil {
			return err
		}
	}
	var ag Agreement
	var interpreter int
	err = tx.QueryRowContext(ctx, `SELECT a.agreement, a.agreed_on, a.language, a.interpreter, u.username, a.recorded_at
		FROM plan_agreements a JOIN users u ON u.id = a.recorded_by
		WHERE a.case_id = $1 ORDER BY a.recorded_at DESC, a.id DESC LIMIT 1`, caseID).
		Scan(&ag.Agreement, &ag.AgreedOn, &ag.Language, &interpreter, &ag.RecordedBy, &ag.RecordedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("load agreement of case %s: %w", caseID, err)
	}
	ag.Interpreter = interpreter != 0
	p.Agreement = &ag
	for _, act := range p.Activities {
		if act.UpdatedAt.After(ag.RecordedAt) {
			p.ChangedSinceAgreement = true
		}
	}
	return nil
}
