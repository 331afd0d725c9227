package geo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// precision is the rounding applied to stored coordinates: 10⁻⁶ degrees is
// about 0.1 m, finer than any district boundary is drawn, and it keeps a
// re-export of the same file from counting as a changed shape.
const precision = 1e6

// UploadResult says what an upload did to the set of areas.
type UploadResult struct {
	Added, Changed, Retired, Unchanged int
}

// Upload replaces the city's areas with those of a GeoJSON file (see the
// package documentation). The file is read and validated before anything
// is written; a file that fails changes nothing.
func (s *Service) Upload(ctx context.Context, actor access.Actor, file io.Reader, props Properties) (UploadResult, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageAreas, "areas", ""); err != nil {
		return UploadResult{}, err
	}
	features, err := parseAreas(file, props)
	if err != nil {
		return UploadResult{}, err
	}
	type stored struct {
		name, geometry string
		shape          orb.MultiPolygon
	}
	incoming := make([]stored, len(features))
	for i, f := range features {
		shape := orb.Round(f.shape, precision).(orb.MultiPolygon)
		text, err := geojson.NewGeometry(shape).MarshalJSON()
		if err != nil {
			return UploadResult{}, fmt.Errorf("encode area %s: %w", f.code, err)
		}
		incoming[i] = stored{name: f.name, geometry: string(text), shape: shape}
	}
	var res UploadResult
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		now := s.now()
		current := map[string]stored{}
		rows, err := tx.QueryContext(ctx, `SELECT code, name, geometry FROM areas WHERE replaced_at IS NULL`)
		if err != nil {
			return fmt.Errorf("read areas: %w", err)
		}
		for rows.Next() {
			var code string
			var a stored
			if err := rows.Scan(&code, &a.name, &a.geometry); err != nil {
				rows.Close()
				return fmt.Errorf("scan area: %w", err)
			}
			current[code] = a
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read areas: %w", err)
		}
		retire := func(code string) error {
			_, err := tx.ExecContext(ctx, `UPDATE areas SET replaced_at = $1 WHERE code = $2 AND replaced_at IS NULL`, now, code)
			if err != nil {
				return fmt.Errorf("replace area %s: %w", code, storage.MapError(err))
			}
			return nil
		}
		for i, f := range features {
			in := incoming[i]
			old, exists := current[f.code]
			delete(current, f.code)
			if exists && old.name == in.name && old.geometry == in.geometry {
				res.Unchanged++
				continue
			}
			if exists {
				if err := retire(f.code); err != nil {
					return err
				}
				res.Changed++
			} else {
				res.Added++
			}
			// A code retired earlier and uploaded again continues its
			// numbering, so (code, version) names one shape for good.
			var version int
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM areas WHERE code = $1`, f.code).Scan(&version); err != nil {
				return fmt.Errorf("next version of area %s: %w", f.code, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO areas (id, code, name, version, geometry, created_by, created_org, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				newID(), f.code, in.name, version, in.geometry, actor.UserID, actor.OrgID, now); err != nil {
				return fmt.Errorf("insert area %s: %w", f.code, storage.MapError(err))
			}
		}
		for code := range current {
			if err := retire(code); err != nil {
				return err
			}
			res.Retired++
		}
		_, err = s.audit.Append(ctx, tx, audit.Entry{
			ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: "areas.upload", Outcome: audit.Done,
			SubjectType: "areas", SubjectOrgID: actor.OrgID,
			Detail: fmt.Sprintf("added=%d changed=%d retired=%d unchanged=%d", res.Added, res.Changed, res.Retired, res.Unchanged),
		})
		return err
	})
	if err != nil {
		return UploadResult{}, err
	}
	return res, nil
}

const areaColumns = `id, code, name, version, geometry, created_at, replaced_at`

// Current lists the current areas by name. Areas are public geography and
// need no permission of their own: whoever may see a map sees its areas.
//
// Every map page asks for them, and decoding their GeoJSON is most of the
// work, so the decoded areas are kept while the ids of the current
// versions, read first, are the same.
func (s *Service) Current(ctx context.Context) ([]Area, error) {
	var out []Area
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		ids, err := currentIDs(ctx, tx)
		if err != nil {
			return err
		}
		if c := s.current.Load(); c != nil && c.ids == ids {
			out = slices.Clone(c.list)
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+areaColumns+` FROM areas WHERE replaced_at IS NULL`)
		if err != nil {
			return fmt.Errorf("list areas: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanArea(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		if err = rows.Err(); err != nil {
			return err
		}
		slices.SortFunc(out, func(a, b Area) int {
			if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
				return c
			}
			return strings.Compare(a.Code, b.Code)
		})
		s.current.Store(&currentAreas{ids: ids, list: slices.Clone(out)})
		return nil
	})
	return out, err
}

// currentIDs are the ids of the current versions of the areas, in order.
func currentIDs(ctx context.Context, tx *storage.Tx) (string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM areas WHERE replaced_at IS NULL ORDER BY id`)
	if err != nil {
		return "", fmt.Errorf("list current areas: %w", err)
	}
	defer rows.Close()
	var ids strings.Builder
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return "", fmt.Errorf("scan area id: %w", err)
		}
		ids.WriteString(id + ",")
	}
	return ids.String(), rows.Err()
}

// Get returns the current version of the area with the given code.
func (s *Service) Get(ctx context.Context, code string) (Area, error) {
	var a Area
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		a, err = scanArea(tx.QueryRowContext(ctx, `SELECT `+areaColumns+` FROM areas WHERE code = $1 AND replaced_at IS NULL`, code))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		return err
	})
	return a, err
}

func scanArea(row interface{ Scan(...any) error }) (Area, error) {
	var a Area
	var geometry string
	var replaced sql.NullTime
	if err := row.Scan(&a.ID, &a.Code, &a.Name, &a.Version, &geometry, &a.CreatedAt, &replaced); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Area{}, err
		}
		return Area{}, fmt.Errorf("scan area: %w", err)
	}
	g, err := geojson.UnmarshalGeometry([]byte(geometry))
	if err != nil {
		return Area{}, fmt.Errorf("decode area %s: %w", a.Code, err)
	}
	shape, ok := g.Geometry().(orb.MultiPolygon)
	if !ok {
		return Area{}, fmt.Errorf("decode area %s: stored geometry is a %s", a.Code, g.Type)
	}
	a.shape = shape
	if replaced.Valid {
		a.ReplacedAt = replaced.Time.UTC()
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return a, nil
}
