package cases

import (
	"context"
	"fmt"
	"slices"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// AgeBandOf is the age band of an age in whole years, as a case keeps it.
func AgeBandOf(age int) string { return bandOf(age) }

// AfterIdentification is the stage the identification of the person has
// reached for their case: FormalDecision once victim status is confirmed,
// ReasonableGrounds once there are reasonable grounds, "" before.
func AfterIdentification(grounds, confirmed bool) Stage {
	switch {
	case confirmed:
		return FormalDecision
	case grounds:
		return ReasonableGrounds
	}
	return ""
}

// Toward returns the next stage on the shortest way the lifecycle allows
// from the current stage to target, without closing the case; false when
// target cannot be reached any more (the case is past it, or closed).
func Toward(current, target Stage) (Stage, bool) {
	if target == "" || current == target {
		return "", false
	}
	first := map[Stage]Stage{}
	queue := []Stage{current}
	seen := map[Stage]bool{current: true}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		for _, next := range st.Next() {
			if next == Closed || seen[next] {
				continue
			}
			seen[next] = true
			first[next] = first[st]
			if st == current {
				first[next] = next
			}
			if next == target {
				return first[next], true
			}
			queue = append(queue, next)
		}
	}
	return "", false
}

// FollowIn moves the case the actor's organisation opened from origin
// (a referral or report) to stage to, inside the caller's transaction,
// when the lifecycle allows that as a direct move from where the case is
// and the actor may change the case under the rule Change applies. It
// reports whether the case moved; anything else is no error and changes
// nothing, as the case's page proposes the move to whoever may make it.
func (s *Service) FollowIn(ctx context.Context, tx *storage.Tx, actor access.Actor, origin, originID string, to Stage) (bool, error) {
	scope, err := access.Authorize(actor, access.ManageCases)
	if err != nil {
		return false, nil
	}
	var id string
	err = tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE origin = $1 AND origin_id = $2 AND org_id = $3`,
		origin, originID, actor.OrgID).Scan(&id)
	if err != nil {
		if apperr.Is(storage.MapError(err), apperr.NotFound) {
			return false, nil
		}
		return false, fmt.Errorf("find case of %s %s: %w", origin, originID, err)
	}
	a, err := loadAccess(ctx, tx, actor, scope, id, true)
	if err != nil {
		return false, err
	}
	c := a.Case
	if a.refusal(access.ManageCases, Profile, false) != nil || !slices.Contains(c.Stage.Next(), to) {
		return false, nil
	}
	if (Move{From: c.Stage, To: to, ReflectionRunning: c.ReflectionRunning(s.now())}).Check() != nil {
		return false, nil
	}
	if _, err := s.move(ctx, tx, actor, c, to, ""); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = $1 WHERE id = $2`, s.now(), id); err != nil {
		return false, fmt.Errorf("touch case %s: %w", id, err)
	}
	return true, nil
}

// SharingConsentIn reports, inside the caller's transaction, whether the
// case opened from origin has a consent standing today that covers sharing
// with organisation orgID: what came with the referral may name the
// person, so a partner outside the case sees it only then.
func (s *Service) SharingConsentIn(ctx context.Context, tx *storage.Tx, origin, originID, orgID string) (bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM cases WHERE origin = $1 AND origin_id = $2 AND anonymised_at IS NULL`, origin, originID)
	if err != nil {
		return false, fmt.Errorf("find cases of %s %s: %w", origin, originID, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return false, fmt.Errorf("find cases of %s %s: %w", origin, originID, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("find cases of %s %s: %w", origin, originID, err)
	}
	today := s.now()
	for _, id := range ids {
		consents, err := Consents(ctx, tx, id)
		if err != nil {
			return false, err
		}
		if slices.ContainsFunc(consents, func(k ConsentRecord) bool { return k.Covers(today, PurposeSharing, orgID, nil) }) {
			return true, nil
		}
	}
	return false, nil
}
