package sitechecks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/storage"
)

// Finding is what a check found, with the corrective actions answering it.
type Finding struct {
	ID      string
	CheckID string
	// Severity is how serious it is; Signal is the question whose answer
	// derived it ("" for a finding entered by hand).
	Severity Severity
	Signal   string
	// Description is the officer's text; empty for a derived finding whose
	// text is the signal's standard one (message sitechecks.signal.<Signal>).
	Description string
	CreatedAt   time.Time
	// Withdrawn is set on a derived finding whose answer an edit of the
	// check's answers took back: it stays for the corrective actions
	// planned for it.
	Withdrawn bool
	Actions   []Action
}

// Action is one corrective action.
type Action struct {
	ID           string
	FindingID    string
	Action       string
	Owner        Owner
	DueOn        string
	Verification string
	VerifiedOn   string
	Status       Status
	// Overdue is set when the action is pending past its deadline.
	Overdue bool
}

// FindingInput is the finding form.
type FindingInput struct {
	Severity    Severity
	Description string
	// NotAboutPerson confirms a description flagged as maybe about a
	// person is not; flagged are the kinds then confirmed.
	NotAboutPerson bool
	flagged        []string
}

// check requires a description for a finding entered by hand; a derived
// one keeps its standard text when the description is left empty.
func (in *FindingInput) check(derived bool) error {
	var f fields
	code(&f, &in.Severity, Severities(), "severity")
	f.text(&in.Description, "description", maxText, !derived)
	in.flagged = f.aboutPerson([]field{{"description", in.Description}}, in.NotAboutPerson)
	return f.Err()
}

// ActionInput is the corrective action form.
type ActionInput struct {
	Action       string
	Owner        Owner
	DueOn        string
	Verification string
	VerifiedOn   string
	Status       Status
	// NotAboutPerson confirms texts flagged as maybe about a person are
	// not; flagged are the kinds then confirmed.
	NotAboutPerson bool
	flagged        []string
}

func (in *ActionInput) check(today string) error {
	var f fields
	f.text(&in.Action, "action", maxText, true)
	code(&f, &in.Owner, Owners(), "owner")
	f.date(&in.DueOn, "due_on")
	f.text(&in.Verification, "verification", maxText, true)
	code(&f, &in.Status, Statuses(), "status")
	in.VerifiedOn = strings.TrimSpace(in.VerifiedOn)
	switch {
	case in.VerifiedOn == "" && in.Status == Verified:
		f.Add("verified_on", "sitechecks.error.verified_on_missing")
	case in.VerifiedOn != "":
		f.date(&in.VerifiedOn, "verified_on")
		if in.VerifiedOn > today {
			f.Add("verified_on", "sitechecks.error.future")
		}
	}
	in.flagged = f.aboutPerson([]field{{"action", in.Action}, {"verification", in.Verification}}, in.NotAboutPerson)
	return f.Err()
}

const findingColumns = `f.id, f.check_id, f.severity, f.signal, f.description, f.created_at,
	CASE WHEN f.answer_withdrawn_at IS NULL THEN 0 ELSE 1 END`

const severityOrder = `CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END`

