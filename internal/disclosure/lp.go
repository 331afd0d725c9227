package disclosure

import (
	"errors"
	"math"
)

// The attacker's linear programme: variables x ≥ lower, rows Σ aᵢxᵢ = b or
// ≥ b, and for each cell of interest the minimum and maximum of a linear
// function. A small dense simplex is enough: the tables are small, the
// coefficients 0 or 1 and the right-hand sides counts, and one feasible
// basis serves every objective, so phase 1 runs once per programme.

// eps decides when a float is zero; the data are integers of modest size.
const eps = 1e-9

var errInfeasible = errors.New("disclosure: the published figures contradict each other")

type term struct {
	v int
	a float64
}

type constraint struct {
	terms []term
	rhs   float64
	ge    bool // Σ ≥ rhs instead of =
}

type problem struct {
	lower []float64
	rows  []constraint
}

func (p *problem) addVar(lower float64) int {
	p.lower = append(p.lower, lower)
	return len(p.lower) - 1
}

// simplex is a tableau in canonical form for a feasible basis.
type simplex struct {
	rows, cols int       // constraint rows; columns without the right-hand side
	art        int       // columns from art on are artificial (until compact drops them)
	t          []float64 // rows × (cols+1), right-hand side last
	basis      []int
	lower      []float64
	cost       []float64 // scratch: reduced costs
	nz         []int     // scratch: the pivot row's non-zero columns
}

func (s *simplex) at(r, c int) float64 { return s.t[r*(s.cols+1)+c] }

// solve finds a feasible basis (phase 1) or returns errInfeasible.
func (p *problem) solve() (*simplex, error) {
	n := len(p.lower)
	slacks := 0
	for _, r := range p.rows {
		if r.ge {
			slacks++
		}
	}
	m := len(p.rows)
	s := &simplex{rows: m, art: n + slacks, cols: n + slacks + m, basis: make([]int, m), lower: p.lower}
	w := s.cols + 1
	s.t = make([]float64, m*w)
	slack := n
	for i, r := range p.rows {
		row := s.t[i*w : (i+1)*w]
		rhs := r.rhs
		for _, tm := range r.terms {
			row[tm.v] += tm.a
			rhs -= tm.a * p.lower[tm.v]
		}
		if r.ge {
			row[slack] = -1
			slack++
		}
		row[s.cols] = rhs
		if rhs < 0 {
			for j := range row {
				row[j] = -row[j]
			}
		}
		row[s.art+i] = 1
		s.basis[i] = s.art + i
	}
	s.cost = make([]float64, s.cols)
	phase1 := make([]float64, s.cols)
	for j := s.art; j < s.cols; j++ {
		phase1[j] = 1
	}
	if v, _ := s.optimise(phase1, s.cols); v > 1e-7 {
		return nil, errInfeasible
	}
	s.dropArtificials()
	s.compact()
	return s, nil
}

// compact removes the artificial columns, which never re-enter, so that
// every later pivot touches only the columns that matter.
func (s *simplex) compact() {
	w, nw := s.cols+1, s.art+1
	t := make([]float64, s.rows*nw)
	for r := 0; r < s.rows; r++ {
		copy(t[r*nw:r*nw+s.art], s.t[r*w:r*w+s.art])
		t[r*nw+s.art] = s.t[r*w+s.cols]
	}
	s.t, s.cols = t, s.art
	s.cost = s.cost[:s.cols]
}

// dropArtificials pivots every artificial variable left in the basis (at
// zero) out, or deletes its row when the row is redundant.
func (s *simplex) dropArtificials() {
	w := s.cols + 1
	for r := 0; r < s.rows; r++ {
		if s.basis[r] < s.art {
			continue
		}
		pivoted := false
		for j := 0; j < s.art; j++ {
			if math.Abs(s.at(r, j)) > eps {
				s.pivot(r, j)
				pivoted = true
				break
			}
		}
		if pivoted {
			continue
		}
		last := s.rows - 1
		copy(s.t[r*w:(r+1)*w], s.t[last*w:(last+1)*w])
		s.basis[r] = s.basis[last]
		s.t = s.t[:last*w]
		s.basis = s.basis[:last]
		s.rows--
		r--
	}
}

