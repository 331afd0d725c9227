package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// OrgKind is the type of a partner organisation in the local partnership.
type OrgKind string

// The organisation types of a local partnership (see the brief's referral mechanism).
const (
	SocialServices     OrgKind = "social_services"
	NGO                OrgKind = "ngo"
	Police             OrgKind = "police"
	LabourInspectorate OrgKind = "labour_inspectorate"
	HealthService      OrgKind = "health_service"
	Shelter            OrgKind = "shelter"
	Prosecution        OrgKind = "prosecution"
	MigrationAuthority OrgKind = "migration_authority"
	ChildProtection    OrgKind = "child_protection"
	Hotline            OrgKind = "hotline"
	Municipality       OrgKind = "municipality"
	OtherKind          OrgKind = "other"
	// The identifying actors and partners the seed guidelines name beyond
	// the referral mechanism's core (Danube guidelines' mapping tables,
	// Baltic guidelines): inspectorates that enter workplaces, public
	// services that meet people at risk, and civil society.
	FireInspectorate    OrgKind = "fire_inspectorate"
	TaxInspectorate     OrgKind = "tax_inspectorate"
	HealthInspectorate  OrgKind = "health_inspectorate"
	EmploymentService   OrgKind = "employment_service"
	School              OrgKind = "school"
	TradeUnion          OrgKind = "trade_union"
	FaithBased          OrgKind = "faith_based"
	MigrantCommunity    OrgKind = "migrant_community"
	BusinessAssociation OrgKind = "business_association"
)

// OrgKinds lists every organisation type in display order.
var OrgKinds = []OrgKind{SocialServices, NGO, Police, LabourInspectorate, HealthService, Shelter, Prosecution, MigrationAuthority, ChildProtection, Hotline,
	FireInspectorate, TaxInspectorate, HealthInspectorate, EmploymentService, School, TradeUnion, FaithBased, MigrantCommunity, BusinessAssociation,
	Municipality, OtherKind}

