package procurement

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/currency"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

const contractColumns = `c.id, c.authority, c.subject, c.cpv, c.value_minor, c.currency, c.starts_on, c.ends_on,
	COALESCE(c.supplier_id, ''), COALESCE(s.legal_name, ''), COALESCE(s.country, ''), COALESCE(s.statement, ''), c.goods, c.risk, c.social_clause, c.slavery_clause, c.chain,
	c.status, c.review_on, c.remind_days, c.created_at, c.updated_at`

const contractFrom = ` FROM procurement_contracts c LEFT JOIN procurement_suppliers s ON s.id = c.supplier_id`

func scanContract(r interface{ Scan(...any) error }) (Contract, error) {
	var c Contract
	var goods string
	var social, slavery int
	if err := r.Scan(&c.ID, &c.Authority, &c.Subject, &c.CPV, &c.Value, &c.Currency, &c.StartsOn, &c.EndsOn,
		&c.SupplierID, &c.SupplierName, &c.SupplierCountry, &c.supplierStatement, &goods, &c.Risk, &social, &slavery, &c.Chain,
		&c.Status, &c.ReviewOn, &c.RemindDays, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return Contract{}, err
	}
	c.Goods, c.SocialClause, c.SlaveryClause = parseList(goods), social == 1, slavery == 1
	return c, nil
}

func getContract(ctx context.Context, tx *storage.Tx, id string, lock bool) (Contract, error) {
	where := ` WHERE c.id = $1`
	if lock {
		where = ` WHERE c.id = (SELECT id FROM procurement_contracts WHERE id = $1` + tx.ForUpdate() + `)`
	}
	// The ratings come with the contract, one row each (one row with
	// NULLs while unrated): one round trip for every contract read.
	rows, err := tx.QueryContext(ctx, `SELECT `+contractColumns+`, r.characteristic, r.level, r.reason`+contractFrom+`
		LEFT JOIN procurement_ratings r ON r.contract_id = c.id`+where, id)
	if err != nil {
		return Contract{}, fmt.Errorf("load contract %s: %w", id, err)
	}
	defer rows.Close()
	var c Contract
	found := false
	for rows.Next() {
		var ch, level, reason sql.NullString
		row, err := scanContract(rowWith{rows, []any{&ch, &level, &reason}})
		if err != nil {
			return Contract{}, fmt.Errorf("scan contract %s: %w", id, err)
		}
		if !found {
			c, found = row, true
		}
		if ch.Valid {
			c.Ratings = append(c.Ratings, Rating{Characteristic: ch.String, Level: level.String, Reason: reason.String})
		}
	}
	if err := rows.Err(); err != nil {
		return Contract{}, fmt.Errorf("load contract %s: %w", id, err)
	}
	if !found {
		return Contract{}, wrapLoad("contract", id, sql.ErrNoRows)
	}
	slices.SortFunc(c.Ratings, func(a, b Rating) int {
		return slices.Index(characteristics, a.Characteristic) - slices.Index(characteristics, b.Characteristic)
	})
	return c, nil
}

// rowWith scans a row whose leading columns scanContract reads, into its
// destinations and then the extra ones.
type rowWith struct {
	rows  *sql.Rows
	extra []any
}

func (r rowWith) Scan(dest ...any) error { return r.rows.Scan(append(dest, r.extra...)...) }

// Contract returns one contract with its ratings.
func (s *Service) Contract(ctx context.Context, actor access.Actor, id string) (Contract, error) {
	if err := s.view(ctx, actor, "procurement_contract", id); err != nil {
		return Contract{}, err
	}
	var out Contract
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = getContract(ctx, tx, id, false)
		return err
	})
	return out, err
}

