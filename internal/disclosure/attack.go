package disclosure

// attack is the attacker's view of a table: the suppressed interior cells
// are the unknowns, every published margin an equation over them, and a
// suppressed cell's count a linear function whose range the attacker can
// compute.
type attack struct {
	t    *Table
	vars []int // per cell: its variable, or -1 (published, or a margin)
	lp   *simplex
}

// lowerBound is what the attacker knows beforehand about a suppressed
// cell. Unless zeros are sensitive, Waymark never suppresses a
// zero for its own sake, so a suppressed cell is at least 1 — except in a
// category suppressed as a whole, which hides zeros too.
func (t *Table) lowerBound(i int) float64 {
	if t.rules.ZeroSensitive || t.cells[i].Reason == WholeCategory {
		return 0
	}
	return 1
}

func (t *Table) newAttack() (*attack, error) {
	a := &attack{t: t, vars: make([]int, len(t.cells))}
	var p problem
	for i, c := range t.cells {
		a.vars[i] = -1
		if c.Status == Suppressed && t.interior(i) {
			a.vars[i] = p.addVar(t.lowerBound(i))
		}
	}
	for i, c := range t.cells {
		if c.Status == Suppressed || c.Status == Unknown || t.interior(i) {
			continue
		}
		terms, constant := a.linear(i)
		if len(terms) == 0 {
			continue
		}
		p.rows = append(p.rows, constraint{terms: terms, rhs: float64(c.Count) - constant})
	}
	// A suppressed margin is known to be at least its prior too, which its
	// cells' priors need not imply (they may all be in a category
	// suppressed as a whole).
	for i, c := range t.cells {
		if c.Status != Suppressed || t.interior(i) {
			continue
		}
		terms, constant := a.linear(i)
		if prior := t.lowerBound(i); len(terms) > 0 && prior > constant {
			p.rows = append(p.rows, constraint{terms: terms, rhs: prior - constant, ge: true})
		}
	}
	lp, err := p.solve()
	if err != nil {
		return nil, err
	}
	a.lp = lp
	return a, nil
}

// linear writes cell i as the sum of its suppressed interior cells plus the
// published interior counts.
func (a *attack) linear(i int) ([]term, float64) {
	var terms []term
	constant := 0.0
	for _, j := range a.t.inside[i] {
		if v := a.vars[j]; v >= 0 {
			terms = append(terms, term{v: v, a: 1})
			continue
		}
		constant += float64(a.t.cells[j].Count)
	}
	return terms, constant
}

// interval is the range the attacker can derive for cell i; without full,
// an unbounded range comes without its lower end.
func (a *attack) interval(i int, full bool) Interval {
	terms, constant := a.linear(i)
	if len(terms) == 0 {
		n := int(constant)
		return Interval{Lower: n, Upper: n}
	}
	return a.lp.interval(terms, constant, full)
}

// Exposure is a suppressed cell that the published figures narrow below
// the protection it needs.
type Exposure struct {
	Key      []int
	Interval Interval
}

// Intervals returns what the attacker can derive about each suppressed
// cell of t, by the index of the cell.
func (t *Table) Intervals() (map[int]Interval, error) {
	a, err := t.newAttack()
	if err != nil {
		return nil, err
	}
	out := map[int]Interval{}
	for i, c := range t.cells {
		if c.Status == Suppressed {
			out[i] = a.interval(i, true)
		}
	}
	return out, nil
}

// Exposures returns the suppressed cells of t whose interval is narrower
// than the threshold; a protected table has none.
func (t *Table) Exposures() ([]Exposure, error) {
	ivs, err := t.Intervals()
	if err != nil {
		return nil, err
	}
	var out []Exposure
	for i := range t.cells {
		if iv, ok := ivs[i]; ok && t.protects(i) && iv.Width() < t.rules.threshold() {
			out = append(out, Exposure{Key: t.Key(i), Interval: iv})
		}
	}
	return out, nil
}
