package identification

import (
	"context"
	"fmt"
	"slices"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// RouteKey is one row of the local protocol: a form of exploitation and a
// population.
type RouteKey struct {
	Purpose    string
	Population string
}

// AnyForm is the purpose of a Deciders key that holds a population's
// fallback: the competent authority for every form the protocol names none for.
const AnyForm = ""

// Protocol is the local referral protocol of the partnership: which
// organisation receives a referral per form of exploitation and population,
// which organisations are competent authorities for the formal decision
// on victim status, and which of them decides per form and population.
// One protocol serves the whole installation.
type Protocol struct {
	// Routes maps a form of exploitation and population to the receiving
	// organisation's id; a missing key has no receiving organisation yet.
	Routes map[RouteKey]string
	// Authorities are the ids of the competent authorities.
	Authorities []string
	// Deciders maps a form of exploitation and population to the competent
	// authority that takes the formal decision; the key with purpose
	// AnyForm is the population's fallback. Each is one of Authorities.
	Deciders map[RouteKey]string
	// UpdatedAt is when the protocol last changed; nil if it never was set.
	UpdatedAt *time.Time
}

// Receiver returns the receiving organisation the protocol names for the
// first of purposes (in display order) that has one, or "".
func (p Protocol) Receiver(population string, purposes []string) string {
	for _, pu := range Purposes() {
		if slices.Contains(purposes, pu) {
			if org := p.Routes[RouteKey{pu, population}]; org != "" {
				return org
			}
		}
	}
	return ""
}

// Competent reports whether orgID is a competent authority.
func (p Protocol) Competent(orgID string) bool { return slices.Contains(p.Authorities, orgID) }

// Decider returns the competent authority the protocol names for a form of
// exploitation and population, else the population's fallback, or "".
func (p Protocol) Decider(purpose, population string) string {
	if org := p.Deciders[RouteKey{purpose, population}]; org != "" {
		return org
	}
	return p.Deciders[RouteKey{AnyForm, population}]
}

// DecidersFor returns the competent authorities that take the formal
// decision for a person of population referred for forms: the one named
// for each form, in display order. When the protocol names none for any of
// the forms, every competent authority is.
func (p Protocol) DecidersFor(population string, forms []string) []string {
	var out []string
	for _, f := range CurrentForms(forms) {
		if org := p.Decider(f, population); org != "" && !slices.Contains(out, org) {
			out = append(out, org)
		}
	}
	if len(out) == 0 {
		return slices.Clone(p.Authorities)
	}
	return out
}

// loadProtocol reads the protocol inside tx. Reading it needs no permission
// of its own: whoever refers or decides needs to know it.
func loadProtocol(ctx context.Context, tx *storage.Tx) (Protocol, error) {
	p := Protocol{Routes: map[RouteKey]string{}, Deciders: map[RouteKey]string{}}
	rows, err := tx.QueryContext(ctx, `SELECT purpose, population, org_id, updated_at FROM protocol_routes`)
	if err != nil {
		return Protocol{}, fmt.Errorf("load protocol routes: %w", err)
	}
	defer rows.Close()
	latest := func(t time.Time) {
		if p.UpdatedAt == nil || t.After(*p.UpdatedAt) {
			p.UpdatedAt = &t
		}
	}
	for rows.Next() {
		var k RouteKey
		var org string
		var at time.Time
		if err := rows.Scan(&k.Purpose, &k.Population, &org, &at); err != nil {
			return Protocol{}, fmt.Errorf("scan protocol route: %w", err)
		}
		p.Routes[k] = org
		latest(at)
	}
	if err := rows.Err(); err != nil {
		return Protocol{}, fmt.Errorf("load protocol routes: %w", err)
	}
	rows.Close()
	arows, err := tx.QueryContext(ctx, `SELECT org_id, updated_at FROM protocol_authorities ORDER BY org_id`)
	if err != nil {
		return Protocol{}, fmt.Errorf("load competent authorities: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var org string
		var at time.Time
		if err := arows.Scan(&org, &at); err != nil {
			return Protocol{}, fmt.Errorf("scan competent authority: %w", err)
		}
		p.Authorities = append(p.Authorities, org)
		latest(at)
	}
	if err := arows.Err(); err != nil {
		return Protocol{}, fmt.Errorf("load competent authorities: %w", err)
	}
	arows.Close()
	drows, err := tx.QueryContext(ctx, `SELECT purpose, population, org_id, updated_at FROM protocol_deciders`)
	if err != nil {
		return Protocol{}, fmt.Errorf("load deciding authorities: %w", err)
	}
	defer drows.Close()
	for drows.Next() {
		var k RouteKey
		var org string
		var at time.Time
		if err := drows.Scan(&k.Purpose, &k.Population, &org, &at); err != nil {
			return Protocol{}, fmt.Errorf("scan deciding authority: %w", err)
		}
		p.Deciders[k] = org
		latest(at)
	}
	return p, drows.Err()
}

// ProtocolIn reads the protocol inside the caller's transaction: a case an
// intake desk opens goes to the receiving organisation it names, decided
// in the same transaction as the opening.
func ProtocolIn(ctx context.Context, tx *storage.Tx) (Protocol, error) { return loadProtocol(ctx, tx) }

// Protocol returns the local protocol for the coordinator's page.
func (s *Service) Protocol(ctx context.Context, actor access.Actor) (Protocol, error) {
	if _, err := s.authorize(ctx, actor, access.ManageProtocol, "protocol", ""); err != nil {
		return Protocol{}, err
	}
	var p Protocol
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		p, err = loadProtocol(ctx, tx)
		return err
	})
	return p, err
}

