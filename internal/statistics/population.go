package statistics

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Population is the number of inhabitants of an area of the city (Area a
// code of the areas table, "" for the whole city) in a year: the
// denominator of SDG 16.2.2. The coordinator enters it from the
// statistical office's figures; Source says which.
type Population struct {
	Area       string
	Year       int
	Population int
	Source     string
	UpdatedAt  time.Time
}

// PopulationInput is a population as a form posts it.
type PopulationInput struct {
	Area, Year, Population, Source string
}

// AreaName is an area of the city the population can be entered for.
type AreaName struct{ Code, Name string }

// Bounds of a population entry: no city area has more inhabitants than
// maxPopulation, and the source is a short reference.
const (
	maxPopulation = 100_000_000
	maxSource     = 200
	firstYear     = 1990
)

// Populations lists the populations entered, by year (latest first) and
// area (the whole city first), with the areas they can be entered for.
func (s *Service) Populations(ctx context.Context, actor access.Actor) ([]Population, []AreaName, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManagePopulation, "population", ""); err != nil {
		return nil, nil, err
	}
	var out []Population
	var areas []AreaName
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT area_code, year, population, source, updated_at FROM statistics_population
			ORDER BY year DESC, area_code`)
		if err != nil {
			return fmt.Errorf("list populations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p Population
			if err := rows.Scan(&p.Area, &p.Year, &p.Population, &p.Source, &p.UpdatedAt); err != nil {
				return fmt.Errorf("scan population: %w", err)
			}
			out = append(out, p)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list populations: %w", err)
		}
		areas, err = currentAreas(ctx, tx)
		return err
	})
	return out, areas, err
}

// currentAreas are the city's areas as last uploaded, by name. The areas
// are public geography (internal/geo); only their codes and names are read.
func currentAreas(ctx context.Context, tx *storage.Tx) ([]AreaName, error) {
	rows, err := tx.QueryContext(ctx, `SELECT code, name FROM areas WHERE replaced_at IS NULL ORDER BY name, code`)
	if err != nil {
		return nil, fmt.Errorf("list areas for statistics: %w", err)
	}
	defer rows.Close()
	var out []AreaName
	for rows.Next() {
		var a AreaName
		if err := rows.Scan(&a.Code, &a.Name); err != nil {
			return nil, fmt.Errorf("scan area for statistics: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetPopulation enters or corrects the population of an area in a year.
// A population of 0 or below, a year outside 1990..next year, an area the
// city does not have or an overlong source is refused and nothing is
// stored. The change is audited.
func (s *Service) SetPopulation(ctx context.Context, actor access.Actor, in PopulationInput) (Population, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManagePopulation, "population", ""); err != nil {
		return Population{}, err
	}
	p, f := s.parsePopulation(in)
	if len(f) > 0 {
		return Population{}, f.Err()
	}
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if p.Area != "" {
			var known bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM areas WHERE code = $1)`, p.Area).Scan(&known); err != nil {
				return fmt.Errorf("find area %s: %w", p.Area, err)
			}
			if !known {
				return apperr.Validation(apperr.FieldError{Field: "area", Key: "statistics.error.population_area"})
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO statistics_population (area_code, year, population, source, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (area_code, year) DO UPDATE SET population = excluded.population, source = excluded.source,
				updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			p.Area, p.Year, p.Population, p.Source, actor.UserID, p.UpdatedAt); err != nil {
			return fmt.Errorf("store population: %w", err)
		}
		return s.gate.Record(ctx, tx, actor, "statistics.population.set", "population", populationID(p.Area, p.Year), "",
			"population="+strconv.Itoa(p.Population))
	})
	if err != nil {
		return Population{}, err
	}
	return p, nil
}

// RemovePopulation removes the population of an area in a year (entered by
// mistake); its rates become unknown. Audited.
func (s *Service) RemovePopulation(ctx context.Context, actor access.Actor, area string, year int) error {
	if _, err := s.gate.Authorize(ctx, actor, access.ManagePopulation, "population", populationID(area, year)); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM statistics_population WHERE area_code = $1 AND year = $2`, area, year)
		if err != nil {
			return fmt.Errorf("remove population: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return apperr.New(apperr.NotFound, "statistics.error.population_missing")
		}
		return s.gate.Record(ctx, tx, actor, "statistics.population.remove", "population", populationID(area, year), "", "")
	})
}

// populationID names an entry in the audit log: "city" for the whole city.
func populationID(area string, year int) string {
	if area == "" {
		area = "city"
	}
	return area + "/" + strconv.Itoa(year)
}

func (s *Service) parsePopulation(in PopulationInput) (Population, apperr.Fields) {
	var f apperr.Fields
	p := Population{Area: strings.TrimSpace(in.Area), Source: strings.TrimSpace(in.Source), UpdatedAt: s.now().UTC().Truncate(time.Microsecond)}
	year, err := strconv.Atoi(strings.TrimSpace(in.Year))
	if err != nil || year < firstYear || year > s.now().UTC().Year()+1 {
		f.Add("year", "statistics.error.population_year")
	}
	p.Year = year
	raw := strings.TrimSpace(in.Population)
	n, err := 0, error(nil)
	if wholeNumber.MatchString(raw) {
		n, err = strconv.Atoi(strings.Map(func(r rune) rune {
			if r == '-' || unicode.IsDigit(r) {
				return r
			}
			return -1
		}, raw))
	}
	switch {
	case !wholeNumber.MatchString(raw) || err != nil || n > maxPopulation:
		f.Add("population", "statistics.error.population_number")
	case n <= 0:
		f.Add("population", "statistics.error.population_positive")
	}
	p.Population = n
	if utf8.RuneCountInString(p.Source) > maxSource || strings.ContainsFunc(p.Source, unicode.IsControl) {
		f.Add("source", "statistics.error.population_source")
	}
	return p, f
}

// wholeNumber is a whole number as typed in English or German, thousands
// grouped by commas, dots or spaces or not at all ("250000", "250,000",
// "250.000").
var wholeNumber = regexp.MustCompile(`^-?(\d+|\d{1,3}([,. \x{00a0}]\d{3})+)$`)

// populations are the entered populations by area and year, for rates.
func populations(ctx context.Context, tx *storage.Tx) (map[populationKey]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT area_code, year, population FROM statistics_population`)
	if err != nil {
		return nil, fmt.Errorf("read populations: %w", err)
	}
	defer rows.Close()
	out := map[populationKey]int{}
	for rows.Next() {
		var k populationKey
		var n int
		if err := rows.Scan(&k.area, &k.year, &n); err != nil {
			return nil, fmt.Errorf("scan population: %w", err)
		}
		out[k] = n
	}
	return out, rows.Err()
}

type populationKey struct {
	area string
	year int
}
