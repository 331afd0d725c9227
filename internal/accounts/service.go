// Package accounts owns organisations, user accounts and the sign-in flow:
// password, second factor (TOTP or a recovery code), sessions and step-up.
// Every method takes the acting user and asks the access policy first; every
// query carries the organisation scope the policy returned; every change, and
// every read of a user's contact details, is written to the audit log in the
// same transaction.
package accounts

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

// Service is the accounts capability.
type Service struct {
	db       *storage.DB
	vault    *vault.Vault
	audit    *audit.Log
	hasher   *auth.Hasher
	throttle *auth.Throttle
	log      *slog.Logger
	now      func() time.Time
	issuer   string
	// sendActivation mails an activation link; nil shows it to the creator.
	sendActivation func(context.Context, ActivationMail) error
}

// Deps are what the service needs.
type Deps struct {
	DB       *storage.DB
	Vault    *vault.Vault
	Audit    *audit.Log
	Hasher   *auth.Hasher
	Throttle *auth.Throttle
	Log      *slog.Logger
	// Now defaults to storage.Now; tests pass a fixed clock.
	Now func() time.Time
	// Issuer names the installation in authenticator apps.
	Issuer string
	// SendActivation mails a new account's activation link to its owner;
	// nil (no mail configured) returns the link to its creator instead.
	SendActivation func(context.Context, ActivationMail) error
}

// New returns the accounts service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, vault: d.Vault, audit: d.Audit, hasher: d.Hasher, throttle: d.Throttle, log: d.Log, now: d.Now, issuer: d.Issuer,
		sendActivation: d.SendActivation}
	if s.now == nil {
		s.now = storage.Now
	}
	if s.issuer == "" {
		s.issuer = "Waymark"
	}
	return s
}

// NewID returns a new time-ordered, unguessable-enough record id.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// System is the actor of the command line: the operator of the installation.
var System = access.Actor{Role: access.Administrator}

// authorize asks the policy and audits a refusal (ASVS 16.3.2: failed
// authorisations are logged).
func (s *Service) authorize(ctx context.Context, actor access.Actor, action access.Action, subjectType, subjectID, subjectOrg string) (access.Scope, error) {
	if actor == System {
		return access.SystemScope(), nil
	}
	scope, err := access.Authorize(actor, action)
	if err == nil && subjectOrg != "" && !scope.Includes(subjectOrg) {
		err = denied()
	}
	if err != nil {
		s.recordDenied(ctx, actor, string(action), subjectType, subjectID, subjectOrg)
		return access.Scope{}, err
	}
	return scope, nil
}

// recordDenied writes a refusal in its own transaction: the refused action
// itself never ran, so there is no other transaction to join.
func (s *Service) recordDenied(ctx context.Context, actor access.Actor, action, subjectType, subjectID, subjectOrg string) {
	err := s.audit.Refused(ctx, s.db, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: action,
		SubjectType: subjectType, SubjectID: subjectID, SubjectOrgID: subjectOrg}, nil)
	if err != nil {
		s.log.Error("audit refusal", "action", action, "err", err)
	}
}

func (s *Service) record(ctx context.Context, tx *storage.Tx, actor access.Actor, action, outcome, subjectType, subjectID, subjectOrg, detail string) error {
	_, err := s.audit.Append(ctx, tx, audit.Entry{
		ActorUserID: actor.UserID, ActorOrgID: actor.OrgID,
		Action: action, Outcome: outcome,
		SubjectType: subjectType, SubjectID: subjectID, SubjectOrgID: subjectOrg,
		Detail: detail,
	})
	return err
}

// auditNotFound audits a request for a record that is missing or outside the
// actor's scope: to the actor both look the same, but the log tells them apart
// by the subject id.
func (s *Service) auditNotFound(ctx context.Context, actor access.Actor, action, subjectType, id string, err error) {
	if apperr.Is(err, apperr.NotFound) {
		s.recordDenied(ctx, actor, action, subjectType, id, "")
	}
}

// RecordDenied audits a refusal decided outside the service (by a route gate).
func (s *Service) RecordDenied(ctx context.Context, actor access.Actor, action string) {
	s.recordDenied(ctx, actor, action, "", "", "")
}
