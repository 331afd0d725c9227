package procurement

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// RemoveSubcontract takes a subcontractor out of a contract's chain: it
// was recorded by mistake, or the supplier no longer subcontracts to it.
// A link that others hang on is refused: the subcontractors below it
// and the sites it runs must go (or move) first, so that no tier and no
// site is left without its place in the chain.
func (s *Service) RemoveSubcontract(ctx context.Context, actor access.Actor, contractID, subcontractID string) error {
	if err := s.manage(ctx, actor, "procurement_contract", contractID); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := getContract(ctx, tx, contractID, true); err != nil {
			return err
		}
		var supplierID string
		if err := tx.QueryRowContext(ctx, `SELECT supplier_id FROM procurement_subcontracts WHERE id = $1 AND contract_id = $2`,
			subcontractID, contractID).Scan(&supplierID); err != nil {
			return wrapLoad("subcontract", subcontractID, err)
		}
		var below, sites int
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM procurement_subcontracts WHERE contract_id = $1 AND parent_id = $2),
			(SELECT COUNT(*) FROM procurement_sites WHERE contract_id = $1 AND supplier_id = $2)`, contractID, supplierID).Scan(&below, &sites); err != nil {
			return fmt.Errorf("count what hangs on subcontract: %w", err)
		}
		switch {
		case below > 0:
			return apperr.New(apperr.Conflict, "procurement.error.subcontract_has_tiers")
		case sites > 0:
			return apperr.New(apperr.Conflict, "procurement.error.subcontract_has_sites")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM procurement_subcontracts WHERE id = $1 AND contract_id = $2`, subcontractID, contractID); err != nil {
			return fmt.Errorf("delete subcontract: %w", storage.MapError(err))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE procurement_contracts SET updated_by = $2, updated_at = $3 WHERE id = $1`,
			contractID, actor.UserID, s.now()); err != nil {
			return fmt.Errorf("touch contract: %w", err)
		}
		return s.gate.Record(ctx, tx, actor, "procurement.subcontract.remove", "procurement_contract", contractID, "", supplierID)
	})
}

// RemoveSite takes a site off its contract, as recorded by mistake or no
// longer worked at. A site whose checks are on record stays: the checks,
// their findings and corrective actions are the evidence of what was
// found there, and the database keeps them tied to the site.
func (s *Service) RemoveSite(ctx context.Context, actor access.Actor, siteID string) (contractID string, err error) {
	if err := s.manage(ctx, actor, "procurement_site", siteID); err != nil {
		return "", err
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT contract_id FROM procurement_sites WHERE id = $1`, siteID).Scan(&contractID); err != nil {
			return wrapLoad("site", siteID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM procurement_sites WHERE id = $1`, siteID); err != nil {
			if e := storage.MapError(err); apperr.Is(e, apperr.Invalid) {
				return apperr.Wrap(apperr.Conflict, "procurement.error.site_in_use", err)
			}
			return fmt.Errorf("delete site: %w", storage.MapError(err))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE procurement_contracts SET updated_by = $2, updated_at = $3 WHERE id = $1`,
			contractID, actor.UserID, s.now()); err != nil {
			return fmt.Errorf("touch contract: %w", err)
		}
		return s.gate.Record(ctx, tx, actor, "procurement.site.remove", "procurement_site", siteID, "", contractID)
	})
	return contractID, err
}
