package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/storage"
)

// Areas are the city's current areas, which a case's area is chosen from
// (public geography: no permission of its own).
func (s *Service) Areas(ctx context.Context) ([]geo.Area, error) { return s.areas(ctx) }

// SetArea records the area of the city a case is worked in: a code of a
// current area, or "" for not recorded. An unknown code is a field error
// of "area" and changes nothing. The change is the case's profile, logged
// on its timeline and audited with the code.
func (s *Service) SetArea(ctx context.Context, actor access.Actor, caseID, code string) error {
	code = strings.TrimSpace(code)
	known := code == ""
	if !known {
		// Read before the change's transaction: the areas are read (and
		// kept decoded) by geo in a transaction of its own.
		areas, err := s.areas(ctx)
		if err != nil {
			return err
		}
		known = slices.ContainsFunc(areas, func(a geo.Area) bool { return a.Code == code })
	}
	return s.Change(ctx, actor, access.ManageCases, caseID, Profile, func(tx *storage.Tx, a Access) error {
		if !known {
			return apperr.Validation(apperr.FieldError{Field: "area", Key: "error.case_area_unknown"})
		}
		if a.Case.AreaCode == code {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET area_code = $1 WHERE id = $2`, code, caseID); err != nil {
			return fmt.Errorf("set area of case %s: %w", caseID, err)
		}
		return s.Log(ctx, tx, actor, a.Case, Event{Kind: "area_set", Category: Profile, Detail: code})
	})
}
