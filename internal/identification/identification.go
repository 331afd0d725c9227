// Package identification is the second half of identifying a victim of
// trafficking: from a screening with reasonable grounds (or, in doubt, for
// a specialist assessment) one action refers the person into the local
// referral mechanism (to the organisation the local protocol names), and
// the receiving organisation or a competent authority records the decisions
// on the referral — first whether there are reasonable grounds, later the
// formal decision on victim status, each with who decided, when, on what
// grounds and any review or appeal. The HTCDS trafficking status and
// deciding organisation follow from those records.
//
// The receiving organisation forwards a referral with reasonable grounds to
// the competent authority the protocol names for its forms and population,
// which from then on sees it (without the note and others' grounds unless
// the person's consent covers sharing with it) and takes the formal
// decision. A review or appeal by a body outside Waymark is recorded as
// lodged with it and stays pending until its outcome is recorded.
//
// A referral names nobody. The person is known by a random pseudonymous
// code; free text (the referral note, the grounds of a decision) is sealed
// with the vault under the record "referrals/<id>". A referral is visible
// to its sending and its receiving organisation and the authorities it was
// forwarded to only: every query puts them into its WHERE clause. Creating a referral, reading its note, accepting,
// declining and every decision are audited in the same transaction.
package identification

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

// Forms of exploitation a referral is for (the forms screening rules v2
// evaluate) and the populations the local protocol distinguishes.
var (
	purposes = []string{"labour", "sexual", "domestic_servitude", "begging", "criminality", "forced_marriage",
		"organ_removal", "other_exploitation"}
	populations = []string{screening.Adult, screening.Child}
)

// legacyPurposes are forms of exploitation of earlier catalogue versions,
// with the current forms that replaced each. Version 1 had one form for
// forced begging and forced criminality; a screening saved under version 1
// still evaluates to it, and referrals made then still name it.
var legacyPurposes = map[string][]string{"begging_criminality": {"begging", "criminality"}}

// Purposes lists the forms of exploitation in display order.
func Purposes() []string { return append([]string(nil), purposes...) }

// CurrentForms maps forms of exploitation as a screening result or an old
// referral names them to the current forms: a form of an earlier catalogue
// version becomes the forms that replaced it, any other is kept. The order
// is kept and duplicates are dropped.
func CurrentForms(forms []string) []string {
	out := []string{}
	for _, f := range forms {
		now, ok := legacyPurposes[f]
		if !ok {
			now = []string{f}
		}
		for _, n := range now {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// Populations lists the populations in display order.
func Populations() []string { return append([]string(nil), populations...) }

// Service is the identification capability.
type Service struct {
	db         *storage.DB
	vault      *vault.Vault
	audit      *audit.Log
	screenings *screening.Store
	now        func() time.Time
	onAccept   func(ctx context.Context, tx *storage.Tx, actor access.Actor, r Referral) error
	onDecision func(ctx context.Context, tx *storage.Tx, actor access.Actor, r Referral, d Decision) error
	consented  func(ctx context.Context, tx *storage.Tx, r Referral, orgID string) (bool, error)
}

// Deps are what the service needs.
type Deps struct {
	DB    *storage.DB
	Vault *vault.Vault
	Audit *audit.Log
	// Screenings gives the screening a referral starts from, in the actor's
	// scope, and the catalogue to evaluate it with.
	Screenings *screening.Store
	// Now defaults to storage.Now; tests pass a fixed clock.
	Now func() time.Time
	// OnAccept runs inside the transaction that accepts a referral; the app
	// opens the person's case there, so a referral is never accepted
	// without its case. nil does nothing.
	OnAccept func(ctx context.Context, tx *storage.Tx, actor access.Actor, r Referral) error
	// OnDecision runs inside the transaction that records a decision, with
	// the referral as it stands after it; the app moves the person's case
	// along the lifecycle there. nil does nothing.
	OnDecision func(ctx context.Context, tx *storage.Tx, actor access.Actor, r Referral, d Decision) error
	// Consented reports, inside the caller's transaction, whether the
	// person's consent on the case the referral opened covers sharing with
	// organisation orgID; the app asks the case. nil answers no.
	Consented func(ctx context.Context, tx *storage.Tx, r Referral, orgID string) (bool, error)
}

// New returns the identification service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, vault: d.Vault, audit: d.Audit, screenings: d.Screenings, now: d.Now, onAccept: d.OnAccept,
		onDecision: d.OnDecision, consented: d.Consented}
	if s.now == nil {
		s.now = storage.Now
	}
	return s
}

// Catalogue is the indicator catalogue referrals are evaluated with.
func (s *Service) Catalogue() *screening.Catalogue { return s.screenings.Catalogue() }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// referralRecord is the vault record of a referral's free text.
func referralRecord(id string) string { return "referrals/" + id }

// authorize asks the policy and audits a refusal.
func (s *Service) authorize(ctx context.Context, actor access.Actor, action access.Action, subjectType, id string) (access.Scope, error) {
	scope, err := access.Authorize(actor, action)
	if err != nil {
		return access.Scope{}, s.denied(ctx, actor, string(action), subjectType, id, err)
	}
	return scope, nil
}

// denied records a refusal (or a record missing or out of scope, which look
// the same to the actor) in its own transaction, as the refused action never
// ran, and returns err.
func (s *Service) denied(ctx context.Context, actor access.Actor, action, subjectType, id string, err error) error {
	return s.audit.Refused(ctx, s.db, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: action,
		SubjectType: subjectType, SubjectID: id}, err)
}

// record appends an audit entry; detail holds codes only, never free text.
func (s *Service) record(ctx context.Context, tx *storage.Tx, actor access.Actor, action, outcome, subjectType, id, orgID, detail string) error {
	_, err := s.audit.Append(ctx, tx, audit.Entry{
		ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: action, Outcome: outcome,
		SubjectType: subjectType, SubjectID: id, SubjectOrgID: orgID, Detail: detail,
	})
	return err
}