// Contracts lists the contracts, newest first (at most 1,000), without
// their ratings.
func (s *Service) Contracts(ctx context.Context, actor access.Actor) ([]Contract, error) {
	if err := s.view(ctx, actor, "procurement_contract", ""); err != nil {
		return nil, err
	}
	var out []Contract
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+contractColumns+contractFrom+` ORDER BY c.created_at DESC, c.id LIMIT `+strconv.Itoa(maxList))
		if err != nil {
			return fmt.Errorf("list contracts: %w", err)
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

// ContractInput is the contract form.
type ContractInput struct {
	Authority, Subject, CPV string
	// Value is in major units ("12500.50"); Currency an ISO 4217 code.
	Value, Currency  string
	StartsOn, EndsOn string
	SupplierID       string
	// Goods are the goods and commodities supplied, one per line or
	// comma-separated.
	Goods                       string
	SocialClause, SlaveryClause bool
	ReviewOn                    string
	// RemindDays "" means DefaultRemindDays.
	RemindDays string
}

// check normalises the input and returns its field errors with the value
// in minor units and the reminder days.
func (in *ContractInput) check() (apperr.Fields, int64, int) {
	var fe apperr.Fields
	in.Authority, in.Subject = clean(in.Authority), clean(in.Subject)
	in.CPV, in.Currency = strings.TrimSpace(in.CPV), strings.ToUpper(strings.TrimSpace(in.Currency))
	in.StartsOn, in.EndsOn, in.ReviewOn = strings.TrimSpace(in.StartsOn), strings.TrimSpace(in.EndsOn), strings.TrimSpace(in.ReviewOn)
	in.SupplierID, in.RemindDays = strings.TrimSpace(in.SupplierID), strings.TrimSpace(in.RemindDays)
	if in.Authority == "" || tooLong(in.Authority, maxText) {
		fe.Add("authority", "procurement.error.authority")
	}
	if in.Subject == "" || tooLong(in.Subject, maxText) {
		fe.Add("subject", "procurement.error.subject")
	}
	if _, ok := CPVLabel(in.CPV); !ok {
		fe.Add("cpv", "procurement.error.cpv")
	}
	value, ok := parseMinor(in.Value)
	if !ok {
		fe.Add("value", "procurement.error.value")
	}
	if !validCurrency(in.Currency) {
		fe.Add("currency", "procurement.error.currency")
	}
	startOK, endOK := validDay(in.StartsOn), validDay(in.EndsOn)
	if !startOK {
		fe.Add("starts_on", "procurement.error.date")
	}
	if !endOK {
		fe.Add("ends_on", "procurement.error.date")
	}
	if startOK && endOK && in.EndsOn < in.StartsOn {
		fe.Add("ends_on", "procurement.error.ends_before_start")
	}
	goods := goodsOf(in.Goods)
	if len(goods) > maxGoods || slices.ContainsFunc(goods, func(g string) bool { return tooLong(g, maxText) }) {
		fe.Add("goods", "procurement.error.goods")
	}
	in.Goods = strings.Join(goods, "\n")
	if in.ReviewOn != "" && !validDay(in.ReviewOn) {
		fe.Add("review_on", "procurement.error.date")
	}
	days := DefaultRemindDays
	if in.RemindDays != "" {
		n, err := strconv.Atoi(in.RemindDays)
		if err != nil || n < 0 || n > MaxRemindDays {
			fe.Add("remind_days", "procurement.error.remind_days")
		}
		days = n
	}
	return fe, value, days
}

// checkSupplier adds a field error unless id is "" or a known supplier.
func checkSupplier(ctx context.Context, tx *storage.Tx, fe *apperr.Fields, field, id string) error {
	if id == "" {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM procurement_suppliers WHERE id = $1`, id).Scan(&n); err != nil {
		return fmt.Errorf("check supplier %s: %w", id, err)
	}
	if n == 0 {
		fe.Add(field, "procurement.error.supplier_unknown")
	}
	return nil
}

// CreateContract records a new contract as a draft.
func (s *Service) CreateContract(ctx context.Context, actor access.Actor, in ContractInput) (Contract, error) {
	if err := s.manage(ctx, actor, "procurement_contract", ""); err != nil {
		return Contract{}, err
	}
	fe, value, days := in.check()
	var out Contract
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := checkSupplier(ctx, tx, &fe, "supplier_id", in.SupplierID); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		id, now := newID(), s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO procurement_contracts (id, authority, subject, cpv, value_minor, currency,
				starts_on, ends_on, supplier_id, goods, social_clause, slavery_clause, status, review_on, remind_days,
				created_by, created_at, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $16, $17)`,
			id, in.Authority, in.Subject, in.CPV, value, in.Currency, in.StartsOn, in.EndsOn, storage.NullString(in.SupplierID),
			jsonList(goodsOf(in.Goods)), storage.Flag(in.SocialClause), storage.Flag(in.SlaveryClause), Draft, in.ReviewOn, days,
			actor.UserID, now); err != nil {
			return fmt.Errorf("insert contract: %w", storage.MapError(err))
		}
		if err := s.gate.Record(ctx, tx, actor, "procurement.contract.create", "procurement_contract", id, "", in.CPV); err != nil {
			return err
		}
		var err error
		out, err = getContract(ctx, tx, id, false)
		return err
	})
	return out, err
}

