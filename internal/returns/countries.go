package returns

import (
	"context"
	"fmt"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// CountryNote is what the partnership knows about returning to a country
// of origin: the risks a person faces on return (retaliation,
// re-trafficking), discrimination they may meet, the services available to
// returnees, and where that comes from. The OSCE Alliance position paper
// asks for such a body of knowledge on countries of origin for the risk
// assessment before a return; it is about a country, never a person, so it
// is kept in the clear and shared by every organisation that holds cases.
type CountryNote struct {
	Country        string
	Risks          string
	Discrimination string
	Services       string
	Sources        string
	UpdatedBy      string
	// UpdatedByName is the username of UpdatedBy.
	UpdatedByName string
	UpdatedAt     time.Time
}

// CountryNoteInput is the country note form.
type CountryNoteInput struct {
	Risks          string
	Discrimination string
	Services       string
	Sources        string
}

// MaxNote is the longest part of a country note, in characters.
const MaxNote = 8000

func (in *CountryNoteInput) check(f *form) {
	trimAll(&in.Risks, &in.Discrimination, &in.Services, &in.Sources)
	if in.Risks == "" && in.Discrimination == "" && in.Services == "" {
		f.bad("risks", "error.return.note_empty")
	}
	f.text("risks", in.Risks, MaxNote, false)
	f.text("discrimination", in.Discrimination, MaxNote, false)
	f.text("services", in.Services, MaxNote, false)
	// A note that cannot be checked is not a basis for a decision.
	f.text("sources", in.Sources, MaxNote, true)
}

const noteColumns = `n.country, n.risks, n.discrimination, n.services, n.sources, n.updated_by, u.username, n.updated_at`

func scanNote(row interface{ Scan(...any) error }) (CountryNote, error) {
	var n CountryNote
	err := row.Scan(&n.Country, &n.Risks, &n.Discrimination, &n.Services, &n.Sources, &n.UpdatedBy, &n.UpdatedByName, &n.UpdatedAt)
	return n, err
}

// loadNote reads the note on a country, in the caller's transaction.
func loadNote(ctx context.Context, tx *storage.Tx, country string) (CountryNote, bool, error) {
	n, err := scanNote(tx.QueryRowContext(ctx, `SELECT `+noteColumns+` FROM country_notes n JOIN users u ON u.id = n.updated_by
		WHERE n.country = $1`, country))
	if err != nil {
		if apperr.Is(storage.MapError(err), apperr.NotFound) {
			return CountryNote{}, false, nil
		}
		return CountryNote{}, false, fmt.Errorf("load country note %s: %w", country, err)
	}
	return n, true, nil
}

// CountryNotes lists the notes on every country that has one, by country
// code. Whoever may read cases may read them.
func (s *Service) CountryNotes(ctx context.Context, actor access.Actor) ([]CountryNote, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCases, "country_note", ""); err != nil {
		return nil, err
	}
	var out []CountryNote
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+noteColumns+` FROM country_notes n JOIN users u ON u.id = n.updated_by ORDER BY n.country`)
		if err != nil {
			return fmt.Errorf("list country notes: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			n, err := scanNote(rows)
			if err != nil {
				return fmt.Errorf("scan country note: %w", err)
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	return out, err
}

// CountryNote returns the note on a country; found is false when the
// partnership keeps none yet. An unknown country code is a field error.
func (s *Service) CountryNote(ctx context.Context, actor access.Actor, country string) (note CountryNote, found bool, err error) {
	country = strings.ToUpper(strings.TrimSpace(country))
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCases, "country_note", country); err != nil {
		return CountryNote{}, false, err
	}
	if !ValidCountry(country) {
		return CountryNote{}, false, apperr.Validation(apperr.FieldError{Field: "country", Key: "error.return.country"})
	}
	err = s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		note, found, err = loadNote(ctx, tx, country)
		return err
	})
	return note, found, err
}

// SaveCountryNote records the current note on a country, replacing the one
// before; the audit log keeps who changed it when.
func (s *Service) SaveCountryNote(ctx context.Context, actor access.Actor, country string, in CountryNoteInput) (CountryNote, error) {
	country = strings.ToUpper(strings.TrimSpace(country))
	if _, err := s.cases.Authorize(ctx, actor, access.ManageCountryNotes, "country_note", country); err != nil {
		return CountryNote{}, err
	}
	var f form
	if !ValidCountry(country) {
		f.bad("country", "error.return.country")
	}
	in.check(&f)
	if err := f.err(); err != nil {
		return CountryNote{}, err
	}
	now := s.cases.Now()
	n := CountryNote{Country: country, Risks: in.Risks, Discrimination: in.Discrimination, Services: in.Services, Sources: in.Sources,
		UpdatedBy: actor.UserID, UpdatedAt: now}
	err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO country_notes (country, risks, discrimination, services, sources, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (country) DO UPDATE SET risks = excluded.risks, discrimination = excluded.discrimination,
				services = excluded.services, sources = excluded.sources, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			n.Country, n.Risks, n.Discrimination, n.Services, n.Sources, n.UpdatedBy, n.UpdatedAt); err != nil {
			return fmt.Errorf("save country note %s: %w", country, err)
		}
		return s.cases.Audit(ctx, tx, actor, string(access.ManageCountryNotes), "country_note", country, "", country)
	})
	if err != nil {
		return CountryNote{}, err
	}
	return n, nil
}
