package disclosure

import (
	"math"

	"waymark.city/waymark/internal/apperr"
)

// DefaultThreshold suppresses counts 1 to 10, as CMS, CTDC (k = 11) and
// PCORnet do.
const DefaultThreshold = 10

// MaxThreshold bounds the threshold a caller may set.
const MaxThreshold = 1000

// Rules configure the protection of a table.
type Rules struct {
	// Threshold: counts 1..Threshold are suppressed (0 means the default).
	// It is also the protection every suppressed cell keeps: the attacker's
	// interval for it is at least Threshold wide.
	Threshold int
	// ZeroSensitive suppresses known zeros too.
	ZeroSensitive bool
	// Categories are suppressed as a whole: every cell of theirs, margins
	// included.
	Categories []CategoryRef
	// Rounding is 0 (none), 5 or 10: the published counts are rounded to
	// this base after suppression.
	Rounding int
}

// CategoryRef names a category of a dimension by their codes.
type CategoryRef struct {
	Dimension string
	Category  string
}

func (r Rules) threshold() int {
	if r.Threshold == 0 {
		return DefaultThreshold
	}
	return r.Threshold
}

func (r Rules) validate(t *Table) error {
	var f apperr.Fields
	if r.Threshold < 0 || r.Threshold > MaxThreshold {
		f.Add("threshold", "statistics.error.threshold")
	}
	if r.Rounding != 0 && r.Rounding != 5 && r.Rounding != 10 {
		f.Add("rounding", "statistics.error.rounding")
	}
	for _, ref := range r.Categories {
		if _, _, ok := t.category(ref); !ok {
			f.Add("categories", "statistics.error.unknown_category")
			break
		}
	}
	return f.Err()
}

func (t *Table) category(ref CategoryRef) (dim, cat int, ok bool) {
	for d, dim := range t.dims {
		if dim.Code != ref.Dimension {
			continue
		}
		for c, cat := range dim.Categories {
			if cat.Code == ref.Category {
				return d, c, true
			}
		}
	}
	return 0, 0, false
}

// Protect returns a copy of t in which the small counts, the categories
// named and enough complementary cells are suppressed that no suppressed
// count can be derived or narrowed below the threshold from the published
// cells, then rounded if asked.
func Protect(t *Table, r Rules) (*Table, error) {
	if err := r.validate(t); err != nil {
		return nil, err
	}
	p := t.clone()
	p.rules = r
	p.suppressPrimary()
	if err := p.suppressComplementary(); err != nil {
		return nil, err
	}
	if r.Rounding > 0 {
		p.round(r.Rounding)
	}
	return p, nil
}

func (t *Table) suppress(i int, why Reason) {
	c := &t.cells[i]
	c.Status = Suppressed
	if c.Reason == NotSuppressed {
		c.Reason = why
	}
}

func (t *Table) suppressPrimary() {
	for _, ref := range t.rules.Categories {
		d, cat, _ := t.category(ref)
		for i := range t.cells {
			if t.key(i)[d] == cat && t.cells[i].Status != Unknown {
				t.suppress(i, WholeCategory)
			}
		}
	}
	limit := t.rules.threshold()
	for i, c := range t.cells {
		if c.Status == Unknown {
			continue
		}
		if (c.Count >= 1 && c.Count <= limit) || (c.Count == 0 && t.rules.ZeroSensitive) {
			t.suppress(i, Primary)
		}
	}
}

// protects says whether suppressed cell i must keep the full protection: a
// zero (in a category suppressed as a whole) is not sensitive unless zeros
// are.
func (t *Table) protects(i int) bool {
	return t.cells[i].Status == Suppressed && (t.cells[i].Count > 0 || t.rules.ZeroSensitive)
}

// eligible says whether published cell i may be suppressed as a complement.
// Zeros are not: a suppressed cell could then be zero, and the attacker's
// lower bound of 1 would be wrong.
func (t *Table) eligible(i int) bool {
	return t.cells[i].Status == Value
}

// suppressComplementary adds complements until the attacker's interval for
// every protected suppressed cell is at least the threshold wide. A cell
// is proven safe either by a witness — a hypercube of suppressed cells
// around it (the cells that must move together so that its count can
// change unseen) whose own slack gives the protection, which then proves
// all its corners — or by the attacker's linear programme. Each round
// solves the programme once for the cells not yet proven and, for each
// exposed one, suppresses the cheapest hypercube around it. Suppressing
// more only widens intervals, and suppressing every non-zero cell leaves
// every protected cell unbounded, so this ends.
func (t *Table) suppressComplementary() error {
	need := t.rules.threshold()
	proven := make([]bool, len(t.cells))
	prove := func(cube []int) {
		for _, c := range cube {
			proven[c] = true
		}
	}
	for {
		var open []int
		for i := range t.cells {
			if !t.protects(i) || proven[i] {
				continue
			}
			if _, cube, slack := t.bestHypercube(i, need, true); slack >= need {
				prove(cube)
				continue
			}
			open = append(open, i)
		}
		if len(open) == 0 {
			return nil
		}
		a, err := t.newAttack()
		if err != nil {
			return err
		}
		var exposed []int
		for _, i := range open {
			if a.interval(i, false).Width() < need {
				exposed = append(exposed, i)
			}
		}
		if len(exposed) == 0 {
			return nil
		}
		added := false
		for _, i := range exposed {
			if proven[i] {
				continue
			}
			if _, cube, slack := t.bestHypercube(i, need, true); slack >= need {
				prove(cube) // by a hypercube suppressed earlier in this round
				continue
			}
			fresh, cube, slack := t.bestHypercube(i, need, false)
			if len(fresh) == 0 {
				fresh = t.cheapestNear(i)
			}
			for _, c := range fresh {
				t.suppress(c, Complementary)
				added = true
			}
			if slack >= need {
				prove(cube)
			}
		}
		if !added {
			return apperr.New(apperr.Internal, "error.internal")
		}
	}
}