// Valid reports whether k is a known organisation type.
func (k OrgKind) Valid() bool {
	for _, v := range OrgKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Organisation is a partner of the local partnership. Its name, phone
// number and hours are public information, not personal data, and are
// stored in plain text.
type Organisation struct {
	ID   string
	Name string
	Kind OrgKind
	Reach
	CreatedAt  time.Time
	DisabledAt *time.Time
	Users      int
}

// Reach is how a partner is reached now: a phone number and when it
// answers ("24/7", "Mon–Fri 8–16"), as the partner gives them; "" while
// not recorded.
type Reach struct {
	Phone string
	Hours string
}

// Limits of a partner's reach, in characters: room for an international
// number with separators, and for hours on one short line.
const (
	MaxPhone = 32
	MaxHours = 60
)

// phoneRune reports whether r may appear in a phone number as people write
// it: digits and the usual separators.
func phoneRune(r rune) bool { return r >= '0' && r <= '9' || strings.ContainsRune(" -()/.", r) }

// Dial is the phone number for a tel: link: a leading "+" and the digits.
func (r Reach) Dial() string {
	var b strings.Builder
	if strings.HasPrefix(r.Phone, "+") {
		b.WriteByte('+')
	}
	for _, c := range r.Phone {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// validate trims the input and returns its field errors.
func (r *Reach) validate() []apperr.FieldError {
	r.Phone, r.Hours = strings.Join(strings.Fields(r.Phone), " "), strings.TrimSpace(r.Hours)
	var fields []apperr.FieldError
	notPhone := func(c rune) bool { return !phoneRune(c) }
	switch {
	case !utf8.ValidString(r.Phone):
		fields = append(fields, apperr.FieldError{Field: "phone", Key: "error.bad_encoding"})
	case utf8.RuneCountInString(r.Phone) > MaxPhone:
		fields = append(fields, apperr.FieldError{Field: "phone", Key: "org.phone_too_long", Args: map[string]any{"max": MaxPhone}})
	// A "+" only leads; three digits make the shortest emergency number.
	case r.Phone != "" && (strings.ContainsFunc(strings.TrimPrefix(r.Phone, "+"), notPhone) || len(strings.TrimPrefix(r.Dial(), "+")) < 3):
		fields = append(fields, apperr.FieldError{Field: "phone", Key: "org.phone_invalid"})
	}
	switch {
	case !utf8.ValidString(r.Hours):
		fields = append(fields, apperr.FieldError{Field: "hours", Key: "error.bad_encoding"})
	case utf8.RuneCountInString(r.Hours) > MaxHours:
		fields = append(fields, apperr.FieldError{Field: "hours", Key: "org.hours_too_long", Args: map[string]any{"max": MaxHours}})
	case strings.ContainsFunc(r.Hours, unicode.IsControl):
		fields = append(fields, apperr.FieldError{Field: "hours", Key: "org.hours_invalid"})
	}
	return fields
}

// NewOrganisation is the input for creating an organisation.
type NewOrganisation struct {
	Name string
	Kind OrgKind
	Reach
}

// Validate checks the input and returns field errors with message keys.
func (in *NewOrganisation) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	var fields []apperr.FieldError
	switch {
	case !utf8.ValidString(in.Name):
		fields = append(fields, apperr.FieldError{Field: "name", Key: "error.bad_encoding"})
	case in.Name == "":
		fields = append(fields, apperr.FieldError{Field: "name", Key: "org.name_required"})
	case utf8.RuneCountInString(in.Name) > 200:
		fields = append(fields, apperr.FieldError{Field: "name", Key: "org.name_too_long"})
	}
	if !in.Kind.Valid() {
		fields = append(fields, apperr.FieldError{Field: "kind", Key: "org.kind_invalid"})
	}
	fields = append(fields, in.Reach.validate()...)
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// CreateOrganisation adds a partner organisation.
func (s *Service) CreateOrganisation(ctx context.Context, actor access.Actor, in NewOrganisation) (Organisation, error) {
	if _, err := s.authorize(ctx, actor, access.ManageOrganisation, "organisation", "", ""); err != nil {
		return Organisation{}, err
	}
	return s.createOrganisation(ctx, actor, in)
}

func (s *Service) createOrganisation(ctx context.Context, actor access.Actor, in NewOrganisation) (Organisation, error) {
	if err := in.Validate(); err != nil {
		return Organisation{}, err
	}
	org := Organisation{ID: NewID(), Name: in.Name, Kind: in.Kind, Reach: in.Reach, CreatedAt: storage.Now()}
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO organisations (id, name, kind, phone, hours, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			org.ID, org.Name, org.Kind, org.Phone, org.Hours, org.CreatedAt); err != nil {
			return fmt.Errorf("insert organisation: %w", storage.MapError(err))
		}
		return s.record(ctx, tx, actor, "organisation.create", audit.Done, "organisation", org.ID, org.ID, string(org.Kind))
	})
	if apperr.Is(err, apperr.Conflict) {
		return Organisation{}, apperr.Validation(apperr.FieldError{Field: "name", Key: "org.name_taken"})
	}
	return org, err
}

// ListOrganisations returns the organisations the actor may see, with the
// number of active users of each.
func (s *Service) ListOrganisations(ctx context.Context, actor access.Actor) ([]Organisation, error) {
	scope, err := s.authorize(ctx, actor, access.ViewOrganisations, "organisation", "", "")
	if err != nil {
		return nil, err
	}
	var orgs []Organisation
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT o.id, o.name, o.kind, o.phone, o.hours, o.created_at, o.disabled_at,
			       (SELECT count(*) FROM users u WHERE u.org_id = o.id AND u.disabled_at IS NULL)
			FROM organisations o
			WHERE ($1 = '*' OR o.id = $1)
			ORDER BY lower(o.name)`, scope.Org())
		if err != nil {
			return fmt.Errorf("list organisations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var o Organisation
			if err := rows.Scan(&o.ID, &o.Name, &o.Kind, &o.Phone, &o.Hours, &o.CreatedAt, &o.DisabledAt, &o.Users); err != nil {
				return fmt.Errorf("scan organisation: %w", err)
			}
			orgs = append(orgs, o)
		}
		return rows.Err()
	})
	return orgs, err
}

// GetOrganisation returns one organisation in the actor's scope.
func (s *Service) GetOrganisation(ctx context.Context, actor access.Actor, id string) (Organisation, error) {
	scope, err := s.authorize(ctx, actor, access.ViewOrganisations, "organisation", id, id)
	if err != nil {
		return Organisation{}, err
	}
	var o Organisation
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		err := tx.QueryRowContext(ctx, `
			SELECT o.id, o.name, o.kind, o.phone, o.hours, o.created_at, o.disabled_at,
			       (SELECT count(*) FROM users u WHERE u.org_id = o.id AND u.disabled_at IS NULL)
			FROM organisations o
			WHERE o.id = $1 AND ($2 = '*' OR o.id = $2)`, id, scope.Org()).
			Scan(&o.ID, &o.Name, &o.Kind, &o.Phone, &o.Hours, &o.CreatedAt, &o.DisabledAt, &o.Users)
		if err != nil {
			return fmt.Errorf("load organisation %s: %w", id, storage.MapError(err))
		}
		return nil
	})
	return o, err
}

// SetOrganisationDisabled disables or re-enables a partner organisation. Its
// users cannot sign in while it is disabled, and their sessions end at once.
// The actor's own organisation cannot be disabled.
func (s *Service) SetOrganisationDisabled(ctx context.Context, actor access.Actor, id string, disabled bool) error {
	scope, err := s.authorize(ctx, actor, access.ManageOrganisation, "organisation", id, "")
	if err != nil {
		return err
	}
	if disabled && id == actor.OrgID {
		return apperr.New(apperr.Invalid, "org.cannot_disable_own")
	}
	action := "organisation.enable"
	if disabled {
		action = "organisation.disable"
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		var at *time.Time
		if disabled {
			now := s.now()
			at = &now
		}
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET disabled_at = $1 WHERE id = $2 AND ($3 = '*' OR id = $3)`, at, id, scope.Org())
		if err != nil {
			return fmt.Errorf("update organisation %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if disabled {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE org_id = $1)`, id); err != nil {
				return fmt.Errorf("end sessions of organisation %s: %w", id, err)
			}
		}
		return s.record(ctx, tx, actor, action, audit.Done, "organisation", id, id, "")
	})
	s.auditNotFound(ctx, actor, action, "organisation", id, err)
	return err
}