// UpdateContract changes a contract's details (not its rating or status).
// The supplier of an awarded or ended contract stays: its chain and sites
// hang on it.
func (s *Service) UpdateContract(ctx context.Context, actor access.Actor, id string, in ContractInput) (Contract, error) {
	if err := s.manage(ctx, actor, "procurement_contract", id); err != nil {
		return Contract{}, err
	}
	fe, value, days := in.check()
	var out Contract
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		old, err := getContract(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := checkSupplier(ctx, tx, &fe, "supplier_id", in.SupplierID); err != nil {
			return err
		}
		if in.SupplierID != old.SupplierID && old.SupplierID != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM procurement_subcontracts WHERE contract_id = $1)
					+ (SELECT COUNT(*) FROM procurement_sites WHERE contract_id = $1)`, id).Scan(&n); err != nil {
				return fmt.Errorf("count chain of contract %s: %w", id, err)
			}
			if n > 0 || old.Status != Draft {
				fe.Add("supplier_id", "procurement.error.supplier_fixed")
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE procurement_contracts SET authority = $2, subject = $3, cpv = $4, value_minor = $5,
				currency = $6, starts_on = $7, ends_on = $8, supplier_id = $9, goods = $10, social_clause = $11, slavery_clause = $12,
				review_on = $13, remind_days = $14, updated_by = $15, updated_at = $16 WHERE id = $1`,
			id, in.Authority, in.Subject, in.CPV, value, in.Currency, in.StartsOn, in.EndsOn, storage.NullString(in.SupplierID),
			jsonList(goodsOf(in.Goods)), storage.Flag(in.SocialClause), storage.Flag(in.SlaveryClause), in.ReviewOn, days,
			actor.UserID, s.now()); err != nil {
			return fmt.Errorf("update contract: %w", storage.MapError(err))
		}
		if err := s.gate.Record(ctx, tx, actor, "procurement.contract.update", "procurement_contract", id, "", in.CPV); err != nil {
			return err
		}
		out, err = getContract(ctx, tx, id, false)
		return err
	})
	return out, err
}

// Rate records the six characteristics' levels, each with its reason
// (required), and sets the overall rating.
func (s *Service) Rate(ctx context.Context, actor access.Actor, id string, ratings []Rating) (Contract, error) {
	if err := s.manage(ctx, actor, "procurement_contract", id); err != nil {
		return Contract{}, err
	}
	var fe apperr.Fields
	byChar := map[string]Rating{}
	for _, r := range ratings {
		r.Level, r.Reason = strings.TrimSpace(r.Level), strings.TrimSpace(r.Reason)
		byChar[r.Characteristic] = r
	}
	var clean []Rating
	for _, c := range characteristics {
		r := byChar[c]
		r.Characteristic = c
		if !slices.Contains(levels, r.Level) {
			fe.Add("level_"+c, "procurement.error.level")
		}
		if r.Reason == "" || tooLong(r.Reason, maxReason) {
			fe.Add("reason_"+c, "procurement.error.reason")
		}
		clean = append(clean, r)
	}
	if err := fe.Err(); err != nil {
		return Contract{}, err
	}
	risk := Overall(clean)
	var out Contract
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := getContract(ctx, tx, id, true); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM procurement_ratings WHERE contract_id = $1`, id); err != nil {
			return fmt.Errorf("clear ratings: %w", err)
		}
		for _, r := range clean {
			if _, err := tx.ExecContext(ctx, `INSERT INTO procurement_ratings (contract_id, characteristic, level, reason) VALUES ($1, $2, $3, $4)`,
				id, r.Characteristic, r.Level, r.Reason); err != nil {
				return fmt.Errorf("insert rating: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE procurement_contracts SET risk = $2, updated_by = $3, updated_at = $4 WHERE id = $1`,
			id, risk, actor.UserID, s.now()); err != nil {
			return fmt.Errorf("set contract risk: %w", err)
		}
		if err := s.gate.Record(ctx, tx, actor, "procurement.contract.rate", "procurement_contract", id, "", risk); err != nil {
			return err
		}
		var err error
		out, err = getContract(ctx, tx, id, false)
		return err
	})
	return out, err
}

