package cases

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// MoveHook runs inside the transaction of a stage move, after the case has
// moved; an error undoes the move. The crisis unit uses one to pre-fill the
// tasks its protocol of collaboration names for the new stage.
type MoveHook func(ctx context.Context, tx *storage.Tx, actor access.Actor, c Case, from Stage) error

// OnMove adds a hook to every stage move. It is called while the process
// is assembled, before any request is served.
func (s *Service) OnMove(h MoveHook) { s.moveHooks = append(s.moveHooks, h) }

// WithdrawHook runs inside the transaction that records a consent's
// withdrawal; an error undoes it. Assistance withdraws the referrals still
// waiting on that consent.
type WithdrawHook func(ctx context.Context, tx *storage.Tx, actor access.Actor, c Case, consentID string) error

// OnWithdraw adds a hook to every consent withdrawal, while the process is
// assembled.
func (s *Service) OnWithdraw(h WithdrawHook) { s.withdrawHooks = append(s.withdrawHooks, h) }

// TransferHook runs inside the transaction that makes organisation to the
// owner of case c (c still names the old owner); an error undoes the
// transfer. The crisis unit hands the old owner's open tasks to the new one.
type TransferHook func(ctx context.Context, tx *storage.Tx, actor access.Actor, c Case, to string) error

// OnTransfer adds a hook to every accepted transfer, while the process is
// assembled.
func (s *Service) OnTransfer(h TransferHook) { s.transferHooks = append(s.transferHooks, h) }

// ProviderCheck counts how many of ids are active service providers, inside
// the transaction that records a consent naming them.
type ProviderCheck func(ctx context.Context, tx *storage.Tx, ids []string) (int, error)

// OnProviderCheck sets how a consent's providers are checked; the directory
// of service providers belongs to assistance, which sets it while the
// process is assembled.
func (s *Service) OnProviderCheck(f ProviderCheck) { s.providersKnown = f }

// StageChange is one entry of a case's lifecycle history.
type StageChange struct {
	From, To Stage
	Reason   string
	By       string
	// ByName is the username of By.
	ByName string
	At     time.Time
}

// MoveStage moves a case to another stage of the lifecycle. A move the
// lifecycle does not allow is refused and changes nothing. Entering the
// reflection and recovery period starts it (ReflectionDays from today) and
// registers its end as a deadline.
func (s *Service) MoveStage(ctx context.Context, actor access.Actor, caseID string, to Stage, reason string) (Case, error) {
	var out Case
	err := s.Change(ctx, actor, access.ManageCases, caseID, Profile, func(tx *storage.Tx, a Access) error {
		c := a.Case
		today := s.now()
		if err := (Move{From: c.Stage, To: to, Reason: reason, ReflectionRunning: c.ReflectionRunning(today)}).Check(); err != nil {
			return err
		}
		var err error
		out, err = s.move(ctx, tx, actor, c, to, reason)
		return err
	})
	return out, err
}

// Reopen re-opens a closed case at the stage it was closed from.
func (s *Service) Reopen(ctx context.Context, actor access.Actor, caseID string) (Case, error) {
	var out Case
	err := s.change(ctx, actor, access.ManageCases, caseID, Profile, true, nil, func(tx *storage.Tx, a Access) error {
		c := a.Case
		if c.Stage != Closed {
			return apperr.New(apperr.Conflict, "error.case_not_closed")
		}
		to := c.ClosedFrom
		if !to.Valid() || to == Closed {
			to = FirstContact
		}
		var err error
		out, err = s.move(ctx, tx, actor, c, to, "reopened")
		return err
	})
	return out, err
}

func (s *Service) move(ctx context.Context, tx *storage.Tx, actor access.Actor, c Case, to Stage, reason string) (Case, error) {
	now := s.now()
	from := c.Stage
	var err error
	switch {
	case to == Closed:
		_, err = tx.ExecContext(ctx, `UPDATE cases SET stage = $1, stage_since = $2, closed_from = $3, close_reason = $4, closed_at = $2
			WHERE id = $5`, string(to), now, string(from), reason, c.ID)
	case from == Closed:
		_, err = tx.ExecContext(ctx, `UPDATE cases SET stage = $1, stage_since = $2, closed_from = '', close_reason = '', closed_at = NULL
			WHERE id = $3`, string(to), now, c.ID)
	case to == Reflection && c.ReflectionStart == "":
		start := now.Format(time.DateOnly)
		end := now.AddDate(0, 0, s.reflectionDays).Format(time.DateOnly)
		_, err = tx.ExecContext(ctx, `UPDATE cases SET stage = $1, stage_since = $2, reflection_start = $3, reflection_end = $4
			WHERE id = $5`, string(to), now, start, end, c.ID)
		c.ReflectionStart, c.ReflectionEnd = start, end
	default:
		_, err = tx.ExecContext(ctx, `UPDATE cases SET stage = $1, stage_since = $2 WHERE id = $3`, string(to), now, c.ID)
	}
	if err != nil {
		return Case{}, fmt.Errorf("move case %s to %s: %w", c.ID, to, err)
	}
	if to == Reflection && c.ReflectionEnd != "" {
		end, _ := parseDay(c.ReflectionEnd)
		if err := s.SetDeadline(ctx, tx, c, Deadline{Kind: "reflection_end", RefID: c.ID, Due: end, RemindOn: end.AddDate(0, 0, -14)}); err != nil {
			return Case{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_stages (id, case_id, from_stage, to_stage, reason, moved_by, moved_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, newID(), c.ID, string(from), string(to), reason, actor.UserID, now); err != nil {
		return Case{}, fmt.Errorf("record stage of case %s: %w", c.ID, err)
	}
	if err := s.Log(ctx, tx, actor, c, Event{Kind: "stage", Category: Profile, Detail: string(from) + ">" + string(to) + reasonSuffix(reason)}); err != nil {
		return Case{}, err
	}
	c.Stage, c.StageSince = to, now
	for _, h := range s.moveHooks {
		if err := h(ctx, tx, actor, c, from); err != nil {
			return Case{}, err
		}
	}
	return c, nil
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return ":" + r
}

// History lists the lifecycle history of a case, oldest first.
func History(ctx context.Context, tx *storage.Tx, caseID string) ([]StageChange, error) {
	rows, err := tx.QueryContext(ctx, `SELECT h.from_stage, h.to_stage, h.reason, h.moved_by, u.username, h.moved_at
		FROM case_stages h JOIN users u ON u.id = h.moved_by
		WHERE h.case_id = $1 ORDER BY h.moved_at, h.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load history of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []StageChange
	for rows.Next() {
		var h StageChange
		if err := rows.Scan(&h.From, &h.To, &h.Reason, &h.By, &h.ByName, &h.At); err != nil {
			return nil, fmt.Errorf("scan history of case %s: %w", caseID, err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
