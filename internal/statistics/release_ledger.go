package statistics

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/storage"
)

// PeriodDimension is the dimension every released table gets last: one
// category, the release's period, whose parts are its days. Through it the
// ledger sees that a year covers its months and that January to September
// is a year without its last quarter.
const PeriodDimension = "period"

// withPeriod adds the period dimension to a protected table's release.
// With one category, the category's cells are the table's cells, so each
// cell keeps its status and figure.
func withPeriod(r disclosure.Release, p Period) disclosure.Release {
	var days []string
	for d := day(p.From); !d.After(day(p.To)); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	r.Dimensions = append(slices.Clip(r.Dimensions), disclosure.Dimension{Code: PeriodDimension,
		Categories: []disclosure.Category{{Code: p.String(), Parts: days}}})
	cells := make([]disclosure.ReleasedCell, 0, len(r.Cells))
	for _, c := range r.Cells {
		c.Key = append(slices.Clip(c.Key), 0)
		cells = append(cells, c)
	}
	r.Cells = cells
	return r
}

// periodOf names a released table's period.
func periodOf(t ReleasedTable) string {
	return t.Published.Dimensions[len(t.Published.Dimensions)-1].Categories[0].Code
}

// dimensionCodes are a released table's own dimensions' codes, sorted.
func dimensionCodes(t ReleasedTable) []string {
	var codes []string
	for _, d := range t.Dimensions() {
		codes = append(codes, d.Code)
	}
	slices.Sort(codes)
	return codes
}

func sharesDimension(a, b []string) bool {
	return slices.ContainsFunc(a, func(c string) bool { return slices.Contains(b, c) })
}

// checkLedger checks the tables of release id against every table approved
// to the recipient and against each other. Each table is checked with the
// earlier tables over the same dimensions (the same table for other
// periods: year-to-date against months), and with those added one table
// at a time that shares a dimension with it and covers the same period
// (another table of the same persons whose margin it repeats). Checking
// every table of every release in one programme would multiply their
// categories beyond what can be solved while a person waits, and pairing
// with the linked tables of every period made the twelfth monthly release
// take seconds.
func (s *Service) checkLedger(ctx context.Context, tx *storage.Tx, key, id string, tables []ReleasedTable) error {
	earlier, err := releasedTables(ctx, tx, `WHERE r.recipient_key = $1 AND r.status = $2 AND r.id <> $3`, key, ReleaseApproved, id)
	if err != nil {
		return err
	}
	for i, t := range tables {
		codes := dimensionCodes(t)
		var same []disclosure.Release
		var linked []ReleasedTable
		for _, e := range earlier {
			switch ec := dimensionCodes(e); {
			case slices.Equal(ec, codes):
				same = append(same, e.Published)
			case sharesDimension(ec, codes) && periodOf(e) == periodOf(t):
				linked = append(linked, e)
			}
		}
		for j, o := range tables {
			if j != i && sharesDimension(dimensionCodes(o), codes) && !slices.Equal(dimensionCodes(o), codes) {
				linked = append(linked, o)
			}
		}
		all := append(slices.Clip(earlier), tables...)
		if err := check(disclosure.Ledger{Releases: same}, t, all); err != nil {
			return err
		}
		for _, l := range linked {
			if err := check(disclosure.Ledger{Releases: append(slices.Clip(same), l.Published)}, t, all); err != nil {
				return err
			}
		}
	}
	return nil
}

// check runs the ledger's check of t and names the first cell it finds in
// the error: which table of which release, and the cell's categories.
func check(l disclosure.Ledger, t ReleasedTable, known []ReleasedTable) error {
	found, err := l.Check(t.Published)
	if err == nil {
		return nil
	}
	if len(found) == 0 {
		return err
	}
	f := found[0]
	rev := &Revealed{Findings: found, Key: f.Key[:len(f.Key)-1]}
	args := map[string]any{"table": f.Release, "cell": "", "period": ""}
	for _, k := range known {
		if k.Published.ID != f.Release {
			continue
		}
		rev.Table = k
		args["table"] = k.Code
		args["cell"] = CellName(k.Dimensions(), rev.Key)
		args["period"] = periodOf(k)
	}
	return &apperr.Error{Code: apperr.Conflict, Key: "statistics.error.release_reveals", Args: args, Cause: errors.Join(err, rev)}
}

