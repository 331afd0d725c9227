package assistance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Places are a shelter's places with their live occupancy.
type Places struct {
	Total int
	// External are places taken by people placed outside Waymark.
	External int
	// Occupied is External plus accepted placements through Waymark.
	Occupied int
	Gender   string
	Age      string
}

// Free is the number of free places.
func (p Places) Free() int { return max(p.Total-p.Occupied, 0) }

// Provider is a service provider of the directory.
type Provider struct {
	ID        string
	Name      string
	Types     []string
	Languages []string
	// Audiences are whom it serves: "victims", "at_risk" or both.
	Audiences    []string
	CapacityNote string
	// Contact details are organisational, never a person's.
	Phone   string
	Email   string
	Address string
	// OrgID links the provider to a Waymark organisation, whose users
	// answer its referrals; "" for a provider outside Waymark.
	OrgID     string
	OrgName   string
	Active    bool
	Places    Places
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Offers reports whether the provider offers a type of service.
func (p Provider) Offers(t string) bool { return slices.Contains(p.Types, t) }

// Shelter reports whether the provider has shelter places.
func (p Provider) Shelter() bool { return p.Offers("shelter") }

// ProviderInput is the provider form.
type ProviderInput struct {
	Name      string
	Types     []string
	Languages []string
	// Audiences default to victims, whom the directory served before it
	// knew of people at risk.
	Audiences    []string
	CapacityNote string
	Phone        string
	Email        string
	Address      string
	OrgID        string
	Active       bool
	// Shelter places; ignored unless Types has "shelter". A negative value
	// is a number the form could not read.
	PlacesTotal    int
	PlacesExternal int
	PlaceGender    string
	PlaceAge       string
}

// ProviderFilter narrows the directory.
type ProviderFilter struct {
	Type     string
	Language string
	Audience string
	// All includes providers that are no longer active.
	All bool
}

func (in *ProviderInput) check() fields {
	var fe fields
	in.Name, in.CapacityNote = strings.TrimSpace(in.Name), strings.TrimSpace(in.CapacityNote)
	in.Phone, in.Email, in.Address = strings.TrimSpace(in.Phone), strings.TrimSpace(in.Email), strings.TrimSpace(in.Address)
	in.OrgID = strings.TrimSpace(in.OrgID)
	in.Types, in.Languages, in.Audiences = cleanCodes(in.Types), cleanCodes(in.Languages), cleanCodes(in.Audiences)
	if len(in.Audiences) == 0 {
		in.Audiences = []string{"victims"}
	}
	if in.Name == "" || tooLong(in.Name, maxName) {
		fe.Add("name", "error.provider.name")
	}
	if len(in.Types) == 0 || !all(in.Types, func(t string) bool { return slices.Contains(providerTypes, t) }) {
		fe.Add("types", "error.provider.types")
	}
	if len(in.Languages) > 30 || !all(in.Languages, languageCode.MatchString) {
		fe.Add("languages", "error.provider.languages")
	}
	if !all(in.Audiences, func(a string) bool { return slices.Contains(providerAudiences, a) }) {
		fe.Add("audiences", "error.provider.audiences")
	}
	if tooLong(in.CapacityNote, maxContact) {
		fe.Add("capacity_note", "error.provider.too_long")
	}
	if tooLong(in.Phone, 50) {
		fe.Add("phone", "error.provider.too_long")
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			fe.Add("email", "error.provider.email")
		}
	}
	if tooLong(in.Address, maxContact) {
		fe.Add("address", "error.provider.too_long")
	}
	if !slices.Contains(in.Types, "shelter") {
		in.PlacesTotal, in.PlacesExternal, in.PlaceGender, in.PlaceAge = 0, 0, "any", "any"
	}
	if in.PlaceGender == "" {
		in.PlaceGender = "any"
	}
	if in.PlaceAge == "" {
		in.PlaceAge = "any"
	}
	if in.PlacesTotal < 0 || in.PlacesTotal > 10000 {
		fe.Add("places_total", "error.shelter.places")
	}
	if in.PlacesExternal < 0 || in.PlacesExternal > 10000 {
		fe.Add("places_external", "error.shelter.places")
	}
	if !slices.Contains(placeGenders, in.PlaceGender) {
		fe.Add("place_gender", "error.shelter.restriction_code")
	}
	if !slices.Contains(placeAges, in.PlaceAge) {
		fe.Add("place_age", "error.shelter.restriction_code")
	}
	return fe
}

