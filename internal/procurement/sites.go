package procurement

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

const siteColumns = `t.id, t.contract_id, t.supplier_id, t.name, t.address, t.country, t.kind, t.workers, t.migrant_share,
	t.agency_share, t.seasonal_share, t.labour_provider, t.accommodation, s.legal_name, t.created_at, t.updated_at`

const siteFrom = ` FROM procurement_sites t JOIN procurement_suppliers s ON s.id = t.supplier_id`

func scanSite(r interface{ Scan(...any) error }) (Site, error) {
	var t Site
	var workers sql.NullInt64
	var accommodation int
	if err := r.Scan(&t.ID, &t.ContractID, &t.SupplierID, &t.Name, &t.Address, &t.Country, &t.Type, &workers, &t.MigrantShare,
		&t.AgencyShare, &t.SeasonalShare, &t.LabourProvider, &accommodation, &t.SupplierName, &t.CreatedAt, &t.UpdatedAt); err != nil {
		return Site{}, err
	}
	t.Workers, t.HasWorkforce, t.Accommodation = int(workers.Int64), workers.Valid, accommodation == 1
	return t, nil
}

// Site returns one site.
func (s *Service) Site(ctx context.Context, actor access.Actor, id string) (Site, error) {
	if err := s.view(ctx, actor, "procurement_site", id); err != nil {
		return Site{}, err
	}
	var out Site
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = scanSite(tx.QueryRowContext(ctx, `SELECT `+siteColumns+siteFrom+` WHERE t.id = $1`, id))
		if err != nil {
			return wrapLoad("site", id, err)
		}
		return nil
	})
	return out, err
}

// Sites lists a contract's sites by name, in one query (at most MaxSites).
func (s *Service) Sites(ctx context.Context, actor access.Actor, contractID string) ([]Site, error) {
	if err := s.view(ctx, actor, "procurement_contract", contractID); err != nil {
		return nil, err
	}
	var out []Site
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = sitesOf(ctx, tx, contractID)
		return err
	})
	return out, err
}

