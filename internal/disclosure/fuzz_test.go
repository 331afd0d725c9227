package disclosure

import (
	"fmt"
	"testing"

	"waymark.city/waymark/internal/apperr"
)

// FuzzTable reads a table and its rules from bytes: dimensions, categories
// per dimension, counts (signed, so negative ones occur), threshold,
// rounding and flags. Whatever comes in, New and Protect either refuse it
// with a validation error that names a field and a statistics key, or
// return a table that adds up and that the attacker cannot narrow.
func FuzzTable(f *testing.F) {
	f.Add([]byte{2, 2, 2, 3, 20, 15, 30, 10, 0, 0})
	f.Add([]byte{3, 2, 3, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 5, 5, 1})
	f.Add([]byte{5, 1, 1, 1, 1, 1, 1})
	f.Add([]byte{1, 3, 0xff, 4, 5, 0, 0, 0})
	f.Add([]byte{4, 2, 2, 2, 2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 3, 10, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return int(b)
		}
		in := Input{}
		k := next() % 6
		cells := 1
		for d := range k {
			n := next() % 5
			dm := Dimension{Code: fmt.Sprint("d", d)}
			for c := range n {
				dm.Categories = append(dm.Categories, Category{Code: fmt.Sprint(c)})
			}
			in.Dimensions = append(in.Dimensions, dm)
			cells *= n
		}
		for range min(cells, len(data)) {
			in.Counts = append(in.Counts, int(int8(next())))
		}
		rules := Rules{Threshold: next()%20 - 1, Rounding: []int{0, 5, 10, 3}[next()%4]}
		flags := next()
		rules.ZeroSensitive = flags&1 != 0
		if flags&2 != 0 && k > 0 && len(in.Dimensions[0].Categories) > 0 {
			rules.Categories = []CategoryRef{{Dimension: "d0", Category: "0"}}
		}
		tab, err := New(in)
		if err != nil {
			wantValidation(t, err)
			return
		}
		p, err := Protect(tab, rules)
		if err != nil {
			wantValidation(t, err)
			return
		}
		exposed, err := p.Exposures()
		if err != nil || len(exposed) > 0 {
			t.Fatalf("exposed %+v, %v", exposed, err)
		}
		for i, c := range p.cells {
			if (c.Status == Suppressed || c.Status == Unknown) && c.Shown() != 0 {
				t.Fatalf("cell %v shows %d", p.Key(i), c.Shown())
			}
			if c.Status == Value && rules.Rounding == 0 && c.Shown() != c.Count {
				t.Fatalf("cell %v shows %d, counts %d", p.Key(i), c.Shown(), c.Count)
			}
			sum := 0
			for _, j := range p.inside[i] {
				sum += p.cells[j].Count
			}
			if sum != c.Count {
				t.Fatalf("cell %v counts %d, its cells %d", p.Key(i), c.Count, sum)
			}
		}
	})
}

func wantValidation(t *testing.T, err error) {
	t.Helper()
	e := apperr.As(err)
	if e.Code != apperr.Invalid || len(e.Fields) == 0 {
		t.Fatalf("err = %v, want a validation error", err)
	}
	for _, f := range e.Fields {
		if f.Field == "" || len(f.Key) < len("statistics.") || f.Key[:len("statistics.")] != "statistics." {
			t.Fatalf("field error %+v", f)
		}
	}
}
