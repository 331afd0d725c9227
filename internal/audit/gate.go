package audit

import (
	"context"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/storage"
)

// Gate asks the access policy on behalf of a capability and keeps the
// audit trail of what it allows and refuses. Capabilities that are not
// about one case (training, the working group, agreements) hold a Gate
// instead of writing these two steps again.
type Gate struct {
	db  *storage.DB
	log *Log
}

// NewGate returns a gate recording in log; refusals are written to db.
func NewGate(db *storage.DB, log *Log) Gate { return Gate{db: db, log: log} }

// Authorize asks the policy whether actor may perform action on a subject
// (its type and id, "" when none) and returns the scope the query must
// apply. A refusal is recorded in a transaction of its own, as the refused
// action never ran.
func (g Gate) Authorize(ctx context.Context, actor access.Actor, action access.Action, subjectType, id string) (access.Scope, error) {
	scope, err := access.Authorize(actor, action)
	if err != nil {
		return access.Scope{}, g.Refuse(ctx, actor, action, subjectType, id, err)
	}
	return scope, nil
}

// Refuse records a refusal the policy did not make itself (a subject
// outside the actor's scope reads as missing) and returns cause.
func (g Gate) Refuse(ctx context.Context, actor access.Actor, action access.Action, subjectType, id string, cause error) error {
	return g.log.Refused(ctx, g.db, Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID,
		Action: string(action), SubjectType: subjectType, SubjectID: id}, cause)
}

// Record appends an allowed action in the caller's transaction; detail
// holds codes only, never free text.
func (g Gate) Record(ctx context.Context, tx *storage.Tx, actor access.Actor, action, subjectType, id, orgID, detail string) error {
	_, err := g.log.Append(ctx, tx, Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: action, Outcome: Allowed,
		SubjectType: subjectType, SubjectID: id, SubjectOrgID: orgID, Detail: detail})
	return err
}
