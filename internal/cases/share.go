package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Kinds of sharing.
const (
	// KindShare lets another organisation read the case (the categories
	// given); the owner keeps it.
	KindShare = "share"
	// KindTransfer hands the case over: the receiver becomes the owner.
	KindTransfer = "transfer"
)

// shareDeclineReasons are the codes a receiver may decline with.
var shareDeclineReasons = []string{"no_capacity", "outside_mandate", "not_needed", "other"}

// ShareDeclineReasons lists them in display order.
func ShareDeclineReasons() []string { return slices.Clone(shareDeclineReasons) }

// Share is a case shared with or transferred to another organisation.
type Share struct {
	ID            string
	CaseID        string
	CaseCode      string
	From          string
	FromName      string
	To            string
	ToName        string
	Kind          string
	Categories    []Category
	ConsentID     string
	Status        string
	DeclineReason string
	CreatedBy     string
	CreatedAt     time.Time
	RespondedAt   *time.Time
	EndedAt       *time.Time
}

// ShareInput is the share form.
type ShareInput struct {
	To         string
	Kind       string
	Categories []string
}

const shareColumns = `sh.id, sh.case_id, c.code, sh.from_org, fo.name, sh.to_org, tor.name, sh.kind, sh.categories, sh.consent_id,
	sh.status, sh.decline_reason, sh.created_by, sh.created_at, sh.responded_at, sh.ended_at`

const shareFrom = ` FROM case_shares sh JOIN cases c ON c.id = sh.case_id
	JOIN organisations fo ON fo.id = sh.from_org JOIN organisations tor ON tor.id = sh.to_org`

func scanShare(row scanner) (Share, error) {
	var sh Share
	var cats string
	err := row.Scan(&sh.ID, &sh.CaseID, &sh.CaseCode, &sh.From, &sh.FromName, &sh.To, &sh.ToName, &sh.Kind, &cats, &sh.ConsentID,
		&sh.Status, &sh.DeclineReason, &sh.CreatedBy, &sh.CreatedAt, &sh.RespondedAt, &sh.EndedAt)
	if err != nil {
		return Share{}, err
	}
	if err := json.Unmarshal([]byte(cats), &sh.Categories); err != nil {
		return Share{}, fmt.Errorf("decode share %s: %w", sh.ID, err)
	}
	return sh, nil
}

