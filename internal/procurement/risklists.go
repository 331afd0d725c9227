package procurement

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Risk list kinds: the US Department of Labor's List of Goods Produced by
// Child Labor or Forced Labor (published under the TVPRA), and the
// operator's own commodity/country list.
const (
	TVPRA    = "tvpra"
	Operator = "operator"
)

// Limits of an import.
const (
	// MaxListFile is the largest risk list file accepted, in bytes.
	MaxListFile = 5 << 20
	maxEntries  = 20000
)

// tvpraSource names the TVPRA list in its provenance.
const tvpraSource = "US DOL List of Goods Produced by Child Labor or Forced Labor (TVPRA)"

// The columns each list must have (matched without regard to case).
var (
	tvpraColumns    = []string{"Country", "Good", "Child Labor", "Forced Labor"}
	operatorColumns = []string{"commodity", "country", "level", "note"}
)

// RiskList is an imported edition of a risk list with its provenance.
type RiskList struct {
	ID, Kind, Source, EditionOn, FileName string
	Entries                               int
	ImportedBy                            string
	ImportedAt                            time.Time
	// Replaced is set once a later edition of the kind replaced this one.
	Replaced bool
}

// Hit is a risk list entry that matches a contract or a site, with the
// list it comes from.
type Hit struct {
	Good, Country, CountryCode string
	ChildLabour, ForcedLabour  bool
	Level, Note                string
	// CountryMatched is true when the entry's country is one where the
	// contract's suppliers or sites are; false when only the good matched.
	CountryMatched                  bool
	Kind, Source, EditionOn, ListID string
}

// ImportTVPRA replaces the TVPRA list with the edition in r (CSV with the
// columns Country, Good, Child Labor and Forced Labor; a mark such as "X"
// in a labour column means listed for it), published on editionOn. A file
// that lacks a column, or has no entries, changes nothing.
func (s *Service) ImportTVPRA(ctx context.Context, actor access.Actor, fileName, editionOn string, r io.Reader) (RiskList, error) {
	return s.importList(ctx, actor, TVPRA, tvpraSource, fileName, editionOn, r)
}

// ImportOperatorList replaces the operator's commodity/country list with
// the edition in r (CSV with the columns commodity, country, level and
// note; an empty commodity or country means any), from source, dated
// editionOn.
func (s *Service) ImportOperatorList(ctx context.Context, actor access.Actor, source, fileName, editionOn string, r io.Reader) (RiskList, error) {
	return s.importList(ctx, actor, Operator, source, fileName, editionOn, r)
}

type entry struct {
	good, goodKey, country, countryCode string
	child, forced                       bool
	level, note                         string
}

