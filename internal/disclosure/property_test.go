package disclosure

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

// randomInput draws a 2- to 4-dimensional table of 2 to 4 categories per
// dimension and at most 36 interior cells (a dimension that would pass it
// gets 2), so that ten thousand of them run in seconds even under the race
// detector; its counts mix zeros, small counts and larger ones.
func randomInput(r *rand.Rand, threshold int) Input {
	k := 2 + r.IntN(3)
	in := Input{}
	cells := 1
	for d := range k {
		n := 2 + r.IntN(3)
		if cells*n > 36 {
			n = 2
		}
		dim := Dimension{Code: fmt.Sprintf("d%d", d)}
		for c := range n {
			dim.Categories = append(dim.Categories, Category{Code: fmt.Sprintf("c%d", c)})
		}
		in.Dimensions = append(in.Dimensions, dim)
		cells *= n
	}
	zeros, small := r.IntN(40), r.IntN(60)
	for range cells {
		switch p := r.IntN(100); {
		case p < zeros:
			in.Counts = append(in.Counts, 0)
		case p < zeros+small:
			in.Counts = append(in.Counts, 1+r.IntN(threshold))
		default:
			in.Counts = append(in.Counts, threshold+1+r.IntN(4*threshold))
		}
	}
	if r.IntN(20) == 0 {
		in.Unknown = make([]bool, cells)
		in.Unknown[r.IntN(cells)] = true
	}
	return in
}

func randomRules(r *rand.Rand, in Input) Rules {
	rules := Rules{Threshold: []int{3, 5, 10}[r.IntN(3)], ZeroSensitive: r.IntN(10) == 0}
	if r.IntN(10) == 0 {
		d := in.Dimensions[r.IntN(len(in.Dimensions))]
		rules.Categories = []CategoryRef{{Dimension: d.Code, Category: d.Categories[r.IntN(len(d.Categories))].Code}}
	}
	return rules
}

