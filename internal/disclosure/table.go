// Package disclosure protects count tables before they leave Waymark: the
// table model with all its margins, primary suppression of small counts,
// complementary suppression checked against an attacker who solves the
// linear programme of everything published, optional rounding, and the
// ledger that checks a new release against every earlier one to the same
// recipient. Pure: no HTTP or SQL. The rule and the algorithm are described
// in docs/issue14-progress/disclosure.md.
package disclosure

import (
	"waymark.city/waymark/internal/apperr"
)

// Total addresses the margin of a dimension in a cell key: the sum over all
// its categories.
const Total = -1

// Limits keep the attacker's linear programme small enough to solve while a
// person waits.
const (
	MaxDimensions    = 4
	MaxCategories    = 64
	MaxInteriorCells = 1296
)

// Status says what a cell of a published table shows. Eurostat asks to keep
// a known zero apart from an unknown count.
type Status int

const (
	Value      Status = iota // a count is shown
	KnownZero                // there are none, and that is known
	Unknown                  // nobody knows the count (nor any margin over it)
	Suppressed               // withheld to protect the persons counted
)

// Reason says why a cell is suppressed.
type Reason int

const (
	NotSuppressed Reason = iota
	Primary              // the count is in 1..threshold (or zero, when zeros are sensitive)
	WholeCategory        // its category is suppressed as a whole
	Complementary        // withheld so that a primary cell cannot be derived
)

// Category is one value of a dimension. Parts names the finest-grained
// values it covers (months of a quarter, districts of an area); empty means
// the category is itself finest-grained. The ledger compares releases over
// these parts.
type Category struct {
	Code  string   `json:"code"`
	Parts []string `json:"parts,omitempty"`
}

// parts is what the category covers, itself when nothing finer is named.
func (c Category) parts() []string {
	if len(c.Parts) == 0 {
		return []string{c.Code}
	}
	return c.Parts
}

// Dimension is one disaggregation of a table (sex, age band, month).
type Dimension struct {
	Code       string     `json:"code"`
	Categories []Category `json:"categories"`
}

// Input is a table as counted: counts of the interior cells in row-major
// order (the last dimension varies fastest). Unknown, when given, has the
// same length and marks the cells whose count nobody knows.
type Input struct {
	Dimensions []Dimension
	Counts     []int
	Unknown    []bool
}

// Cell is one cell of a table, interior or margin.
type Cell struct {
	Status Status
	// Count is the true count; it is meaningful only while the table has
	// not left Waymark (Shown is what a reader sees).
	Count  int
	Reason Reason
	// Rounded marks a count shown rounded to the table's base; Recomputed a
	// margin shown as the sum of its rounded cells.
	Rounded    bool
	Recomputed bool
	shown      int
}

// Shown is the number a reader sees: the count, its rounded value, or 0
// for an unknown or suppressed cell.
func (c Cell) Shown() int {
	if c.Status == Unknown || c.Status == Suppressed {
		return 0
	}
	return c.shown
}

// Table is a count table with every margin: each dimension has its
// categories and a total, so a table of sizes n₁…n_k holds ∏(nᵢ+1) cells.
type Table struct {
	dims    []Dimension
	ext     []int // nᵢ+1 per dimension; index nᵢ is the total
	strides []int
	cells   []Cell
	inside  [][]int // per cell, the interior cells it sums (shared by copies)
	rules   Rules
}

// New builds the table with all its margins from in, or returns a
// validation error naming what is wrong.
func New(in Input) (*Table, error) {
	if err := validate(in); err != nil {
		return nil, err
	}
	k := len(in.Dimensions)
	t := &Table{dims: in.Dimensions, ext: make([]int, k), strides: make([]int, k)}
	size := 1
	for i := k - 1; i >= 0; i-- {
		t.ext[i] = len(in.Dimensions[i].Categories) + 1
		t.strides[i] = size
		size *= t.ext[i]
	}
	t.cells = make([]Cell, size)
	t.inside = make([][]int, size)
	for i := range t.inside {
		t.inside[i] = t.interiorOf(i)
	}
	key := make([]int, k)
	for i, n := range in.Counts {
		rest := i
		for d := k - 1; d >= 0; d-- {
			n := t.ext[d] - 1
			key[d] = rest % n
			rest /= n
		}
		c := &t.cells[t.index(key)]
		c.Count = n
		if in.Unknown != nil && in.Unknown[i] {
			c.Status = Unknown
		}
	}
	t.fillMargins()
	return t, nil
}

func validate(in Input) error {
	interior, err := validateDimensions(in.Dimensions)
	if err != nil {
		return err
	}
	var f apperr.Fields
	if len(in.Counts) != interior || (in.Unknown != nil && len(in.Unknown) != interior) {
		f.Add("counts", "statistics.error.size_mismatch")
		return f.Err()
	}
	for _, n := range in.Counts {
		if n < 0 {
			f.Add("counts", "statistics.error.negative_count")
			break
		}
	}
	return f.Err()
}

