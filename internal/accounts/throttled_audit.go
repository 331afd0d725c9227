package accounts

import (
	"context"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// auditThrottled audits an attempt the throttle refused, naming the
// targeted account by id (never the username typed): the first of a window
// at once, the rest counted into one entry (audit.Log.Count), so a guessing
// burst cannot flood the log that nobody may shrink.
func (s *Service) auditThrottled(ctx context.Context, tx *storage.Tx, actor access.Actor, action string, c credentials) error {
	e := audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: action, Outcome: audit.Denied, Detail: "throttled"}
	if c.id != "" {
		e.SubjectType, e.SubjectID, e.SubjectOrgID = "user", c.id, c.orgID
	}
	return s.audit.Count(ctx, tx, e, s.now())
}