// A hypercube is a choice, per dimension, of a second coordinate b ≠ a
// where a is the exposed cell's. Its 2^k corners can move together by ±δ
// without changing any other cell: along each dimension the signs are +1
// at a and −1 at b when both are categories, +1 at both when one is the
// total. corners fills cells and signs (each 2^k long) for a and b.
func (t *Table) corners(a, b, cells, signs []int) {
	k := len(a)
	for mask := range 1 << k {
		idx, sign := 0, 1
		for d := 0; d < k; d++ {
			v := a[d]
			if mask&(1<<d) != 0 {
				v = b[d]
				total := t.ext[d] - 1
				if a[d] != total && b[d] != total {
					sign = -sign
				}
			}
			idx += v * t.strides[d]
		}
		cells[mask], signs[mask] = idx, sign
	}
}

// bestHypercube returns the new cells to suppress for the cheapest
// hypercube around cell i whose slack reaches need (the count of the new
// cells, summed, is the cost: big margins are kept), or failing that the
// one with the most slack; with all its corners and that slack. The slack
// is how far the corners can move: the least room (count − prior) among
// the corners moving down plus the least among those moving up. With
// suppressed, it looks only at hypercubes already wholly suppressed: a
// witness that i is safe when their slack reaches need.
func (t *Table) bestHypercube(i, need int, suppressed bool) (fresh, cube []int, slack int) {
	a := t.key(i)
	k := len(a)
	b := make([]int, k)
	cells, signs := make([]int, 1<<k), make([]int, 1<<k)
	slack = -1
	bestCost, bestFresh := math.MaxInt, 0
	var walk func(d int)
	walk = func(d int) {
		if d < k {
			for v := 0; v < t.ext[d]; v++ {
				if v != a[d] {
					b[d] = v
					walk(d + 1)
				}
			}
			return
		}
		t.corners(a, b, cells, signs)
		added, cost := 0, 0
		up, down := math.MaxInt, math.MaxInt
		for j, c := range cells {
			cell := t.cells[c]
			if cell.Status != Suppressed {
				if !t.eligible(c) {
					return
				}
				added++
				cost += cell.Count
			}
			room := cell.Count - int(t.lowerBound(c))
			if signs[j] > 0 {
				down = min(down, room)
			} else {
				up = min(up, room)
			}
		}
		if (added == 0) != suppressed {
			return
		}
		s := math.MaxInt
		if up != math.MaxInt && down != math.MaxInt {
			s = up + down
		}
		enough, bestEnough := s >= need, slack >= need
		better := false
		switch {
		case enough && !bestEnough:
			better = true
		case enough && bestEnough:
			better = cost < bestCost || (cost == bestCost && added < bestFresh)
		case !enough && !bestEnough:
			better = s > slack || (s == slack && cost < bestCost)
		}
		if better {
			cube = append(cube[:0], cells...)
			slack, bestCost, bestFresh = s, cost, added
		}
	}
	walk(0)
	for _, c := range cube {
		if t.cells[c].Status != Suppressed {
			fresh = append(fresh, c)
		}
	}
	return fresh, cube, slack
}

// cheapestNear returns the published cell with the smallest count on a line
// through cell i (same row, column or layer, totals included), or anywhere
// in the table if the lines hold none.
func (t *Table) cheapestNear(i int) []int {
	a := t.key(i)
	best := -1
	for j := range t.cells {
		if !t.eligible(j) {
			continue
		}
		if best < 0 || t.cells[j].Count < t.cells[best].Count {
			if differsInOne(a, t.key(j)) {
				best = j
			}
		}
	}
	if best >= 0 {
		return []int{best}
	}
	for j := range t.cells {
		if t.eligible(j) && (best < 0 || t.cells[j].Count < t.cells[best].Count) {
			best = j
		}
	}
	if best < 0 {
		return nil
	}
	return []int{best}
}

func differsInOne(a, b []int) bool {
	n := 0
	for d := range a {
		if a[d] != b[d] {
			n++
		}
	}
	return n == 1
}
