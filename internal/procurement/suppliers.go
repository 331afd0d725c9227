package procurement

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

const supplierColumns = `s.id, s.legal_name, s.registry_number, s.country, COALESCE(s.parent_id, ''), COALESCE(p.legal_name, ''), s.sector,
	s.statement, s.statement_year, s.statement_board, s.statement_signed, s.created_at, s.updated_at`

const supplierFrom = ` FROM procurement_suppliers s LEFT JOIN procurement_suppliers p ON p.id = s.parent_id`

func scanSupplier(r interface{ Scan(...any) error }) (Supplier, error) {
	var s Supplier
	var board, signed int
	if err := r.Scan(&s.ID, &s.LegalName, &s.RegistryNumber, &s.Country, &s.ParentID, &s.ParentName, &s.Sector,
		&s.Statement, &s.StatementYear, &board, &signed, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return Supplier{}, err
	}
	s.StatementBoard, s.StatementSigned = board == 1, signed == 1
	return s, nil
}

func getSupplier(ctx context.Context, tx *storage.Tx, id string) (Supplier, error) {
	s, err := scanSupplier(tx.QueryRowContext(ctx, `SELECT `+supplierColumns+supplierFrom+` WHERE s.id = $1`, id))
	if err != nil {
		return Supplier{}, wrapLoad("supplier", id, err)
	}
	return s, nil
}

// Supplier returns one supplier.
func (s *Service) Supplier(ctx context.Context, actor access.Actor, id string) (Supplier, error) {
	if err := s.view(ctx, actor, "procurement_supplier", id); err != nil {
		return Supplier{}, err
	}
	var out Supplier
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = getSupplier(ctx, tx, id)
		return err
	})
	return out, err
}

// Suppliers lists the suppliers by legal name (at most 1,000).
func (s *Service) Suppliers(ctx context.Context, actor access.Actor) ([]Supplier, error) {
	if err := s.view(ctx, actor, "procurement_supplier", ""); err != nil {
		return nil, err
	}
	var out []Supplier
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+supplierColumns+supplierFrom+` ORDER BY s.legal_name, s.id LIMIT `+strconv.Itoa(maxList))
		if err != nil {
			return fmt.Errorf("list suppliers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			sup, err := scanSupplier(rows)
			if err != nil {
				return fmt.Errorf("scan supplier: %w", err)
			}
			out = append(out, sup)
		}
		return rows.Err()
	})
	return out, err
}