func (s *simplex) pivot(pr, pc int) {
	w := s.cols + 1
	prow := s.t[pr*w : (pr+1)*w]
	inv := 1 / prow[pc]
	for j := range prow {
		prow[j] *= inv
	}
	prow[pc] = 1
	// The rows are sparse (cells of a margin), so only the pivot row's
	// non-zero columns are updated.
	s.nz = s.nz[:0]
	for j, v := range prow {
		if v != 0 {
			s.nz = append(s.nz, j)
		}
	}
	for r := 0; r < s.rows; r++ {
		if r == pr {
			continue
		}
		row := s.t[r*w : (r+1)*w]
		f := row[pc]
		if f == 0 {
			continue
		}
		for _, j := range s.nz {
			row[j] -= f * prow[j]
		}
		row[pc] = 0
	}
	f := s.cost[pc]
	if f != 0 {
		for _, j := range s.nz {
			if j < s.cols {
				s.cost[j] -= f * prow[j]
			}
		}
		s.cost[pc] = 0
	}
	s.basis[pr] = pc
}

// optimise minimises c over the columns below limit from the current basis
// and returns the optimum, or -Inf when it is unbounded. It picks the most
// negative reduced cost and falls back to Bland's rule after a run of
// degenerate pivots, which cannot cycle.
func (s *simplex) optimise(c []float64, limit int) (float64, bool) {
	w := s.cols + 1
	copy(s.cost, c)
	for r := 0; r < s.rows; r++ {
		cb := c[s.basis[r]]
		if cb == 0 {
			continue
		}
		row := s.t[r*w : (r+1)*w]
		for j := 0; j < s.cols; j++ {
			s.cost[j] -= cb * row[j]
		}
	}
	degenerate := 0
	for {
		pc := -1
		best := -eps
		for j := 0; j < limit; j++ {
			if s.cost[j] < best {
				pc = j
				if degenerate > 50 {
					break
				}
				best = s.cost[j]
			}
		}
		if pc < 0 {
			break
		}
		pr := -1
		ratio := math.Inf(1)
		for r := 0; r < s.rows; r++ {
			a := s.at(r, pc)
			if a <= eps {
				continue
			}
			q := s.at(r, s.cols) / a
			if q < ratio-eps || (q < ratio+eps && pr >= 0 && s.basis[r] < s.basis[pr]) {
				ratio, pr = q, r
			}
		}
		if pr < 0 {
			return math.Inf(-1), false
		}
		if ratio < eps {
			degenerate++
		} else {
			degenerate = 0
		}
		s.pivot(pr, pc)
	}
	v := 0.0
	for r := 0; r < s.rows; r++ {
		v += c[s.basis[r]] * s.at(r, s.cols)
	}
	return v, true
}

// Interval is what an attacker can learn about a suppressed cell from
// everything published: its count lies in [Lower, Upper]; Unbounded means
// no upper limit.
type Interval struct {
	Lower, Upper int
	Unbounded    bool
}

// Width is Upper − Lower, or MaxInt when unbounded.
func (iv Interval) Width() int {
	if iv.Unbounded {
		return math.MaxInt
	}
	return iv.Upper - iv.Lower
}

// interval minimises and maximises Σ terms + constant over the feasible set
// and rounds the bounds inwards to integers (counts are whole numbers). The
// maximum comes first: when it is unbounded the minimum is not needed for
// the width, so it is left out (Lower is then the constant only) unless
// full asks for it.
func (s *simplex) interval(terms []term, constant float64, full bool) Interval {
	c := make([]float64, s.cols)
	base := constant
	for _, tm := range terms {
		c[tm.v] -= tm.a
		base += tm.a * s.lower[tm.v]
	}
	negMax, bounded := s.optimise(c, s.art)
	iv := Interval{Lower: int(math.Ceil(base - 1e-6)), Unbounded: !bounded}
	if bounded {
		iv.Upper = int(math.Floor(base - negMax + 1e-6))
	} else if !full {
		return iv
	}
	for j := range c {
		c[j] = -c[j]
	}
	lo, _ := s.optimise(c, s.art)
	iv.Lower = int(math.Ceil(base + lo - 1e-6))
	return iv
}