// DeclareChain records whether the contract has subcontractors: "none" or
// "declared" (the subcontracts listed are the chain).
func (s *Service) DeclareChain(ctx context.Context, actor access.Actor, id, chain string) error {
	if err := s.manage(ctx, actor, "procurement_contract", id); err != nil {
		return err
	}
	if chain != chainNone && chain != chainGiven {
		return fieldErr("chain", "procurement.error.chain")
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := getContract(ctx, tx, id, true); err != nil {
			return err
		}
		if chain == chainNone {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM procurement_subcontracts WHERE contract_id = $1`, id).Scan(&n); err != nil {
				return fmt.Errorf("count subcontracts: %w", err)
			}
			if n > 0 {
				return fieldErr("chain", "procurement.error.chain_has_subcontracts")
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE procurement_contracts SET chain = $2, updated_by = $3, updated_at = $4 WHERE id = $1`,
			id, chain, actor.UserID, s.now()); err != nil {
			return fmt.Errorf("declare chain: %w", err)
		}
		return s.gate.Record(ctx, tx, actor, "procurement.contract.chain", "procurement_contract", id, "", chain)
	})
}

// SetStatus moves a contract to awarded or ended. A contract is awarded
// only with a supplier and a complete rating, and a high-risk one only
// once its supply-chain information is recorded: the refusal lists what
// is missing, one field error each.
func (s *Service) SetStatus(ctx context.Context, actor access.Actor, id, status string) error {
	if err := s.manage(ctx, actor, "procurement_contract", id); err != nil {
		return err
	}
	if !slices.Contains(statuses, status) {
		return fieldErr("status", "procurement.error.status")
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		c, err := getContract(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if c.Status == status {
			return nil
		}
		if status == Awarded {
			facts, err := readChainFacts(ctx, tx, id)
			if err != nil {
				return err
			}
			missing, err := missingFor(ctx, tx, c, facts)
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				// The first field error says why, the others what is
				// missing: the page's error summary lists them in order.
				key := "procurement.error.award_missing"
				if c.Risk == High {
					key = "procurement.error.award_missing_chain"
				}
				e := apperr.New(apperr.Conflict, key)
				e.Fields = []apperr.FieldError{{Field: "award", Key: key}}
				for _, m := range missing {
					e.Fields = append(e.Fields, apperr.FieldError{Field: "award", Key: m.Key, Args: m.Args})
				}
				return e
			}
		}
		if status == Draft && c.Status != Draft {
			return fieldErr("status", "procurement.error.status_back")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE procurement_contracts SET status = $2, updated_by = $3, updated_at = $4 WHERE id = $1`,
			id, status, actor.UserID, s.now()); err != nil {
			return fmt.Errorf("set contract status: %w", err)
		}
		return s.gate.Record(ctx, tx, actor, "procurement.contract.status", "procurement_contract", id, "", status)
	})
}

// Missing is one thing a contract lacks before it can be awarded: a
// message key and its arguments.
type Missing struct {
	Key  string
	Args map[string]any
}

// Missing lists what the contract lacks before award, nothing when it can
// be awarded.
func (s *Service) Missing(ctx context.Context, actor access.Actor, id string) ([]Missing, error) {
	if err := s.view(ctx, actor, "procurement_contract", id); err != nil {
		return nil, err
	}
	var out []Missing
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		c, err := getContract(ctx, tx, id, false)
		if err != nil {
			return err
		}
		facts, err := readChainFacts(ctx, tx, id)
		if err != nil {
			return err
		}
		out, err = missingFor(ctx, tx, c, facts)
		return err
	})
	return out, err
}

// chainFacts are what the award check and the risk-list hits read of a
// contract's chain and sites: its subcontracts, and its sites counted
// with their countries.
type chainFacts struct {
	chain         []Subcontract
	siteCount     int
	siteCountries []string
}

func readChainFacts(ctx context.Context, tx *storage.Tx, contractID string) (chainFacts, error) {
	var f chainFacts
	var err error
	if f.chain, err = chainOf(ctx, tx, contractID); err != nil {
		return f, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT country, COUNT(*) FROM procurement_sites WHERE contract_id = $1 GROUP BY country`, contractID)
	if err != nil {
		return f, fmt.Errorf("count sites: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var country string
		var n int
		if err := rows.Scan(&country, &n); err != nil {
			return f, fmt.Errorf("scan site countries: %w", err)
		}
		f.siteCount += n
		f.siteCountries = append(f.siteCountries, country)
	}
	return f, rows.Err()
}

// countries are the countries of the contract's supplier, subcontractors
// and sites, each once.
func (f chainFacts) countries(c Contract) []string {
	out := slices.Clone(f.siteCountries)
	if c.SupplierCountry != "" {
		out = append(out, c.SupplierCountry)
	}
	for _, k := range f.chain {
		out = append(out, k.Country)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// missingFor is what c lacks before award. Every contract needs a
// supplier and its six ratings; a high-risk one also needs every
// supplier's modern-slavery statement question answered (the contract's
// supplier and each subcontractor), its subcontractor chain declared (to
// tier 1, or "none"), and at least one site, each with its workforce
// figures.
func missingFor(ctx context.Context, tx *storage.Tx, c Contract, f chainFacts) ([]Missing, error) {
	var out []Missing
	if c.SupplierID == "" {
		out = append(out, Missing{Key: "procurement.missing.supplier"})
	}
	if c.Risk == "" {
		out = append(out, Missing{Key: "procurement.missing.rating"})
	}
	if c.Risk != High {
		return out, nil
	}
	type unanswered struct{ id, name string }
	var silent []unanswered
	if c.SupplierID != "" && c.supplierStatement == "" {
		silent = append(silent, unanswered{c.SupplierID, c.SupplierName})
	}
	for _, k := range f.chain {
		if k.statement == "" {
			silent = append(silent, unanswered{k.SupplierID, k.SupplierName})
		}
	}
	slices.SortFunc(silent, func(a, b unanswered) int {
		if n := strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)); n != 0 {
			return n
		}
		return strings.Compare(a.id, b.id)
	})
	for _, u := range silent {
		out = append(out, Missing{Key: "procurement.missing.statement", Args: map[string]any{"name": u.name}})
	}
	switch c.Chain {
	case "":
		out = append(out, Missing{Key: "procurement.missing.chain"})
	case chainGiven:
		if !slices.ContainsFunc(f.chain, func(k Subcontract) bool { return k.Tier == 2 }) {
			out = append(out, Missing{Key: "procurement.missing.chain_empty"})
		}
	}
	if f.siteCount == 0 {
		out = append(out, Missing{Key: "procurement.missing.sites"})
	}
	rows, err := tx.QueryContext(ctx, `SELECT name FROM procurement_sites WHERE contract_id = $1 AND workers IS NULL
		ORDER BY name, id LIMIT 50`, c.ID)
	if err != nil {
		return nil, fmt.Errorf("sites without workforce: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("scan site: %w", err)
		}
		out = append(out, Missing{Key: "procurement.missing.workforce", Args: map[string]any{"name": name}})
	}
	return out, rows.Err()
}

// parseMinor reads a non-negative amount in major units with at most two
// decimals ("12500", "12500.5", "12,500.50" is refused) into minor units.
func parseMinor(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if strings.Trim(whole+frac, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > maxValue || n > math.MaxInt64/100 {
		return 0, false
	}
	return n, true
}

// formatMinor writes minor units as major units with two decimals.
func formatMinor(n int64) string {
	return fmt.Sprintf("%d.%02d", n/100, n%100)
}

func currencyUnit(code string) (currency.Unit, error) { return currency.ParseISO(code) }
