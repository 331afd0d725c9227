package procurement

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Chain lists a contract's subcontracts by tier, in one query.
func (s *Service) Chain(ctx context.Context, actor access.Actor, contractID string) ([]Subcontract, error) {
	if err := s.view(ctx, actor, "procurement_contract", contractID); err != nil {
		return nil, err
	}
	var out []Subcontract
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = chainOf(ctx, tx, contractID)
		return err
	})
	return out, err
}

func chainOf(ctx context.Context, tx *storage.Tx, contractID string) ([]Subcontract, error) {
	rows, err := tx.QueryContext(ctx, `SELECT k.id, k.contract_id, k.parent_id, p.legal_name, k.supplier_id, s.legal_name, s.country, k.tier, s.statement
		FROM procurement_subcontracts k
		JOIN procurement_suppliers p ON p.id = k.parent_id
		JOIN procurement_suppliers s ON s.id = k.supplier_id
		WHERE k.contract_id = $1 ORDER BY k.tier, s.legal_name, k.id LIMIT 1000`, contractID)
	if err != nil {
		return nil, fmt.Errorf("list subcontracts: %w", err)
	}
	defer rows.Close()
	var out []Subcontract
	for rows.Next() {
		var k Subcontract
		if err := rows.Scan(&k.ID, &k.ContractID, &k.ParentID, &k.ParentName, &k.SupplierID, &k.SupplierName, &k.Country, &k.Tier, &k.statement); err != nil {
			return nil, fmt.Errorf("scan subcontract: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// AddSubcontract records that parentID (the contract's supplier, tier 1,
// or a subcontractor already in its chain) subcontracts part of the
// contract to supplierID, at the parent's tier plus one. It declares the
// contract's chain.
func (s *Service) AddSubcontract(ctx context.Context, actor access.Actor, contractID, parentID, supplierID string) (Subcontract, error) {
	if err := s.manage(ctx, actor, "procurement_contract", contractID); err != nil {
		return Subcontract{}, err
	}
	var out Subcontract
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		c, err := getContract(ctx, tx, contractID, true)
		if err != nil {
			return err
		}
		var fe apperr.Fields
		if c.SupplierID == "" {
			return apperr.New(apperr.Conflict, "procurement.error.no_supplier")
		}
		parentTier := 0
		if parentID == c.SupplierID {
			parentTier = 1
		} else if err := tx.QueryRowContext(ctx, `SELECT tier FROM procurement_subcontracts WHERE contract_id = $1 AND supplier_id = $2`,
			contractID, parentID).Scan(&parentTier); err != nil {
			if !apperr.Is(storage.MapError(err), apperr.NotFound) {
				return fmt.Errorf("load parent tier: %w", err)
			}
			fe.Add("parent_id", "procurement.error.parent_not_in_chain")
		}
		if err := checkSupplier(ctx, tx, &fe, "supplier_id", supplierID); err != nil {
			return err
		}
		if supplierID == "" {
			fe.Add("supplier_id", "procurement.error.supplier_unknown")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM procurement_subcontracts WHERE contract_id = $1 AND supplier_id = $2`,
			contractID, supplierID).Scan(&n); err != nil {
			return fmt.Errorf("check subcontract: %w", err)
		}
		if n > 0 || supplierID == c.SupplierID {
			fe.Add("supplier_id", "procurement.error.already_in_chain")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		id := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO procurement_subcontracts (id, contract_id, parent_id, supplier_id, tier, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, contractID, parentID, supplierID, parentTier+1, actor.UserID, s.now()); err != nil {
			return fmt.Errorf("insert subcontract: %w", storage.MapError(err))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE procurement_contracts SET chain = $2, updated_by = $3, updated_at = $4 WHERE id = $1`,
			contractID, chainGiven, actor.UserID, s.now()); err != nil {
			return fmt.Errorf("declare chain: %w", err)
		}
		if err := s.gate.Record(ctx, tx, actor, "procurement.subcontract.add", "procurement_contract", contractID, "", supplierID); err != nil {
			return err
		}
		chain, err := chainOf(ctx, tx, contractID)
		for _, k := range chain {
			if k.ID == id {
				out = k
			}
		}
		return err
	})
	return out, err
}
