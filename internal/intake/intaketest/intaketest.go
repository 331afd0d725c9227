// Package intaketest assembles an intake.Service over a real test database
// for the tests of intake, the public pages and the browser tests: fresh
// keys, an audit log, cheap argon2id parameters and the shipped indicator
// catalogue. No mocks.
package intaketest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

// Env is an intake service and what it was built from.
type Env struct {
	DB        *storage.DB
	Vault     *vault.Vault
	Audit     *audit.Log
	Hasher    *auth.Hasher
	Catalogue *screening.Catalogue
	Service   *intake.Service
	// Clock is the time the service sees; tests move it with Advance.
	Clock *Clock
}

// Clock is a settable clock for tests.
type Clock struct{ t time.Time }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return c.t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// New builds an Env on db. cfg's zero fields take intake.DefaultConfig,
// except Difficulty, which defaults to 8 bits so tests solve it at once.
func New(t testing.TB, db *storage.DB, cfg intake.Config) *Env {
	t.Helper()
	keys, err := vault.NewKeyring()
	if err != nil {
		t.Fatalf("new keyring: %v", err)
	}
	signer, err := keys.AuditSigner()
	if err != nil {
		t.Fatalf("audit signer: %v", err)
	}
	verifier, err := keys.AuditVerifier()
	if err != nil {
		t.Fatalf("audit verifier: %v", err)
	}
	cat, err := screening.LoadCatalogue()
	if err != nil {
		t.Fatalf("load catalogue: %v", err)
	}
	if cfg.Difficulty == 0 {
		cfg.Difficulty, cfg.MinDifficulty = 8, 8
	}
	e := &Env{DB: db, Vault: vault.New(keys, ""), Audit: audit.New(signer, verifier),
		Hasher: auth.NewHasher(auth.TestParams, 4), Catalogue: cat,
		Clock: &Clock{t: storage.Now()}}
	e.Service = e.NewService(cfg)
	return e
}

// NewService builds another Service over the same database and keys, as a
// second process would.
func (e *Env) NewService(cfg intake.Config) *intake.Service {
	if cfg.Difficulty == 0 {
		cfg.Difficulty, cfg.MinDifficulty = 8, 8
	}
	return intake.New(intake.Deps{DB: e.DB, Vault: e.Vault, Audit: e.Audit, Hasher: e.Hasher,
		Catalogue: e.Catalogue, Config: cfg, Now: e.Clock.Now, Codes: campaigns.KnownCode})
}

// Org inserts an organisation of kind and returns its id.
func (e *Env) Org(t testing.TB, name, kind string) string {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	err := e.DB.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.ExecContext(context.Background(), `INSERT INTO organisations (id, name, kind, created_at) VALUES ($1, $2, $3, $4)`,
			id, name, kind, storage.Now())
		return err
	})
	if err != nil {
		t.Fatalf("insert organisation: %v", err)
	}
	return id
}

// User inserts a staff user of org with role and returns the actor.
func (e *Env) User(t testing.TB, username string, role access.Role, org string) access.Actor {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	now := storage.Now()
	err := e.DB.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.ExecContext(context.Background(), `INSERT INTO users (id, org_id, username, role, password_hash, password_changed_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6, $6)`, id, org, username, string(role), "-", now)
		return err
	})
	if err != nil {
		t.Fatalf("insert user: %v", err)
	}
	return access.Actor{UserID: id, OrgID: org, Role: role}
}

// Solve finds a nonce for a proof-of-work challenge, as the form's script does.
func Solve(challenge string, difficulty int) string {
	for i := 0; ; i++ {
		nonce := strconv.Itoa(i)
		if intake.LeadingZeroBits(challenge, nonce) >= difficulty {
			return nonce
		}
	}
}

// Work returns a solved proof of work from s.
func Work(s *intake.Service) intake.Work {
	c, d := s.Challenge()
	return intake.Work{Challenge: c, Nonce: Solve(c, d)}
}