// findingsOf lists the findings of the checks whose column (id or
// contract_id) is value, by check, most serious first, with their actions.
func findingsOf(ctx context.Context, tx *storage.Tx, today, column, value string) (map[string][]Finding, error) {
	in := func(n string) string { return `SELECT c.id FROM site_checks c WHERE c.` + column + ` = $` + n }
	rows, err := tx.QueryContext(ctx, `SELECT `+findingColumns+` FROM site_check_findings f WHERE f.check_id IN (`+in("1")+`)
		ORDER BY f.check_id, `+severityOrder+`, f.created_at, f.id`, value)
	if err != nil {
		return nil, err
	}
	out := map[string][]Finding{}
	type at struct {
		check string
		i     int
	}
	index := map[string]at{}
	for rows.Next() {
		var fd Finding
		var withdrawn int
		if err := rows.Scan(&fd.ID, &fd.CheckID, &fd.Severity, &fd.Signal, &fd.Description, &fd.CreatedAt, &withdrawn); err != nil {
			rows.Close()
			return nil, err
		}
		fd.Withdrawn = withdrawn == 1
		index[fd.ID] = at{fd.CheckID, len(out[fd.CheckID])}
		out[fd.CheckID] = append(out[fd.CheckID], fd)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	acts, err := tx.QueryContext(ctx, `SELECT `+actionColumns+` FROM site_check_actions a JOIN site_check_findings f ON f.id = a.finding_id
		WHERE f.check_id IN (`+in("2")+`) ORDER BY a.due_on, a.created_at, a.id`, today, value)
	if err != nil {
		return nil, err
	}
	defer acts.Close()
	for acts.Next() {
		a, err := scanAction(acts)
		if err != nil {
			return nil, err
		}
		x := index[a.FindingID]
		out[x.check][x.i].Actions = append(out[x.check][x.i].Actions, a)
	}
	return out, acts.Err()
}

// actionColumns reads an action; $1 is today.
const actionColumns = `a.id, a.finding_id, a.action, a.owner, a.due_on, a.verification, a.verified_on, a.status,
	CASE WHEN a.status IN ('open', 'in_progress') AND a.due_on < $1 THEN 1 ELSE 0 END`

func scanAction(r interface{ Scan(...any) error }) (Action, error) {
	var a Action
	var overdue int
	err := r.Scan(&a.ID, &a.FindingID, &a.Action, &a.Owner, &a.DueOn, &a.Verification, &a.VerifiedOn, &a.Status, &overdue)
	a.Overdue = overdue == 1
	return a, err
}

// findingOf reads the check and signal of a finding inside tx, locked for
// the change about to be made.
func findingOf(ctx context.Context, tx *storage.Tx, id string) (checkID, signal string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT check_id, signal FROM site_check_findings WHERE id = $1`+tx.ForUpdate(), id).Scan(&checkID, &signal)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errNotFound()
	}
	return checkID, signal, err
}

// AddFinding adds a finding to a check by hand.
func (s *Service) AddFinding(ctx context.Context, actor access.Actor, checkID string, in FindingInput) (Finding, error) {
	if err := s.authorize(ctx, actor, access.ManageProcurement, "site_check", checkID); err != nil {
		return Finding{}, err
	}
	if err := in.check(false); err != nil {
		return Finding{}, err
	}
	id, now := newID(), s.now()
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM site_checks WHERE id = $1`, checkID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errNotFound()
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO site_check_findings
			(id, check_id, severity, signal, description, created_by, created_at, updated_at, contract_id)
			VALUES ($1, $2, $3, '', $4, $5, $6, $6, (SELECT contract_id FROM site_checks WHERE id = $2))`,
			id, checkID, in.Severity, in.Description, actor.UserID, now); err != nil {
			return err
		}
		if err := s.recordConfirmed(ctx, tx, actor, checkID, in.flagged); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "site_check.finding.create", "site_check", checkID, "severity="+string(in.Severity))
	})
	if err != nil {
		return Finding{}, err
	}
	return Finding{ID: id, CheckID: checkID, Severity: in.Severity, Description: in.Description, CreatedAt: now}, nil
}

// EditFinding changes a finding's severity and description. A derived
// finding whose description is emptied shows its standard text again.
func (s *Service) EditFinding(ctx context.Context, actor access.Actor, id string, in FindingInput) (checkID string, err error) {
	if err := s.authorize(ctx, actor, access.ManageProcurement, "site_check_finding", id); err != nil {
		return "", err
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		var signal string
		if checkID, signal, err = findingOf(ctx, tx, id); err != nil {
			return err
		}
		if err := in.check(signal != ""); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE site_check_findings SET severity = $1, description = $2, updated_at = $3 WHERE id = $4`,
			in.Severity, in.Description, s.now(), id); err != nil {
			return err
		}
		if err := s.recordConfirmed(ctx, tx, actor, checkID, in.flagged); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "site_check.finding.update", "site_check", checkID, "severity="+string(in.Severity))
	})
	return checkID, err
}