// ShareCase offers the case to another organisation, to read (share) or to
// take over (transfer). It checks in code that a current consent with
// purpose "sharing" names the receiving organisation and covers every
// category given; for a child the consent must have come through the
// guardian with the child's best interest confirmed.
func (s *Service) ShareCase(ctx context.Context, actor access.Actor, caseID string, in ShareInput) (Share, error) {
	var out Share
	err := s.Change(ctx, actor, access.ShareCases, caseID, Profile, func(tx *storage.Tx, a Access) error {
		var fe []apperr.FieldError
		if in.Kind != KindShare && in.Kind != KindTransfer {
			fe = append(fe, apperr.FieldError{Field: "kind", Key: "error.share_kind"})
		}
		cats := make([]Category, 0, len(in.Categories))
		for _, c := range cleanList(in.Categories, func(s string) string { return s }) {
			if !slices.Contains(shareable, Category(c)) {
				fe = append(fe, apperr.FieldError{Field: "categories", Key: "error.consent_categories"})
				break
			}
			cats = append(cats, Category(c))
		}
		if in.Kind == KindTransfer {
			// The new owner gets the whole case.
			cats = Shareable()
		} else if len(cats) == 0 {
			fe = append(fe, apperr.FieldError{Field: "categories", Key: "error.share_categories"})
		}
		var active int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1 AND disabled_at IS NULL`, in.To).Scan(&active)
		if err != nil {
			return fmt.Errorf("check organisation: %w", err)
		}
		switch {
		case active == 0:
			fe = append(fe, apperr.FieldError{Field: "to", Key: "error.org_unknown"})
		case in.To == a.Case.OrgID:
			fe = append(fe, apperr.FieldError{Field: "to", Key: "error.share_own_org"})
		}
		if len(fe) > 0 {
			return apperr.Validation(fe...)
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_shares WHERE case_id = $1 AND to_org = $2 AND status IN ('pending', 'accepted')`,
			caseID, in.To).Scan(&open); err != nil {
			return fmt.Errorf("check shares of case %s: %w", caseID, err)
		}
		if open > 0 {
			return apperr.New(apperr.Conflict, "error.share_exists")
		}
		consentID, err := s.CheckConsent(ctx, tx, a.Case, PurposeSharing, in.To, cats)
		if err != nil {
			return err
		}
		now := s.now()
		id := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_shares (id, case_id, from_org, to_org, kind, categories, consent_id, status, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)`,
			id, caseID, a.Case.OrgID, in.To, in.Kind, jsonList(cats), consentID, actor.UserID, now); err != nil {
			return fmt.Errorf("insert share of case %s: %w", caseID, err)
		}
		if err := s.Log(ctx, tx, actor, a.Case, Event{Kind: "share_offered", Category: Profile, RefID: id, Detail: in.Kind + ":" + in.To}); err != nil {
			return err
		}
		out, err = getShare(ctx, tx, id)
		return err
	})
	return out, err
}

func getShare(ctx context.Context, tx *storage.Tx, id string) (Share, error) {
	sh, err := scanShare(tx.QueryRowContext(ctx, `SELECT `+shareColumns+shareFrom+` WHERE sh.id = $1`, id))
	if err != nil {
		return Share{}, fmt.Errorf("load share %s: %w", id, storage.MapError(err))
	}
	return sh, nil
}

// Shares lists the shares of a case (for its owner's sharing tab).
func Shares(ctx context.Context, tx *storage.Tx, caseID string) ([]Share, error) {
	return listShares(ctx, tx, `WHERE sh.case_id = $1 ORDER BY sh.created_at DESC`, caseID)
}

func listShares(ctx context.Context, tx *storage.Tx, where string, args ...any) ([]Share, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+shareColumns+shareFrom+` `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list shares: %w", err)
	}
	defer rows.Close()
	var out []Share
	for rows.Next() {
		sh, err := scanShare(rows)
		if err != nil {
			return nil, fmt.Errorf("scan share: %w", err)
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}

// Incoming lists shares and transfers offered to the actor's organisation
// that wait for an answer, and those it accepted.
func (s *Service) Incoming(ctx context.Context, actor access.Actor) ([]Share, error) {
	scope, err := s.authorize(ctx, actor, access.ShareCases, "shares", "")
	if err != nil {
		return nil, err
	}
	var out []Share
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		out, err = listShares(ctx, tx, `WHERE ($1 = '*' OR sh.to_org = $1) AND sh.status IN ('pending', 'accepted') AND c.anonymised_at IS NULL
			ORDER BY sh.status DESC, sh.created_at DESC LIMIT 200`, scope.Org())
		return err
	})
	return out, err
}

// RespondShare accepts or declines a share or transfer offered to the
// actor's organisation. Accepting a transfer makes it the owner: the case
// moves with its deadlines, the old team leaves it, and the accepting user
// becomes its worker.
func (s *Service) RespondShare(ctx context.Context, actor access.Actor, shareID string, accept bool, reason string) (Share, error) {
	scope, err := s.authorize(ctx, actor, access.ShareCases, "case_share", shareID)
	if err != nil {
		return Share{}, err
	}
	if !accept && !slices.Contains(shareDeclineReasons, reason) {
		return Share{}, apperr.Validation(apperr.FieldError{Field: "reason", Key: "error.decline_reason"})
	}
	var out Share
	var missing bool
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		sh, err := scanShare(tx.QueryRowContext(ctx, `SELECT `+shareColumns+shareFrom+` WHERE sh.id = $1 AND ($2 = '*' OR sh.to_org = $2)`, shareID, scope.Org()))
		if err != nil {
			missing = apperr.Is(storage.MapError(err), apperr.NotFound)
			return fmt.Errorf("load share %s: %w", shareID, storage.MapError(err))
		}
		if sh.Status != "pending" {
			return apperr.New(apperr.Conflict, "error.share_answered")
		}
		c, err := getCase(ctx, tx, access.SystemScope(), sh.CaseID)
		if err != nil {
			return err
		}
		if c.Stage == Closed || c.AnonymisedAt != nil {
			return apperr.New(apperr.Conflict, "error.case_closed")
		}
		now := s.now()
		status := "declined"
		if accept {
			status = "accepted"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_shares SET status = $1, decline_reason = $2, responded_by = $3, responded_at = $4 WHERE id = $5`,
			status, reason, actor.UserID, now, shareID); err != nil {
			return fmt.Errorf("answer share %s: %w", shareID, err)
		}
		if accept && sh.Kind == KindTransfer {
			if err := s.transfer(ctx, tx, actor, c, sh); err != nil {
				return err
			}
		}
		kind := "share_declined"
		if accept {
			kind = "share_accepted"
		}
		if err := s.Log(ctx, tx, actor, c, Event{Kind: kind, Category: Profile, RefID: shareID, Detail: sh.Kind + reasonSuffix(reason)}); err != nil {
			return err
		}
		out, err = getShare(ctx, tx, shareID)
		return err
	})
	if missing {
		return Share{}, s.denied(ctx, actor, string(access.ShareCases), "case_share", shareID, err)
	}
	return out, err
}