// TestPropertyNoSuppressedCellDerivable is issue 14's property: for 10,000
// random tables with margins, an attacker who solves the linear system of
// everything published recovers no protected suppressed count exactly, and
// the interval bounds of the linear programme never narrow one below the
// threshold. The attacker here is built independently of Protect's, and
// exact recovery is also checked by linear algebra alone (no simplex).
func TestPropertyNoSuppressedCellDerivable(t *testing.T) {
	tables := 10000
	if testing.Short() {
		tables = 1000
	}
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	suppressed := 0
	for w := range workers {
		wg.Go(func() {
			for n := w; n < tables; n += workers {
				r := rand.New(rand.NewPCG(14, uint64(n)))
				threshold := []int{3, 5, 10}[r.IntN(3)]
				in := randomInput(r, threshold)
				rules := randomRules(r, in)
				rules.Threshold = threshold
				tab, err := New(in)
				if err != nil {
					t.Errorf("table %d: New: %v", n, err)
					return
				}
				p, err := Protect(tab, rules)
				if err != nil {
					t.Errorf("table %d: Protect: %v", n, err)
					return
				}
				count, msg := checkProtected(p)
				if msg != "" {
					t.Errorf("table %d (%v, rules %+v): %s", n, in, rules, msg)
					return
				}
				mu.Lock()
				suppressed += count
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	t.Logf("%d tables, %d protected suppressed cells checked", tables, suppressed)
}

// checkProtected attacks p from scratch and returns how many protected
// cells it checked, or what it could learn. The unknowns are the
// suppressed interior cells (each at least its prior); a published
// interior cell is a known number, and every published margin an equation.
func checkProtected(p *Table) (int, string) {
	var prob problem
	vars := make([]int, len(p.cells))
	for i, c := range p.cells {
		vars[i] = -1
		if c.Status == Suppressed && p.interior(i) {
			vars[i] = prob.addVar(p.lowerBound(i))
		}
	}
	sumOf := func(i int) ([]term, float64) {
		var terms []term
		known := 0
		for _, j := range p.inside[i] {
			if v := vars[j]; v >= 0 {
				terms = append(terms, term{v: v, a: 1})
			} else {
				known += p.cells[j].Count
			}
		}
		return terms, float64(known)
	}
	var system [][]term
	for i, c := range p.cells {
		if p.interior(i) || (c.Status != Value && c.Status != KnownZero) {
			continue
		}
		terms, known := sumOf(i)
		if len(terms) > 0 {
			prob.rows = append(prob.rows, constraint{terms: terms, rhs: float64(c.Count) - known})
			system = append(system, terms)
		}
	}
	for i, c := range p.cells {
		if c.Status == Suppressed && !p.interior(i) {
			if terms, known := sumOf(i); known < p.lowerBound(i) {
				prob.rows = append(prob.rows, constraint{terms: terms, rhs: p.lowerBound(i) - known, ge: true})
			}
		}
	}
	lp, err := prob.solve()
	if err != nil {
		return 0, "the attacker's programme is infeasible: " + err.Error()
	}
	rank := newRowSpace(len(prob.lower), system)
	checked := 0
	for i, c := range p.cells {
		if !p.protects(i) {
			continue
		}
		checked++
		terms, known := sumOf(i)
		if len(terms) == 0 || rank.contains(terms) {
			return checked, fmt.Sprintf("cell %v (count %d) follows from the published equations", p.Key(i), c.Count)
		}
		iv := lp.interval(terms, known, false)
		if !iv.Unbounded && (iv.Lower > c.Count || iv.Upper < c.Count) {
			return checked, fmt.Sprintf("cell %v: interval %+v misses the count %d", p.Key(i), iv, c.Count)
		}
		if iv.Width() < p.rules.threshold() {
			return checked, fmt.Sprintf("cell %v (count %d) narrowed to %+v", p.Key(i), c.Count, iv)
		}
	}
	return checked, ""
}

// rowSpace decides by elimination modulo a large prime whether a vector is a
// combination of the published equations, i.e. whether the linear system
// alone gives its value. Over 0/1 rows of this size a false answer would
// need the prime to divide a minor, which it cannot: the minors are far
// smaller.
type rowSpace struct {
	basis [][]uint64 // per column: the reduced row pivoting on it, or nil
	n     int
}

const prime = 2305843009213693951 // 2^61 − 1

func mulmod(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	// hi·2^64 + lo ≡ hi·8 + lo>>61 + lo&p, since 2^61 ≡ 1 (mod p); the sum
	// is below 2^62, and folding it once more leaves at most p.
	s := (hi<<3 | lo>>61) + lo&prime
	s = s&prime + s>>61
	if s >= prime {
		s -= prime
	}
	return s
}

func powmod(a, e uint64) uint64 {
	r := uint64(1)
	for e > 0 {
		if e&1 == 1 {
			r = mulmod(r, a)
		}
		a = mulmod(a, a)
		e >>= 1
	}
	return r
}

func newRowSpace(n int, rows [][]term) *rowSpace {
	s := &rowSpace{basis: make([][]uint64, n), n: n}
	for _, r := range rows {
		s.insert(s.vector(r))
	}
	return s
}

func (s *rowSpace) vector(terms []term) []uint64 {
	v := make([]uint64, s.n)
	for _, tm := range terms {
		v[tm.v] = (v[tm.v] + 1) % prime
	}
	return v
}

// reduce subtracts from v its part in the basis; the basis is kept
// reduced (each row zero in the other rows' pivot columns), so v is in the
// span exactly when nothing is left.
func (s *rowSpace) reduce(v []uint64) {
	for col, b := range s.basis {
		f := v[col]
		if b == nil || f == 0 {
			continue
		}
		for j := range v {
			v[j] = (v[j] + prime - mulmod(f, b[j])) % prime
		}
	}
}

func (s *rowSpace) insert(v []uint64) {
	s.reduce(v)
	col := firstNonZero(v)
	if col < 0 {
		return
	}
	inv := powmod(v[col], prime-2)
	for j := range v {
		v[j] = mulmod(v[j], inv)
	}
	for _, b := range s.basis {
		if b == nil || b[col] == 0 {
			continue
		}
		f := b[col]
		for j := range b {
			b[j] = (b[j] + prime - mulmod(f, v[j])) % prime
		}
	}
	s.basis[col] = v
}

func firstNonZero(v []uint64) int {
	for j, x := range v {
		if x != 0 {
			return j
		}
	}
	return -1
}

func (s *rowSpace) contains(terms []term) bool {
	v := s.vector(terms)
	s.reduce(v)
	return firstNonZero(v) < 0
}