func (s *Service) importList(ctx context.Context, actor access.Actor, kind, source, fileName, editionOn string, r io.Reader) (RiskList, error) {
	if err := s.manage(ctx, actor, "procurement_risk_list", ""); err != nil {
		return RiskList{}, err
	}
	var fe apperr.Fields
	source, fileName, editionOn = clean(source), clean(fileName), strings.TrimSpace(editionOn)
	if source == "" || tooLong(source, maxText) {
		fe.Add("source", "procurement.error.source")
	}
	if !validDay(editionOn) || editionOn > s.today() {
		fe.Add("edition_on", "procurement.error.edition_on")
	}
	if fileName == "" || tooLong(fileName, maxText) {
		fe.Add("file", "procurement.error.file")
	}
	if err := fe.Err(); err != nil {
		return RiskList{}, err
	}
	entries, err := parseRiskFile(kind, io.LimitReader(r, MaxListFile+1))
	if err != nil {
		return RiskList{}, err
	}
	var out RiskList
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, `DELETE FROM procurement_risk_entries WHERE list_id IN
			(SELECT id FROM procurement_risk_lists WHERE kind = $1)`, kind); err != nil {
			return fmt.Errorf("clear previous edition: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE procurement_risk_lists SET replaced_at = $2 WHERE kind = $1 AND replaced_at IS NULL`, kind, now); err != nil {
			return fmt.Errorf("mark previous edition: %w", err)
		}
		id := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO procurement_risk_lists (id, kind, source, edition_on, file_name, entries, imported_by, imported_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, kind, source, editionOn, fileName, len(entries), actor.UserID, now); err != nil {
			return fmt.Errorf("insert risk list: %w", err)
		}
		for _, e := range entries {
			if _, err := tx.ExecContext(ctx, `INSERT INTO procurement_risk_entries (id, list_id, good, good_key, country, country_code,
					child_labour, forced_labour, level, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				newID(), id, e.good, e.goodKey, e.country, e.countryCode, storage.Flag(e.child), storage.Flag(e.forced), e.level, e.note); err != nil {
				return fmt.Errorf("insert risk entry: %w", err)
			}
		}
		if err := s.gate.Record(ctx, tx, actor, "procurement.risk_list.import", "procurement_risk_list", id, "", kind+" "+editionOn); err != nil {
			return err
		}
		out = RiskList{ID: id, Kind: kind, Source: source, EditionOn: editionOn, FileName: fileName, Entries: len(entries),
			ImportedBy: actor.UserID, ImportedAt: now}
		return nil
	})
	return out, err
}

// fileErr is an error in an imported file, shown at its one field.
func fileErr(key string, args map[string]any) error {
	return apperr.Validation(apperr.FieldError{Field: "file", Key: key, Args: args})
}

// parseRiskFile reads a risk list file of kind into entries.
func parseRiskFile(kind string, r io.Reader) ([]entry, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read risk list: %w", err)
	}
	if len(b) > MaxListFile {
		return nil, fileErr("procurement.error.file_too_large", map[string]any{"mb": MaxListFile >> 20})
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fileErr("procurement.error.file_csv", nil)
	}
	want := tvpraColumns
	if kind == Operator {
		want = operatorColumns
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(clean(h))] = i
	}
	for _, w := range want {
		if _, ok := col[strings.ToLower(w)]; !ok {
			return nil, fileErr("procurement.error.column_missing", map[string]any{"column": w})
		}
	}
	get := func(rec []string, name string) string {
		if i := col[strings.ToLower(name)]; i < len(rec) {
			return clean(rec[i])
		}
		return ""
	}
	var out []entry
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fileErr("procurement.error.file_csv_line", map[string]any{"line": line})
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		var e entry
		if kind == TVPRA {
			e.good, e.country = get(rec, "Good"), get(rec, "Country")
			e.child, e.forced = marked(get(rec, "Child Labor")), marked(get(rec, "Forced Labor"))
			e.level = High
			if e.good == "" || e.country == "" || !(e.child || e.forced) {
				return nil, fileErr("procurement.error.tvpra_row", map[string]any{"line": line})
			}
		} else {
			e.good, e.country, e.note = get(rec, "commodity"), get(rec, "country"), get(rec, "note")
			e.level = strings.ToLower(get(rec, "level"))
			if !slices.Contains(levels, e.level) || (e.good == "" && e.country == "") {
				return nil, fileErr("procurement.error.operator_row", map[string]any{"line": line})
			}
		}
		if tooLong(e.good, maxText) || tooLong(e.country, maxText) || tooLong(e.note, maxReason) {
			return nil, fileErr("procurement.error.file_csv_line", map[string]any{"line": line})
		}
		e.goodKey = strings.ToLower(e.good)
		if e.country != "" {
			e.countryCode = countryCode(e.country)
		}
		out = append(out, e)
		if len(out) > maxEntries {
			return nil, fileErr("procurement.error.file_entries", map[string]any{"n": maxEntries})
		}
	}
	if len(out) == 0 {
		return nil, fileErr("procurement.error.file_empty", nil)
	}
	return out, nil
}

// marked reads a labour column: the TVPRA list marks with "X"; yes/true/1
// are accepted too.
func marked(s string) bool {
	switch strings.ToLower(s) {
	case "x", "yes", "true", "1", "y":
		return true
	}
	return false
}

// countryNames maps lower-cased English country names (CLDR, plus the
// spellings the TVPRA list uses) to ISO 3166-1 alpha-2 codes.
var countryNames = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	names := display.English.Regions()
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if !validCountry(code) {
				continue
			}
			if n := names.Name(language.MustParseRegion(code)); n != "" {
				out[strings.ToLower(n)] = code
			}
		}
	}
	for name, code := range map[string]string{
		"burma": "MM", "myanmar": "MM", "democratic republic of the congo": "CD", "republic of the congo": "CG",
		"cote d'ivoire": "CI", "côte d'ivoire": "CI", "ivory coast": "CI", "north korea": "KP", "south korea": "KR",
		"türkiye": "TR", "turkiye": "TR", "eswatini": "SZ", "north macedonia": "MK", "cabo verde": "CV",
		"west bank and gaza": "PS", "the gambia": "GM", "gambia": "GM", "united states of america": "US",
	} {
		out[name] = code
	}
	return out
})

// countryCode is the ISO code a list's country names: an ISO code itself
// or an English name; "" when it names none we know.
func countryCode(s string) string {
	if up := strings.ToUpper(s); validCountry(up) {
		return up
	}
	return countryNames()[strings.ToLower(strings.ReplaceAll(s, "’", "'"))]
}

// RiskLists lists every imported edition, the current ones first, then by
// import time, newest first.
func (s *Service) RiskLists(ctx context.Context, actor access.Actor) ([]RiskList, error) {
	if err := s.view(ctx, actor, "procurement_risk_list", ""); err != nil {
		return nil, err
	}
	var out []RiskList
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT l.id, l.kind, l.source, l.edition_on, l.file_name, l.entries, COALESCE(u.username, ''),
				l.imported_at, l.replaced_at IS NOT NULL
			FROM procurement_risk_lists l LEFT JOIN users u ON u.id = l.imported_by
			ORDER BY l.replaced_at IS NOT NULL, l.imported_at DESC, l.id LIMIT 200`)
		if err != nil {
			return fmt.Errorf("list risk lists: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var l RiskList
			if err := rows.Scan(&l.ID, &l.Kind, &l.Source, &l.EditionOn, &l.FileName, &l.Entries, &l.ImportedBy, &l.ImportedAt, &l.Replaced); err != nil {
				return fmt.Errorf("scan risk list: %w", err)
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	return out, err
}

// ContractHits matches the contract's goods and the countries of its
// supplier, subcontractors and sites against the current risk lists: an
// entry hits when its good is one of the contract's goods (in any
// country), or when it names no good and its country is one of the
// contract's. Hits in the contract's countries come first; at most 500.
func (s *Service) ContractHits(ctx context.Context, actor access.Actor, contractID string) ([]Hit, error) {
	if err := s.view(ctx, actor, "procurement_contract", contractID); err != nil {
		return nil, err
	}
	var out []Hit
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		c, err := getContract(ctx, tx, contractID, false)
		if err != nil {
			return err
		}
		out, err = contractHits(ctx, tx, c)
		return err
	})
	return out, err
}

func contractHits(ctx context.Context, tx *storage.Tx, c Contract) ([]Hit, error) {
	f, err := readChainFacts(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	return hits(ctx, tx, c.Goods, f.countries(c), false)
}

// SiteHits are the current risk list entries for the site's country:
// those naming one of its contract's goods, or naming no good.
func (s *Service) SiteHits(ctx context.Context, actor access.Actor, siteID string) ([]Hit, error) {
	if err := s.view(ctx, actor, "procurement_site", siteID); err != nil {
		return nil, err
	}
	var out []Hit
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var contractID, country string
		if err := tx.QueryRowContext(ctx, `SELECT contract_id, country FROM procurement_sites WHERE id = $1`, siteID).Scan(&contractID, &country); err != nil {
			return wrapLoad("site", siteID, err)
		}
		c, err := getContract(ctx, tx, contractID, false)
		if err != nil {
			return err
		}
		out, err = hits(ctx, tx, c.Goods, []string{country}, true)
		return err
	})
	return out, err
}

// hits queries the current entries matching goods (any country) or, with
// no good, countries; onlyCountries keeps those in countries.
func hits(ctx context.Context, tx *storage.Tx, goods, countries []string, onlyCountries bool) ([]Hit, error) {
	keys := []string{}
	for _, g := range goods {
		keys = append(keys, strings.ToLower(g))
	}
	if len(keys) == 0 && len(countries) == 0 {
		return nil, nil
	}
	cond := []string{}
	var args []any
	if len(keys) > 0 {
		in, a := storage.InList(1, keys)
		cond, args = append(cond, `e.good_key IN (`+in+`)`), a
	}
	if len(countries) > 0 {
		in, a := storage.InList(len(args)+1, countries)
		cond, args = append(cond, `(e.good_key = '' AND e.country_code IN (`+in+`))`), append(args, a...)
	}
	where := strings.Join(cond, " OR ")
	if onlyCountries {
		in, a := storage.InList(len(args)+1, countries)
		where, args = `(`+where+`) AND e.country_code IN (`+in+`)`, append(args, a...)
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.good, e.country, e.country_code, e.child_labour, e.forced_labour, e.level, e.note,
			l.kind, l.source, l.edition_on, l.id
		FROM procurement_risk_entries e JOIN procurement_risk_lists l ON l.id = e.list_id
		WHERE l.replaced_at IS NULL AND (`+where+`) ORDER BY l.kind DESC, e.good_key, e.country, e.id LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("risk hits: %w", err)
	}
	defer rows.Close()
	var out []Hit
	for rows.Next() {
		var h Hit
		var child, forced int
		if err := rows.Scan(&h.Good, &h.Country, &h.CountryCode, &child, &forced, &h.Level, &h.Note, &h.Kind, &h.Source, &h.EditionOn, &h.ListID); err != nil {
			return nil, fmt.Errorf("scan hit: %w", err)
		}
		h.ChildLabour, h.ForcedLabour = child == 1, forced == 1
		h.CountryMatched = h.CountryCode != "" && slices.Contains(countries, h.CountryCode)
		out = append(out, h)
	}
	slices.SortStableFunc(out, func(a, b Hit) int {
		switch {
		case a.CountryMatched == b.CountryMatched:
			return 0
		case a.CountryMatched:
			return -1
		}
		return 1
	})
	return out, rows.Err()
}