func (s *Service) transfer(ctx context.Context, tx *storage.Tx, actor access.Actor, c Case, sh Share) error {
	now := s.now()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE cases SET org_id = $1, worker_id = $2, updated_at = $3 WHERE id = $4`, []any{sh.To, storage.NullString(workerOrNone(actor)), now, c.ID}},
		// Deadlines the old owner held move; those of partners stay theirs.
		{`UPDATE case_deadlines SET org_id = $1, user_id = NULL WHERE case_id = $2 AND org_id = $3`, []any{sh.To, c.ID, c.OrgID}},
		{`UPDATE case_search SET org_id = $1 WHERE case_id = $2`, []any{sh.To, c.ID}},
		{`DELETE FROM case_members WHERE case_id = $1`, []any{c.ID}},
		// Earlier shares were the old owner's to give; they end with the transfer.
		{`UPDATE case_shares SET status = 'ended', ended_at = $1 WHERE case_id = $2 AND id <> $3 AND status IN ('pending', 'accepted')`, []any{now, c.ID, sh.ID}},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			return fmt.Errorf("transfer case %s: %w", c.ID, err)
		}
	}
	for _, h := range s.transferHooks {
		if err := h(ctx, tx, actor, c, sh.To); err != nil {
			return err
		}
	}
	return nil
}

func workerOrNone(actor access.Actor) string {
	if access.ReachOf(actor.Role, access.ManageCases) != access.None {
		return actor.UserID
	}
	return ""
}

// EndShare withdraws a share (the owner) or gives it back (the receiver).
func (s *Service) EndShare(ctx context.Context, actor access.Actor, caseID, shareID string) error {
	return s.Change(ctx, actor, access.ShareCases, caseID, Profile, func(tx *storage.Tx, a Access) error {
		res, err := tx.ExecContext(ctx, `UPDATE case_shares SET status = 'ended', ended_at = $1
			WHERE id = $2 AND case_id = $3 AND status IN ('pending', 'accepted')`, s.now(), shareID, caseID)
		if err != nil {
			return fmt.Errorf("end share %s: %w", shareID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "error.share_answered")
		}
		return s.Log(ctx, tx, actor, a.Case, Event{Kind: "share_ended", Category: Profile, RefID: shareID})
	})
}