// SetProtocol replaces the local protocol. Every organisation it names must
// be an active partner; a route with an empty organisation is removed.
func (s *Service) SetProtocol(ctx context.Context, actor access.Actor, p Protocol) error {
	if _, err := s.authorize(ctx, actor, access.ManageProtocol, "protocol", ""); err != nil {
		return err
	}
	var fields []apperr.FieldError
	for k := range p.Routes {
		if !slices.Contains(purposes, k.Purpose) || !slices.Contains(populations, k.Population) {
			fields = append(fields, apperr.FieldError{Field: "route." + k.Purpose + "." + k.Population, Key: "error.protocol.unknown_route"})
		}
	}
	for k, org := range p.Deciders {
		switch {
		case (k.Purpose != AnyForm && !slices.Contains(purposes, k.Purpose)) || !slices.Contains(populations, k.Population):
			fields = append(fields, apperr.FieldError{Field: DeciderField(k), Key: "error.protocol.unknown_route"})
		case org != "" && !slices.Contains(p.Authorities, org):
			// The table picks among the competent authorities; one not
			// ticked as such could not take the decision it is named for.
			fields = append(fields, apperr.FieldError{Field: DeciderField(k), Key: "error.protocol.decider_not_authority"})
		}
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		var bad []apperr.FieldError
		for _, pu := range purposes {
			for _, po := range populations {
				if org := p.Routes[RouteKey{pu, po}]; org != "" {
					if err := activeOrg(ctx, tx, org); err != nil {
						if !apperr.Is(err, apperr.Invalid) {
							return err
						}
						bad = append(bad, apperr.FieldError{Field: "route." + pu + "." + po, Key: "error.protocol.unknown_org"})
					}
				}
			}
		}
		authorities := slices.Compact(slices.Sorted(slices.Values(p.Authorities)))
		for _, org := range authorities {
			if err := activeOrg(ctx, tx, org); err != nil {
				if !apperr.Is(err, apperr.Invalid) {
					return err
				}
				bad = append(bad, apperr.FieldError{Field: "authorities", Key: "error.protocol.unknown_org"})
				break
			}
		}
		if len(bad) > 0 {
			return apperr.Validation(bad...)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM protocol_routes`); err != nil {
			return fmt.Errorf("clear protocol routes: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM protocol_authorities`); err != nil {
			return fmt.Errorf("clear competent authorities: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM protocol_deciders`); err != nil {
			return fmt.Errorf("clear deciding authorities: %w", err)
		}
		for _, pu := range purposes {
			for _, po := range populations {
				org := p.Routes[RouteKey{pu, po}]
				if org == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO protocol_routes (purpose, population, org_id, updated_by, updated_at)
					VALUES ($1, $2, $3, $4, $5)`, pu, po, org, actor.UserID, now); err != nil {
					return fmt.Errorf("insert protocol route: %w", storage.MapError(err))
				}
			}
		}
		for _, org := range authorities {
			if _, err := tx.ExecContext(ctx, `INSERT INTO protocol_authorities (org_id, updated_by, updated_at) VALUES ($1, $2, $3)`,
				org, actor.UserID, now); err != nil {
				return fmt.Errorf("insert competent authority: %w", storage.MapError(err))
			}
		}
		for _, po := range populations {
			for _, pu := range append([]string{AnyForm}, purposes...) {
				org := p.Deciders[RouteKey{pu, po}]
				if org == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO protocol_deciders (purpose, population, org_id, updated_by, updated_at)
					VALUES ($1, $2, $3, $4, $5)`, pu, po, org, actor.UserID, now); err != nil {
					return fmt.Errorf("insert deciding authority: %w", storage.MapError(err))
				}
			}
		}
		return s.record(ctx, tx, actor, "protocol.update", audit.Done, "protocol", "", "", "")
	})
}

// DeciderField is the form field of a Deciders key:
// decider.<purpose>.<population>, with "any" for the fallback.
func DeciderField(k RouteKey) string {
	pu := k.Purpose
	if pu == AnyForm {
		pu = "any"
	}
	return "decider." + pu + "." + k.Population
}

// orgInfo is what a referral needs to know of an organisation.
type orgInfo struct {
	Name     string
	Kind     accounts.OrgKind
	Disabled bool
}

func loadOrg(ctx context.Context, tx *storage.Tx, id string) (orgInfo, error) {
	var o orgInfo
	var disabled *time.Time
	err := tx.QueryRowContext(ctx, `SELECT name, kind, disabled_at FROM organisations WHERE id = $1`, id).Scan(&o.Name, &o.Kind, &disabled)
	if err != nil {
		return orgInfo{}, fmt.Errorf("load organisation %s: %w", id, storage.MapError(err))
	}
	o.Disabled = disabled != nil
	return o, nil
}

// activeOrg checks that id is an active partner organisation; otherwise it
// returns an Invalid error.
func activeOrg(ctx context.Context, tx *storage.Tx, id string) error {
	o, err := loadOrg(ctx, tx, id)
	if apperr.Is(err, apperr.NotFound) || (err == nil && o.Disabled) {
		return apperr.New(apperr.Invalid, "error.protocol.unknown_org")
	}
	return err
}