// validateDimensions checks the dimensions of a table and returns its
// number of interior cells.
func validateDimensions(dims []Dimension) (int, error) {
	var f apperr.Fields
	switch {
	case len(dims) == 0:
		f.Add("dimensions", "statistics.error.no_dimensions")
	case len(dims) > MaxDimensions:
		f.Add("dimensions", "statistics.error.too_many_dimensions")
	}
	if len(f) > 0 {
		return 0, f.Err()
	}
	interior := 1
	codes := map[string]bool{}
	for _, d := range dims {
		if d.Code == "" || codes[d.Code] {
			f.Add("dimensions", "statistics.error.dimension_code")
			break
		}
		codes[d.Code] = true
		if len(d.Categories) == 0 || len(d.Categories) > MaxCategories {
			f.Add("dimensions", "statistics.error.category_count")
			break
		}
		if !distinctCategories(d) {
			f.Add("dimensions", "statistics.error.category_overlap")
			break
		}
		interior *= len(d.Categories)
	}
	if len(f) > 0 {
		return 0, f.Err()
	}
	if interior > MaxInteriorCells {
		return 0, apperr.Validation(apperr.FieldError{Field: "dimensions", Key: "statistics.error.too_large", Args: map[string]any{"max": MaxInteriorCells}})
	}
	return interior, nil
}

// distinctCategories holds when d's categories have distinct, non-empty
// codes and cover disjoint parts, so that its total is their sum.
func distinctCategories(d Dimension) bool {
	codes := map[string]bool{}
	parts := map[string]bool{}
	for _, c := range d.Categories {
		if c.Code == "" || codes[c.Code] {
			return false
		}
		codes[c.Code] = true
		for _, p := range c.parts() {
			if p == "" || parts[p] {
				return false
			}
			parts[p] = true
		}
	}
	return true
}

// fillMargins sums the interior into every margin. A margin over an unknown
// cell is unknown: its sum cannot be known either.
func (t *Table) fillMargins() {
	for i := range t.cells {
		if t.interior(i) {
			c := &t.cells[i]
			if c.Status != Unknown {
				c.Status = statusOf(c.Count)
			}
			continue
		}
		t.cells[i] = Cell{}
	}
	for i := range t.cells {
		if !t.interior(i) {
			continue
		}
		src := t.cells[i]
		t.eachCover(t.key(i), func(j int) {
			if j == i {
				return
			}
			m := &t.cells[j]
			if src.Status == Unknown {
				m.Status = Unknown
			}
			m.Count += src.Count
		})
	}
	for i := range t.cells {
		c := &t.cells[i]
		if c.Status == Unknown {
			c.Count = 0
		} else {
			c.Status = statusOf(c.Count)
		}
		c.shown = c.Count
	}
}

func statusOf(n int) Status {
	if n == 0 {
		return KnownZero
	}
	return Value
}

// eachCover calls fn with the index of every cell whose sum includes the
// interior cell key: the cell itself and each margin obtained by replacing
// some of its coordinates by the total.
func (t *Table) eachCover(key []int, fn func(int)) {
	k := len(key)
	for mask := 0; mask < 1<<k; mask++ {
		idx := 0
		for d := 0; d < k; d++ {
			v := key[d]
			if mask&(1<<d) != 0 {
				v = t.ext[d] - 1
			}
			idx += v * t.strides[d]
		}
		fn(idx)
	}
}

// interiorOf lists the interior cells summed by cell i (i itself when it is
// interior). New keeps these lists in t.inside: every attack and check
// walks them, and they never change.
func (t *Table) interiorOf(i int) []int {
	key := t.key(i)
	var out []int
	var walk func(d, idx int)
	walk = func(d, idx int) {
		if d == len(key) {
			out = append(out, idx)
			return
		}
		if key[d] < t.ext[d]-1 {
			walk(d+1, idx+key[d]*t.strides[d])
			return
		}
		for v := 0; v < t.ext[d]-1; v++ {
			walk(d+1, idx+v*t.strides[d])
		}
	}
	walk(0, 0)
	return out
}

func (t *Table) index(key []int) int {
	idx := 0
	for d, v := range key {
		idx += v * t.strides[d]
	}
	return idx
}

func (t *Table) key(i int) []int {
	key := make([]int, len(t.ext))
	for d := range t.ext {
		key[d] = i / t.strides[d] % t.ext[d]
	}
	return key
}

// interior says whether cell i is an interior cell (no coordinate is a
// total).
func (t *Table) interior(i int) bool {
	for d, n := range t.ext {
		if i/t.strides[d]%n == n-1 {
			return false
		}
	}
	return true
}

// Dimensions returns the table's dimensions.
func (t *Table) Dimensions() []Dimension { return t.dims }

// Len is the number of cells, margins included.
func (t *Table) Len() int { return len(t.cells) }

// Key returns the key of cell i (0 ≤ i < Len), Total for a margin.
func (t *Table) Key(i int) []int {
	key := t.key(i)
	for d, v := range key {
		if v == t.ext[d]-1 {
			key[d] = Total
		}
	}
	return key
}

// Cell returns the cell at key (one index per dimension, Total for its
// margin); ok is false for a key outside the table.
func (t *Table) Cell(key ...int) (c Cell, ok bool) {
	if len(key) != len(t.ext) {
		return Cell{}, false
	}
	idx := 0
	for d, v := range key {
		switch {
		case v == Total:
			v = t.ext[d] - 1
		case v < 0 || v >= t.ext[d]-1:
			return Cell{}, false
		}
		idx += v * t.strides[d]
	}
	return t.cells[idx], true
}

// At returns cell i (0 ≤ i < Len).
func (t *Table) At(i int) Cell { return t.cells[i] }

func (t *Table) clone() *Table {
	c := *t
	c.cells = append([]Cell(nil), t.cells...)
	return &c
}