const providerColumns = `p.id, p.name, p.types, p.languages, p.audiences, p.capacity_note, p.phone, p.email, p.address, COALESCE(p.org_id, ''),
	COALESCE(o.name, ''), p.active, p.places_total, p.places_external, p.places_occupied, p.place_gender, p.place_age,
	p.created_at, p.updated_at`

const providerFrom = ` FROM service_providers p LEFT JOIN organisations o ON o.id = p.org_id`

type scanner interface{ Scan(dest ...any) error }

func scanProvider(row scanner) (Provider, error) {
	var p Provider
	var types, langs, audiences string
	var active int
	err := row.Scan(&p.ID, &p.Name, &types, &langs, &audiences, &p.CapacityNote, &p.Phone, &p.Email, &p.Address, &p.OrgID, &p.OrgName,
		&active, &p.Places.Total, &p.Places.External, &p.Places.Occupied, &p.Places.Gender, &p.Places.Age, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return Provider{}, err
	}
	p.Active = active != 0
	if err := json.Unmarshal([]byte(types), &p.Types); err != nil {
		return Provider{}, fmt.Errorf("decode provider %s: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(langs), &p.Languages); err != nil {
		return Provider{}, fmt.Errorf("decode provider %s: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(audiences), &p.Audiences); err != nil {
		return Provider{}, fmt.Errorf("decode provider %s: %w", p.ID, err)
	}
	return p, nil
}

func getProvider(ctx context.Context, tx *storage.Tx, id string, lock bool) (Provider, error) {
	q := `SELECT ` + providerColumns + providerFrom + ` WHERE p.id = $1`
	if lock && tx.Engine == storage.Postgres {
		q += " FOR UPDATE OF p"
	}
	p, err := scanProvider(tx.QueryRowContext(ctx, q, id))
	if err != nil {
		return Provider{}, fmt.Errorf("load provider %s: %w", id, storage.MapError(err))
	}
	return p, nil
}

// Providers lists the directory, by name, filtered by type and language.
func (s *Service) Providers(ctx context.Context, actor access.Actor, f ProviderFilter) ([]Provider, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCases, "service_provider", ""); err != nil {
		return nil, err
	}
	f.Type, f.Language, f.Audience = strings.TrimSpace(f.Type), strings.ToLower(strings.TrimSpace(f.Language)), strings.TrimSpace(f.Audience)
	var fe fields
	if f.Type != "" && !slices.Contains(providerTypes, f.Type) {
		fe.Add("type", "error.provider.types")
	}
	if f.Audience != "" && !slices.Contains(providerAudiences, f.Audience) {
		fe.Add("audience", "error.provider.audiences")
	}
	if f.Language != "" && !languageCode.MatchString(f.Language) {
		fe.Add("language", "error.provider.languages")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.listProviders(ctx, f)
}

// listProviders reads the directory; the caller has checked the actor and
// the filter's codes.
func (s *Service) listProviders(ctx context.Context, f ProviderFilter) ([]Provider, error) {
	var out []Provider
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		// The codes are checked above, so matching them inside the JSON
		// arrays with LIKE cannot match part of another code.
		rows, err := tx.QueryContext(ctx, `SELECT `+providerColumns+providerFrom+`
			WHERE ($1 = '' OR p.types LIKE '%"' || $1 || '"%') AND ($2 = '' OR p.languages LIKE '%"' || $2 || '"%')
			  AND ($3 = 1 OR p.active = 1) AND ($4 = '' OR p.audiences LIKE '%"' || $4 || '"%')
			ORDER BY lower(p.name) LIMIT 1000`, f.Type, f.Language, storage.Flag(f.All), f.Audience)
		if err != nil {
			return fmt.Errorf("list providers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanProvider(rows)
			if err != nil {
				return fmt.Errorf("scan provider: %w", err)
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// Provider returns one provider of the directory.
func (s *Service) Provider(ctx context.Context, actor access.Actor, id string) (Provider, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCases, "service_provider", id); err != nil {
		return Provider{}, err
	}
	var p Provider
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		var err error
		p, err = getProvider(ctx, tx, id, false)
		return err
	})
	return p, err
}

// CreateProvider adds a provider to the directory.
func (s *Service) CreateProvider(ctx context.Context, actor access.Actor, in ProviderInput) (Provider, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ManageProviders, "service_provider", ""); err != nil {
		return Provider{}, err
	}
	fe := in.check()
	if in.PlacesExternal > in.PlacesTotal {
		fe.Add("places_external", "error.shelter.over_capacity")
	}
	var p Provider
	err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		if err := checkProviderOrg(ctx, tx, &fe, in.OrgID, ""); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		id, now := cases.NewID(), s.cases.Now()
		_, err := tx.ExecContext(ctx, `INSERT INTO service_providers (id, name, types, languages, capacity_note, phone, email, address,
				org_id, active, places_total, places_external, places_occupied, place_gender, place_age, created_by, created_at, updated_by, updated_at, audiences)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15, $16, $15, $16, $17)`,
			id, in.Name, jsonList(in.Types), jsonList(in.Languages), in.CapacityNote, in.Phone, in.Email, in.Address,
			storage.NullString(in.OrgID), storage.Flag(in.Active), in.PlacesTotal, in.PlacesExternal, in.PlaceGender, in.PlaceAge, actor.UserID, now,
			jsonList(in.Audiences))
		if err != nil {
			err = storage.MapError(err)
			if apperr.Is(err, apperr.Conflict) {
				return apperr.Validation(apperr.FieldError{Field: "name", Key: "error.provider.name_taken"})
			}
			return fmt.Errorf("insert provider: %w", err)
		}
		if err := s.cases.Audit(ctx, tx, actor, "provider.create", "service_provider", id, in.OrgID, strings.Join(in.Types, ",")); err != nil {
			return err
		}
		p, err = getProvider(ctx, tx, id, false)
		return err
	})
	return p, err
}