// Revealed is what the ledger found behind a refused release: every
// finding, and the first one's table (its preset code, dimensions and
// period) and cell key, by which Labelled names it.
type Revealed struct {
	Findings []disclosure.Finding
	Table    ReleasedTable
	Key      []int
}

func (r *Revealed) Error() string { return "release reveals suppressed cells" }

// Labelled is err with the table and cell of a refused release named in
// p's language (the table's title, the categories' labels); any other
// error is returned as it is.
func Labelled(p *i18n.Printer, err error) error {
	rev, ok := errors.AsType[*Revealed](err)
	e := apperr.As(err)
	if !ok || e.Key != "statistics.error.release_reveals" || rev.Table.Code == "" {
		return err
	}
	dims := rev.Table.Dimensions()
	parts := make([]string, len(rev.Key))
	for d, v := range rev.Key {
		parts[d] = CategoryLabel(p, dims[d], v)
	}
	out := *e
	out.Args = map[string]any{"table": p.T(rev.Table.TitleKey()), "cell": strings.Join(parts, " × "), "period": e.Args["period"]}
	return &out
}

// CellName names a cell by its categories' codes ("female × child"), a
// margin's coordinate as "total".
func CellName(dims []disclosure.Dimension, key []int) string {
	parts := make([]string, len(key))
	for d, v := range key {
		if v == disclosure.Total {
			parts[d] = "total"
			continue
		}
		parts[d] = dims[d].Categories[v].Code
	}
	return strings.Join(parts, " × ")
}

// harmonize withholds, in every table of one release, the cells that count
// the same persons as a cell another of its tables suppresses: each table
// is protected on its own, and a margin one suppresses as a complement may
// be published by another (a sex × age table and an age table share the
// age totals). Withholding more only widens what a reader can infer; the
// withheld copy needs no protection of its own, as the table that
// suppressed it keeps that (the ledger check that follows sees both). A
// margin shown as the sum of rounded cells, one of them now withheld, is
// withheld too, as it would give that cell away.
func harmonize(tables []ReleasedTable) {
	for changed := true; changed; {
		changed = false
		for i := range tables {
			for j := range tables {
				if i == j {
					continue
				}
				a, b := &tables[i].Published, &tables[j].Published
				for _, c := range a.Cells {
					if c.Status != disclosure.Suppressed {
						continue
					}
					if k, ok := sameCell(*a, c, *b); ok && b.Cells[k].Status == disclosure.Value {
						withhold(b, k)
						changed = true
					}
				}
			}
		}
	}
}

// sameCell finds the cell of b that counts the persons cell c of a counts:
// c's category on each dimension they share (by codes), the total on the
// others; none when c breaks down a dimension b lacks.
func sameCell(a disclosure.Release, c disclosure.ReleasedCell, b disclosure.Release) (int, bool) {
	key := make([]int, len(b.Dimensions))
	for d := range key {
		key[d] = disclosure.Total
	}
	for da, v := range c.Key {
		if v == disclosure.Total {
			continue
		}
		db := slices.IndexFunc(b.Dimensions, func(d disclosure.Dimension) bool { return d.Code == a.Dimensions[da].Code })
		if db < 0 {
			return 0, false
		}
		code := a.Dimensions[da].Categories[v].Code
		if key[db] = slices.IndexFunc(b.Dimensions[db].Categories, func(cat disclosure.Category) bool { return cat.Code == code }); key[db] < 0 {
			return 0, false
		}
	}
	k := slices.IndexFunc(b.Cells, func(bc disclosure.ReleasedCell) bool { return slices.Equal(bc.Key, key) })
	return k, k >= 0
}

// withhold suppresses published cell k of r (its count is at least 1, as
// it was published as a count) and every margin shown as a sum over it.
func withhold(r *disclosure.Release, k int) {
	key := r.Cells[k].Key
	r.Cells[k] = disclosure.ReleasedCell{Key: key, Status: disclosure.Suppressed, Prior: 1}
	for i, c := range r.Cells {
		if c.Recomputed && covers(c.Key, key) {
			withhold(r, i)
		}
	}
}

// covers says whether the cell at margin sums the cell at key.
func covers(margin, key []int) bool {
	for d, v := range margin {
		if v != disclosure.Total && v != key[d] {
			return false
		}
	}
	return true
}
