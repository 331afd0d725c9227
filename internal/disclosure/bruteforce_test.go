package disclosure

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestSimplexAgainstEnumeration checks the simplex itself against an
// attacker who tries every table of whole numbers consistent with what was
// published. On two-dimensional tables the linear programme's bounds are
// exact (the margin equations are totally unimodular); on three
// dimensions they may only be wider than the whole-number ones.
func TestSimplexAgainstEnumeration(t *testing.T) {
	shapes := [][]int{{2, 2}, {2, 3}, {3, 3}, {2, 2, 2}}
	compared := 0
	for n := range 240 {
		r := rand.New(rand.NewPCG(7, uint64(n)))
		shape := shapes[n%len(shapes)]
		in := Input{}
		cells := 1
		for d, size := range shape {
			dm := Dimension{Code: fmt.Sprint("d", d)}
			for c := range size {
				dm.Categories = append(dm.Categories, Category{Code: fmt.Sprint(c)})
			}
			in.Dimensions = append(in.Dimensions, dm)
			cells *= size
		}
		for range cells {
			in.Counts = append(in.Counts, r.IntN(6))
		}
		p, err := Protect(mustTable(t, in), Rules{Threshold: 2})
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := p.Cell(totalKey(len(shape))...); c.Status != Value {
			continue // without the grand total the enumeration is unbounded
		}
		ivs, err := p.Intervals()
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := enumerate(p)
		compared += len(ivs)
		for i, iv := range ivs {
			exact := len(shape) == 2
			if iv.Unbounded || iv.Lower > lo[i] || iv.Upper < hi[i] || (exact && (iv.Lower != lo[i] || iv.Upper != hi[i])) {
				t.Fatalf("table %d %v: cell %v: simplex %+v, enumeration [%d, %d]", n, in.Counts, p.Key(i), iv, lo[i], hi[i])
			}
		}
	}
	if compared < 200 {
		t.Errorf("only %d suppressed cells compared", compared)
	}
	t.Logf("%d suppressed cells compared", compared)
}

func totalKey(k int) []int {
	key := make([]int, k)
	for d := range key {
		key[d] = Total
	}
	return key
}

// enumerate returns, per suppressed cell, the least and greatest count over
// every whole-number table that shows what p shows and respects the priors.
func enumerate(p *Table) (lo, hi map[int]int) {
	var vars []int
	value := make([]int, len(p.cells))
	members := make([][]int, len(p.cells))
	var margins []int
	for i, c := range p.cells {
		if !p.interior(i) {
			margins = append(margins, i)
			members[i] = p.inside[i]
			continue
		}
		members[i] = []int{i}
		if c.Status == Suppressed {
			vars = append(vars, i)
		} else {
			value[i] = c.Count
		}
	}
	lo, hi = map[int]int{}, map[int]int{}
	grand, _ := p.Cell(totalKey(len(p.ext))...)
	sumOf := func(i int) int {
		s := 0
		for _, j := range members[i] {
			s += value[j]
		}
		return s
	}
	consistent := func(partial bool) bool {
		for _, i := range margins {
			c := p.cells[i]
			s := sumOf(i)
			switch {
			case c.Status == Suppressed:
				if !partial && s < int(p.lowerBound(i)) {
					return false
				}
			case partial && s > c.Count, !partial && s != c.Count:
				return false
			}
		}
		return true
	}
	// A cell is at most the smallest published margin over it.
	upper := make([]int, len(vars))
	for k, v := range vars {
		upper[k] = grand.Count
		p.eachCover(p.key(v), func(j int) {
			if c := p.cells[j]; c.Status != Suppressed {
				upper[k] = min(upper[k], c.Count)
			}
		})
	}
	var walk func(k int)
	walk = func(k int) {
		if !consistent(k < len(vars)) {
			return
		}
		if k == len(vars) {
			for i, c := range p.cells {
				if c.Status != Suppressed {
					continue
				}
				s := sumOf(i)
				if v, ok := lo[i]; !ok || s < v {
					lo[i] = s
				}
				if v, ok := hi[i]; !ok || s > v {
					hi[i] = s
				}
			}
			return
		}
		for v := int(p.lowerBound(vars[k])); v <= upper[k]; v++ {
			value[vars[k]] = v
			walk(k + 1)
		}
		value[vars[k]] = 0
	}
	walk(0)
	return lo, hi
}