// UpdateProvider changes a provider. Its shelter places change with the
// live count in the same row: the total may not fall below the places
// taken, and a change of the places taken outside Waymark moves the count.
func (s *Service) UpdateProvider(ctx context.Context, actor access.Actor, id string, in ProviderInput) (Provider, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ManageProviders, "service_provider", id); err != nil {
		return Provider{}, err
	}
	fe := in.check()
	var p Provider
	err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		cur, err := getProvider(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := checkProviderOrg(ctx, tx, &fe, in.OrgID, cur.OrgID); err != nil {
			return err
		}
		placed := cur.Places.Occupied - cur.Places.External
		if placed > 0 && !slices.Contains(in.Types, "shelter") {
			fe.Add("types", "error.shelter.has_placements")
		} else if occupied := placed + in.PlacesExternal; occupied > in.PlacesTotal && in.PlacesTotal >= 0 && in.PlacesExternal >= 0 {
			fe.Add("places_total", "error.shelter.over_capacity")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE service_providers SET name = $1, types = $2, languages = $3, capacity_note = $4, phone = $5,
				email = $6, address = $7, org_id = $8, active = $9, places_total = $10,
				places_occupied = places_occupied - places_external + $11, places_external = $11,
				place_gender = $12, place_age = $13, updated_by = $14, updated_at = $15, audiences = $17
			WHERE id = $16`,
			in.Name, jsonList(in.Types), jsonList(in.Languages), in.CapacityNote, in.Phone, in.Email, in.Address, storage.NullString(in.OrgID),
			storage.Flag(in.Active), in.PlacesTotal, in.PlacesExternal, in.PlaceGender, in.PlaceAge, actor.UserID, s.cases.Now(), id, jsonList(in.Audiences))
		if err != nil {
			err = storage.MapError(err)
			if apperr.Is(err, apperr.Conflict) {
				return apperr.Validation(apperr.FieldError{Field: "name", Key: "error.provider.name_taken"})
			}
			return fmt.Errorf("update provider %s: %w", id, err)
		}
		if err := s.cases.Audit(ctx, tx, actor, "provider.update", "service_provider", id, in.OrgID, strings.Join(in.Types, ",")); err != nil {
			return err
		}
		p, err = getProvider(ctx, tx, id, false)
		return err
	})
	return p, err
}

// checkProviderOrg adds a field error unless orgID is "", the one already
// linked, or an active organisation.
func checkProviderOrg(ctx context.Context, tx *storage.Tx, fe *fields, orgID, keep string) error {
	if orgID == "" || orgID == keep {
		return nil
	}
	ok, err := activeOrg(ctx, tx, orgID)
	if err != nil {
		return err
	}
	if !ok {
		fe.Add("org", "error.provider.org_unknown")
	}
	return nil
}

// Organisation is an active organisation to choose from in a form.
type Organisation struct {
	ID   string
	Name string
}

// Organisations lists the active organisations of the partnership, for
// the responsible organisation of an activity and a provider's link.
func (s *Service) Organisations(ctx context.Context, actor access.Actor) ([]Organisation, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCases, "organisations", ""); err != nil {
		return nil, err
	}
	var out []Organisation
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name FROM organisations WHERE disabled_at IS NULL ORDER BY lower(name)`)
		if err != nil {
			return fmt.Errorf("list organisations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var o Organisation
			if err := rows.Scan(&o.ID, &o.Name); err != nil {
				return fmt.Errorf("scan organisation: %w", err)
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