// AddAction adds a corrective action to a finding.
func (s *Service) AddAction(ctx context.Context, actor access.Actor, findingID string, in ActionInput) (checkID string, err error) {
	if err := s.authorize(ctx, actor, access.ManageProcurement, "site_check_finding", findingID); err != nil {
		return "", err
	}
	if err := in.check(s.today()); err != nil {
		return "", err
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if checkID, _, err = findingOf(ctx, tx, findingID); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO site_check_actions
			(id, finding_id, action, owner, due_on, verification, verified_on, status, created_by, created_at, updated_at, contract_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, (SELECT contract_id FROM site_check_findings WHERE id = $2))`,
			newID(), findingID, in.Action, in.Owner, in.DueOn, in.Verification, in.VerifiedOn, in.Status, actor.UserID, now); err != nil {
			return err
		}
		if err := s.recordConfirmed(ctx, tx, actor, checkID, in.flagged); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "site_check.action.create", "site_check", checkID, fmt.Sprintf("owner=%s status=%s", in.Owner, in.Status))
	})
	return checkID, err
}

// EditAction changes a corrective action: its text, owner, deadline,
// verification and status.
func (s *Service) EditAction(ctx context.Context, actor access.Actor, id string, in ActionInput) (checkID string, err error) {
	if err := s.authorize(ctx, actor, access.ManageProcurement, "site_check_action", id); err != nil {
		return "", err
	}
	if err := in.check(s.today()); err != nil {
		return "", err
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT f.check_id FROM site_check_actions a JOIN site_check_findings f ON f.id = a.finding_id
			WHERE a.id = $1`, id).Scan(&checkID)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound()
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE site_check_actions SET action = $1, owner = $2, due_on = $3, verification = $4,
			verified_on = $5, status = $6, updated_at = $7 WHERE id = $8`,
			in.Action, in.Owner, in.DueOn, in.Verification, in.VerifiedOn, in.Status, s.now(), id); err != nil {
			return err
		}
		if err := s.recordConfirmed(ctx, tx, actor, checkID, in.flagged); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "site_check.action.update", "site_check", checkID, fmt.Sprintf("owner=%s status=%s", in.Owner, in.Status))
	})
	return checkID, err
}

// Finding returns a finding with its actions and the check it belongs to.
func (s *Service) Finding(ctx context.Context, actor access.Actor, id string) (Check, Finding, error) {
	c, err := s.checkOf(ctx, actor, `SELECT check_id FROM site_check_findings WHERE id = $1`, id)
	if err != nil {
		return Check{}, Finding{}, err
	}
	for _, f := range c.FindingList {
		if f.ID == id {
			return c, f, nil
		}
	}
	return Check{}, Finding{}, errNotFound()
}

// Action returns a corrective action with its finding and check.
func (s *Service) Action(ctx context.Context, actor access.Actor, id string) (Check, Finding, Action, error) {
	c, err := s.checkOf(ctx, actor, `SELECT f.check_id FROM site_check_actions a JOIN site_check_findings f ON f.id = a.finding_id WHERE a.id = $1`, id)
	if err != nil {
		return Check{}, Finding{}, Action{}, err
	}
	for _, f := range c.FindingList {
		for _, a := range f.Actions {
			if a.ID == id {
				return c, f, a, nil
			}
		}
	}
	return Check{}, Finding{}, Action{}, errNotFound()
}

// checkOf reads the check a finding or action (id) belongs to, by query.
func (s *Service) checkOf(ctx context.Context, actor access.Actor, query, id string) (Check, error) {
	if err := s.read(ctx, actor, id); err != nil {
		return Check{}, err
	}
	var checkID string
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		err := tx.QueryRowContext(ctx, query, id).Scan(&checkID)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound()
		}
		return err
	})
	if err != nil {
		return Check{}, err
	}
	return s.Check(ctx, actor, checkID)
}
