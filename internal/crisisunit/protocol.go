package crisisunit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Step is one line of the protocol of collaboration: at Stage, an
// organisation of Kind takes on Template within DueDays days.
type Step struct {
	Stage    cases.Stage
	Kind     string
	Template string
	DueDays  int
}

// sortSteps orders steps by lifecycle stage, organisation kind, template.
func sortSteps(steps []Step) {
	stages, kinds := cases.Stages(), accounts.OrgKinds
	slices.SortFunc(steps, func(a, b Step) int {
		return cmp.Or(
			cmp.Compare(slices.Index(stages, a.Stage), slices.Index(stages, b.Stage)),
			cmp.Compare(slices.Index(kinds, accounts.OrgKind(a.Kind)), slices.Index(kinds, accounts.OrgKind(b.Kind))),
			cmp.Compare(slices.Index(taskTemplates, a.Template), slices.Index(taskTemplates, b.Template)),
		)
	})
}

func loadSteps(ctx context.Context, tx *storage.Tx, stage cases.Stage) ([]Step, error) {
	rows, err := tx.QueryContext(ctx, `SELECT stage, org_kind, template, due_days FROM collaboration_protocol
		WHERE $1 = '' OR stage = $1`, string(stage))
	if err != nil {
		return nil, fmt.Errorf("load protocol of collaboration: %w", err)
	}
	defer rows.Close()
	var out []Step
	for rows.Next() {
		var st Step
		if err := rows.Scan(&st.Stage, &st.Kind, &st.Template, &st.DueDays); err != nil {
			return nil, fmt.Errorf("scan protocol step: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load protocol of collaboration: %w", err)
	}
	sortSteps(out)
	return out, nil
}

func protocolFor(ctx context.Context, tx *storage.Tx, stage cases.Stage) ([]Step, error) {
	return loadSteps(ctx, tx, stage)
}

// Protocol returns the protocol of collaboration, in lifecycle order.
func (s *Service) Protocol(ctx context.Context, actor access.Actor) ([]Step, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ManageProtocol, "collaboration_protocol", ""); err != nil {
		return nil, err
	}
	var out []Step
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = loadSteps(ctx, tx, "")
		return err
	})
	return out, err
}

// CheckSteps validates a protocol; field errors name step.N.stage,
// step.N.kind, step.N.template and step.N.days, N counting from 1.
func CheckSteps(steps []Step) error {
	var fields []apperr.FieldError
	seen := map[Step]bool{}
	for i, st := range steps {
		n := "step." + strconv.Itoa(i+1)
		if !st.Stage.Valid() || st.Stage == cases.Closed {
			fields = append(fields, apperr.FieldError{Field: n + ".stage", Key: "crisisunit.error.step_stage"})
		}
		if !accounts.OrgKind(st.Kind).Valid() {
			fields = append(fields, apperr.FieldError{Field: n + ".kind", Key: "crisisunit.error.step_kind"})
		}
		if !slices.Contains(taskTemplates, st.Template) {
			fields = append(fields, apperr.FieldError{Field: n + ".template", Key: "crisisunit.error.step_template"})
		}
		if st.DueDays < 0 || st.DueDays > MaxDueDays {
			fields = append(fields, apperr.FieldError{Field: n + ".days", Key: "crisisunit.error.step_days",
				Args: map[string]any{"max": MaxDueDays}})
		}
		key := Step{Stage: st.Stage, Kind: st.Kind, Template: st.Template}
		if seen[key] {
			fields = append(fields, apperr.FieldError{Field: n + ".template", Key: "crisisunit.error.step_duplicate"})
		}
		seen[key] = true
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// SetProtocol replaces the protocol of collaboration. It changes the tasks
// of future stage moves only; tasks already given stay as they are.
func (s *Service) SetProtocol(ctx context.Context, actor access.Actor, steps []Step) error {
	if _, err := s.cases.Authorize(ctx, actor, access.ManageProtocol, "collaboration_protocol", ""); err != nil {
		return err
	}
	if err := CheckSteps(steps); err != nil {
		return err
	}
	return s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM collaboration_protocol`); err != nil {
			return fmt.Errorf("clear protocol of collaboration: %w", err)
		}
		for _, st := range steps {
			if _, err := tx.ExecContext(ctx, `INSERT INTO collaboration_protocol (stage, org_kind, template, due_days) VALUES ($1, $2, $3, $4)`,
				string(st.Stage), st.Kind, st.Template, st.DueDays); err != nil {
				return fmt.Errorf("store protocol step: %w", storage.MapError(err))
			}
		}
		return s.cases.Audit(ctx, tx, actor, "collaboration_protocol.update", "collaboration_protocol", "", "",
			strconv.Itoa(len(steps))+" steps")
	})
}