// SupplierContracts lists the contracts a supplier holds or works on as
// a subcontractor.
func (s *Service) SupplierContracts(ctx context.Context, actor access.Actor, id string) ([]Contract, error) {
	if err := s.view(ctx, actor, "procurement_supplier", id); err != nil {
		return nil, err
	}
	var out []Contract
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+contractColumns+contractFrom+` WHERE c.supplier_id = $1
			OR c.id IN (SELECT contract_id FROM procurement_subcontracts WHERE supplier_id = $1)
			ORDER BY c.created_at DESC, c.id LIMIT `+strconv.Itoa(maxList), id)
		if err != nil {
			return fmt.Errorf("list supplier contracts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanContract(rows)
			if err != nil {
				return fmt.Errorf("scan contract: %w", err)
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// SupplierInput is the supplier form. Statement is "" (not answered),
// "yes" or "no"; year, board approval and signature count for "yes".
type SupplierInput struct {
	LegalName, RegistryNumber, Country, ParentID, Sector string
	Statement, StatementYear                             string
	StatementBoard, StatementSigned                      bool
}

func (in *SupplierInput) check(thisYear int) (apperr.Fields, int) {
	var fe apperr.Fields
	in.LegalName, in.RegistryNumber, in.Sector = clean(in.LegalName), clean(in.RegistryNumber), clean(in.Sector)
	in.Country, in.ParentID = strings.ToUpper(strings.TrimSpace(in.Country)), strings.TrimSpace(in.ParentID)
	in.Statement, in.StatementYear = strings.TrimSpace(in.Statement), strings.TrimSpace(in.StatementYear)
	if in.LegalName == "" || tooLong(in.LegalName, maxText) {
		fe.Add("legal_name", "procurement.error.legal_name")
	}
	if tooLong(in.RegistryNumber, 100) {
		fe.Add("registry_number", "procurement.error.too_long")
	}
	if tooLong(in.Sector, maxText) {
		fe.Add("sector", "procurement.error.too_long")
	}
	if !validCountry(in.Country) {
		fe.Add("country", "procurement.error.country")
	}
	year := 0
	switch in.Statement {
	case "", "no":
		in.StatementBoard, in.StatementSigned = false, false
	case "yes":
		n, err := strconv.Atoi(in.StatementYear)
		if err != nil || n < 2000 || n > thisYear+1 {
			fe.Add("statement_year", "procurement.error.statement_year")
		}
		year = n
	default:
		fe.Add("statement", "procurement.error.statement")
	}
	return fe, year
}

// checkParent adds a field error unless parentID is "" or a supplier that
// is not id itself nor one of its subsidiaries.
func checkParent(ctx context.Context, tx *storage.Tx, fe *apperr.Fields, id, parentID string) error {
	if parentID == "" {
		return nil
	}
	for at, hops := parentID, 0; at != "" && hops < 50; hops++ {
		if at == id {
			fe.Add("parent_id", "procurement.error.parent_loop")
			return nil
		}
		var next string
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(parent_id, '') FROM procurement_suppliers WHERE id = $1`, at).Scan(&next)
		if err != nil {
			if apperr.Is(storage.MapError(err), apperr.NotFound) {
				fe.Add("parent_id", "procurement.error.supplier_unknown")
				return nil
			}
			return fmt.Errorf("check parent %s: %w", at, err)
		}
		at = next
	}
	return nil
}

// CreateSupplier records a supplier or subcontractor.
func (s *Service) CreateSupplier(ctx context.Context, actor access.Actor, in SupplierInput) (Supplier, error) {
	if err := s.manage(ctx, actor, "procurement_supplier", ""); err != nil {
		return Supplier{}, err
	}
	fe, year := in.check(s.now().Year())
	var out Supplier
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		id, now := newID(), s.now()
		if err := checkParent(ctx, tx, &fe, id, in.ParentID); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO procurement_suppliers (id, legal_name, registry_number, country, parent_id, sector,
				statement, statement_year, statement_board, statement_signed, created_by, created_at, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $12)`,
			id, in.LegalName, in.RegistryNumber, in.Country, storage.NullString(in.ParentID), in.Sector, in.Statement, year,
			storage.Flag(in.StatementBoard), storage.Flag(in.StatementSigned), actor.UserID, now); err != nil {
			return fmt.Errorf("insert supplier: %w", storage.MapError(err))
		}
		if err := s.gate.Record(ctx, tx, actor, "procurement.supplier.create", "procurement_supplier", id, "", in.Country); err != nil {
			return err
		}
		var err error
		out, err = getSupplier(ctx, tx, id)
		return err
	})
	return out, err
}

// UpdateSupplier changes a supplier.
func (s *Service) UpdateSupplier(ctx context.Context, actor access.Actor, id string, in SupplierInput) (Supplier, error) {
	if err := s.manage(ctx, actor, "procurement_supplier", id); err != nil {
		return Supplier{}, err
	}
	fe, year := in.check(s.now().Year())
	var out Supplier
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := getSupplier(ctx, tx, id); err != nil {
			return err
		}
		if err := checkParent(ctx, tx, &fe, id, in.ParentID); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE procurement_suppliers SET legal_name = $2, registry_number = $3, country = $4,
				parent_id = $5, sector = $6, statement = $7, statement_year = $8, statement_board = $9, statement_signed = $10,
				updated_by = $11, updated_at = $12 WHERE id = $1`,
			id, in.LegalName, in.RegistryNumber, in.Country, storage.NullString(in.ParentID), in.Sector, in.Statement, year,
			storage.Flag(in.StatementBoard), storage.Flag(in.StatementSigned), actor.UserID, s.now()); err != nil {
			return fmt.Errorf("update supplier: %w", storage.MapError(err))
		}
		if err := s.gate.Record(ctx, tx, actor, "procurement.supplier.update", "procurement_supplier", id, "", in.Country); err != nil {
			return err
		}
		var err error
		out, err = getSupplier(ctx, tx, id)
		return err
	})
	return out, err
}