// SetReach records how a partner organisation is reached now: its phone
// number and hours. Bad input stores nothing.
func (s *Service) SetReach(ctx context.Context, actor access.Actor, id string, in Reach) (Organisation, error) {
	scope, err := s.authorize(ctx, actor, access.ManageOrganisation, "organisation", id, "")
	if err != nil {
		return Organisation{}, err
	}
	if fields := in.validate(); len(fields) > 0 {
		return Organisation{}, apperr.Validation(fields...)
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET phone = $1, hours = $2 WHERE id = $3 AND ($4 = '*' OR id = $4)`,
			in.Phone, in.Hours, id, scope.Org())
		if err != nil {
			return fmt.Errorf("update organisation %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		return s.record(ctx, tx, actor, "organisation.reach", audit.Done, "organisation", id, id, "")
	})
	s.auditNotFound(ctx, actor, "organisation.reach", "organisation", id, err)
	if err != nil {
		return Organisation{}, err
	}
	return s.GetOrganisation(ctx, actor, id)
}

// Contact is a partner to call now.
type Contact struct {
	OrgID string
	Name  string
	Kind  OrgKind
	Reach
}

// The kinds of partner to call now, in order: in immediate danger the
// police, then the help lines; for a child, child protection first.
var (
	dangerKinds = []OrgKind{Police, Hotline}
	childKinds  = []OrgKind{ChildProtection, Police, Hotline}
)

// CallNow returns the active partners to call at once when a screening
// shows immediate danger or a child: the police and the help lines, and for
// a child the child-protection service first. Where the partnership has no
// child-protection service, social services stand in for it, as they do
// in the local protocols that route children to them. Within a kind,
// partners with a phone number come first, then by name.
func (s *Service) CallNow(ctx context.Context, actor access.Actor, child bool) ([]Contact, error) {
	scope, err := s.authorize(ctx, actor, access.ViewOrganisations, "organisation", "", "")
	if err != nil {
		return nil, err
	}
	kinds := dangerKinds
	if child {
		kinds = childKinds
	}
	byKind := map[OrgKind][]Contact{}
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name, kind, phone, hours FROM organisations
			WHERE disabled_at IS NULL AND kind IN ($2, $3, $4, $5) AND ($1 = '*' OR id = $1)
			ORDER BY phone = '', lower(name), id`, scope.Org(), Police, Hotline, ChildProtection, SocialServices)
		if err != nil {
			return fmt.Errorf("list partners to call: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c Contact
			if err := rows.Scan(&c.OrgID, &c.Name, &c.Kind, &c.Phone, &c.Hours); err != nil {
				return fmt.Errorf("scan partner to call: %w", err)
			}
			byKind[c.Kind] = append(byKind[c.Kind], c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if child && len(byKind[ChildProtection]) == 0 {
		byKind[ChildProtection] = byKind[SocialServices]
	}
	out := []Contact{}
	for _, k := range kinds {
		out = append(out, byKind[k]...)
	}
	return out, nil
}

// PublicHotlines returns the active help lines of the partnership (kind
// hotline) that have a phone number, by name, for the public help page a
// signed-out visitor sees. It needs no actor and writes no audit entry:
// a partner's name, number and hours are public information, and a
// visitor must be able to read them without an account. A help line
// without a number is left out, as the page is there to call it.
func (s *Service) PublicHotlines(ctx context.Context) ([]Contact, error) {
	var out []Contact
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name, kind, phone, hours FROM organisations
			WHERE disabled_at IS NULL AND kind = $1 AND phone <> ''
			ORDER BY lower(name), id`, Hotline)
		if err != nil {
			return fmt.Errorf("list public hotlines: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c Contact
			if err := rows.Scan(&c.OrgID, &c.Name, &c.Kind, &c.Phone, &c.Hours); err != nil {
				return fmt.Errorf("scan public hotline: %w", err)
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}