// SiteNames names a contract's sites by id (at most MaxSites), reading
// the names alone from their index: what a list of the contract's checks
// needs of its sites.
func (s *Service) SiteNames(ctx context.Context, actor access.Actor, contractID string) (map[string]string, error) {
	if err := s.view(ctx, actor, "procurement_contract", contractID); err != nil {
		return nil, err
	}
	out := map[string]string{}
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name FROM procurement_sites WHERE contract_id = $1 ORDER BY name, id LIMIT `+strconv.Itoa(MaxSites), contractID)
		if err != nil {
			return fmt.Errorf("name sites: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				return fmt.Errorf("scan site name: %w", err)
			}
			out[id] = name
		}
		return rows.Err()
	})
	return out, err
}

// SitePageSize is how many sites the contract page lists at once.
const SitePageSize = 50

func sitesOf(ctx context.Context, tx *storage.Tx, contractID string) ([]Site, error) {
	return querySites(ctx, tx, contractID, MaxSites, 0)
}

func querySites(ctx context.Context, tx *storage.Tx, contractID string, limit, offset int) ([]Site, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+siteColumns+siteFrom+` WHERE t.contract_id = $1 ORDER BY t.name, t.id LIMIT $2 OFFSET $3`,
		contractID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list sites: %w", err)
	}
	defer rows.Close()
	var out []Site
	for rows.Next() {
		t, err := scanSite(rows)
		if err != nil {
			return nil, fmt.Errorf("scan site: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SiteInput is the site form. Workers "" leaves the workforce figures
// unrecorded; the shares are percentages (0–100) of the workers.
type SiteInput struct {
	SupplierID, Name, Address, Country, Type string
	Workers                                  string
	MigrantShare, AgencyShare, SeasonalShare string
	LabourProvider                           string
	Accommodation                            bool
}

type siteValues struct {
	workers                   sql.NullInt64
	migrant, agency, seasonal int
}

func (in *SiteInput) check() (apperr.Fields, siteValues) {
	var fe apperr.Fields
	var v siteValues
	in.SupplierID, in.Name, in.Address = strings.TrimSpace(in.SupplierID), clean(in.Name), clean(in.Address)
	in.Country, in.Type, in.LabourProvider = strings.ToUpper(strings.TrimSpace(in.Country)), strings.TrimSpace(in.Type), clean(in.LabourProvider)
	if in.Name == "" || tooLong(in.Name, maxText) {
		fe.Add("name", "procurement.error.site_name")
	}
	if in.Address == "" || tooLong(in.Address, maxText) {
		fe.Add("address", "procurement.error.address")
	}
	if !validCountry(in.Country) {
		fe.Add("country", "procurement.error.country")
	}
	if !slices.Contains(siteKinds, in.Type) {
		fe.Add("type", "procurement.error.site_type")
	}
	if tooLong(in.LabourProvider, maxText) {
		fe.Add("labour_provider", "procurement.error.too_long")
	}
	if w := strings.TrimSpace(in.Workers); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 0 || n > 1_000_000 {
			fe.Add("workers", "procurement.error.workers")
		}
		v.workers = sql.NullInt64{Int64: int64(n), Valid: true}
	}
	share := func(field, s string) int {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 100 {
			fe.Add(field, "procurement.error.share")
		}
		return n
	}
	v.migrant = share("migrant_share", in.MigrantShare)
	v.agency = share("agency_share", in.AgencyShare)
	v.seasonal = share("seasonal_share", in.SeasonalShare)
	return fe, v
}

// checkSiteSupplier adds a field error unless supplierID is the
// contract's supplier or one of its subcontractors.
func checkSiteSupplier(ctx context.Context, tx *storage.Tx, fe *apperr.Fields, contractID, supplierID string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM procurement_contracts WHERE id = $1 AND supplier_id = $2`, contractID, supplierID).Scan(&n); err != nil {
		return fmt.Errorf("check site supplier: %w", err)
	}
	if n == 0 {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM procurement_subcontracts WHERE contract_id = $1 AND supplier_id = $2`,
			contractID, supplierID).Scan(&n); err != nil {
			return fmt.Errorf("check site subcontractor: %w", err)
		}
	}
	if n == 0 {
		fe.Add("supplier_id", "procurement.error.site_supplier")
	}
	return nil
}

// CreateSite records a site of a contract, run by the contract's supplier
// or one of its subcontractors.
func (s *Service) CreateSite(ctx context.Context, actor access.Actor, contractID string, in SiteInput) (Site, error) {
	if err := s.manage(ctx, actor, "procurement_contract", contractID); err != nil {
		return Site{}, err
	}
	fe, v := in.check()
	var out Site
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := getContract(ctx, tx, contractID, true); err != nil {
			return err
		}
		if err := checkSiteSupplier(ctx, tx, &fe, contractID, in.SupplierID); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		id, now := newID(), s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO procurement_sites (id, contract_id, supplier_id, name, address, country, kind,
				workers, migrant_share, agency_share, seasonal_share, labour_provider, accommodation, created_by, created_at, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $14, $15)`,
			id, contractID, in.SupplierID, in.Name, in.Address, in.Country, in.Type, v.workers, v.migrant, v.agency, v.seasonal,
			in.LabourProvider, storage.Flag(in.Accommodation), actor.UserID, now); err != nil {
			return fmt.Errorf("insert site: %w", storage.MapError(err))
		}
		if err := s.gate.Record(ctx, tx, actor, "procurement.site.create", "procurement_site", id, "", contractID); err != nil {
			return err
		}
		var err error
		out, err = scanSite(tx.QueryRowContext(ctx, `SELECT `+siteColumns+siteFrom+` WHERE t.id = $1`, id))
		return err
	})
	return out, err
}

// UpdateSite changes a site; it stays with its contract.
func (s *Service) UpdateSite(ctx context.Context, actor access.Actor, id string, in SiteInput) (Site, error) {
	if err := s.manage(ctx, actor, "procurement_site", id); err != nil {
		return Site{}, err
	}
	fe, v := in.check()
	var out Site
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var contractID string
		if err := tx.QueryRowContext(ctx, `SELECT contract_id FROM procurement_sites WHERE id = $1`+tx.ForUpdate(), id).Scan(&contractID); err != nil {
			return wrapLoad("site", id, err)
		}
		if err := checkSiteSupplier(ctx, tx, &fe, contractID, in.SupplierID); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE procurement_sites SET supplier_id = $2, name = $3, address = $4, country = $5, kind = $6,
				workers = $7, migrant_share = $8, agency_share = $9, seasonal_share = $10, labour_provider = $11, accommodation = $12,
				updated_by = $13, updated_at = $14 WHERE id = $1`,
			id, in.SupplierID, in.Name, in.Address, in.Country, in.Type, v.workers, v.migrant, v.agency, v.seasonal,
			in.LabourProvider, storage.Flag(in.Accommodation), actor.UserID, s.now()); err != nil {
			return fmt.Errorf("update site: %w", storage.MapError(err))
		}
		if err := s.gate.Record(ctx, tx, actor, "procurement.site.update", "procurement_site", id, "", contractID); err != nil {
			return err
		}
		var err error
		out, err = scanSite(tx.QueryRowContext(ctx, `SELECT `+siteColumns+siteFrom+` WHERE t.id = $1`, id))
		return err
	})
	return out, err
}
