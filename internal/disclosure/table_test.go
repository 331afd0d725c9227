package disclosure

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/apperr/apperrtest"
	"waymark.city/waymark/internal/i18n"
)

func dim(code string, cats ...string) Dimension {
	d := Dimension{Code: code}
	for _, c := range cats {
		d.Categories = append(d.Categories, Category{Code: c})
	}
	return d
}

func mustTable(t *testing.T, in Input) *Table {
	t.Helper()
	tab, err := New(in)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return tab
}

func mustProtect(t *testing.T, tab *Table, r Rules) *Table {
	t.Helper()
	p, err := Protect(tab, r)
	if err != nil {
		t.Fatalf("Protect: %v", err)
	}
	exposed, err := p.Exposures()
	if err != nil || len(exposed) > 0 {
		t.Fatalf("Exposures = %v, %v", exposed, err)
	}
	return p
}

func cell(t *testing.T, tab *Table, key ...int) Cell {
	t.Helper()
	c, ok := tab.Cell(key...)
	if !ok {
		t.Fatalf("no cell %v", key)
	}
	return c
}

// statuses renders a 2-dimensional table's statuses row by row, margins
// last: v value, 0 known zero, ? unknown, s suppressed.
func statuses(tab *Table) string {
	out := ""
	rows, cols := len(tab.dims[0].Categories), len(tab.dims[1].Categories)
	for r := 0; r <= rows; r++ {
		if r > 0 {
			out += "/"
		}
		for c := 0; c <= cols; c++ {
			key := []int{r, c}
			if r == rows {
				key[0] = Total
			}
			if c == cols {
				key[1] = Total
			}
			cl, _ := tab.Cell(key...)
			out += string("v0?s"[cl.Status])
		}
	}
	return out
}

func TestNewMargins(t *testing.T) {
	tab := mustTable(t, Input{
		Dimensions: []Dimension{dim("sex", "f", "m"), dim("form", "sexual", "labour", "other")},
		Counts:     []int{4, 0, 7, 12, 0, 3},
	})
	for _, tc := range []struct {
		key    []int
		count  int
		status Status
	}{
		{[]int{0, 0}, 4, Value},
		{[]int{0, 1}, 0, KnownZero},
		{[]int{0, Total}, 11, Value},
		{[]int{1, Total}, 15, Value},
		{[]int{Total, 1}, 0, KnownZero},
		{[]int{Total, 2}, 10, Value},
		{[]int{Total, Total}, 26, Value},
	} {
		c := cell(t, tab, tc.key...)
		if c.Count != tc.count || c.Status != tc.status || c.Shown() != tc.count {
			t.Errorf("cell %v = %+v, want count %d status %d", tc.key, c, tc.count, tc.status)
		}
	}
	if tab.Len() != 12 {
		t.Errorf("Len = %d, want 3×4", tab.Len())
	}
	if _, ok := tab.Cell(2, 0); ok {
		t.Error("a key outside the table was found")
	}
}

func TestUnknownSpreadsToMargins(t *testing.T) {
	tab := mustTable(t, Input{
		Dimensions: []Dimension{dim("a", "x", "y"), dim("b", "p", "q")},
		Counts:     []int{0, 20, 15, 30},
		Unknown:    []bool{true, false, false, false},
	})
	if got := statuses(tab); got != "?v?/vvv/?v?" {
		t.Errorf("statuses = %s", got)
	}
	if c := cell(t, tab, Total, 1); c.Count != 50 {
		t.Errorf("known column total = %d", c.Count)
	}
}

func TestNewRefusesBadInput(t *testing.T) {
	five := []Dimension{dim("a", "x"), dim("b", "x"), dim("c", "x"), dim("d", "x"), dim("e", "x")}
	big := []Dimension{dim("a"), dim("b"), dim("c", "x", "y")}
	for i := range 65 {
		big[0].Categories = append(big[0].Categories, Category{Code: fmt.Sprint(i)})
		big[1].Categories = append(big[1].Categories, Category{Code: fmt.Sprint(i)})
	}
	big[0].Categories = big[0].Categories[:64]
	big[1].Categories = big[1].Categories[:64]
	for name, tc := range map[string]struct {
		in    Input
		field string
	}{
		"no dimensions":       {Input{}, "dimensions"},
		"five dimensions":     {Input{Dimensions: five, Counts: []int{1}}, "dimensions"},
		"negative count":      {Input{Dimensions: []Dimension{dim("a", "x", "y")}, Counts: []int{3, -1}}, "counts"},
		"too few counts":      {Input{Dimensions: []Dimension{dim("a", "x", "y")}, Counts: []int{3}}, "counts"},
		"unknown mismatch":    {Input{Dimensions: []Dimension{dim("a", "x", "y")}, Counts: []int{3, 4}, Unknown: []bool{true}}, "counts"},
		"empty dimension":     {Input{Dimensions: []Dimension{dim("a")}, Counts: nil}, "dimensions"},
		"same dimension code": {Input{Dimensions: []Dimension{dim("a", "x"), dim("a", "y")}, Counts: []int{1}}, "dimensions"},
		"same category code":  {Input{Dimensions: []Dimension{dim("a", "x", "x")}, Counts: []int{1, 2}}, "dimensions"},
		"overlapping parts": {Input{Dimensions: []Dimension{{Code: "month", Categories: []Category{
			{Code: "q1", Parts: []string{"01", "02", "03"}}, {Code: "ytd", Parts: []string{"01", "02", "03", "04"}}}}}, Counts: []int{1, 2}}, "dimensions"},
		"too large": {Input{Dimensions: big, Counts: make([]int, 64*64*2)}, "dimensions"},
	} {
		_, err := New(tc.in)
		apperrtest.Want(t, name, err, apperr.Invalid, tc.field)
	}
}

func TestProtectRefusesBadRules(t *testing.T) {
	tab := mustTable(t, Input{Dimensions: []Dimension{dim("a", "x", "y")}, Counts: []int{3, 40}})
	for name, tc := range map[string]struct {
		rules Rules
		field string
	}{
		"negative threshold": {Rules{Threshold: -1}, "threshold"},
		"huge threshold":     {Rules{Threshold: MaxThreshold + 1}, "threshold"},
		"rounding to 3":      {Rules{Rounding: 3}, "rounding"},
		"unknown category":   {Rules{Categories: []CategoryRef{{Dimension: "a", Category: "z"}}}, "categories"},
		"unknown dimension":  {Rules{Categories: []CategoryRef{{Dimension: "b", Category: "x"}}}, "categories"},
	} {
		_, err := Protect(tab, tc.rules)
		apperrtest.Want(t, name, err, apperr.Invalid, tc.field)
	}
	if c := cell(t, tab, 0); c.Status != Value {
		t.Errorf("a refused Protect changed the table: %+v", c)
	}
}

// The hand-worked examples of docs/issue14-progress/disclosure.md.
func TestProtectHandWorked(t *testing.T) {
	ab := []Dimension{dim("a", "x", "y"), dim("b", "p", "q")}
	t.Run("one small cell takes its cheapest 2x2 square", func(t *testing.T) {
		// 3 20 | 23     the square of the four interior cells costs 65,
		// 15 30 | 45    every square through a margin more; the attacker
		// 18 50 | 68    then knows x ∈ [1, 17]: x+20' = 23, x+15' = 18.
		p := mustProtect(t, mustTable(t, Input{Dimensions: ab, Counts: []int{3, 20, 15, 30}}), Rules{})
		if got := statuses(p); got != "ssv/ssv/vvv" {
			t.Errorf("statuses = %s", got)
		}
		ivs, _ := p.Intervals()
		if iv := ivs[0]; iv != (Interval{Lower: 1, Upper: 17}) {
			t.Errorf("interval of the small cell = %+v, want [1,17]", iv)
		}
		if c := cell(t, p, 0, 1); c.Reason != Complementary || c.Shown() != 0 {
			t.Errorf("complement = %+v", c)
		}
		if c := cell(t, p, 0, 0); c.Reason != Primary {
			t.Errorf("primary = %+v", c)
		}
	})
	t.Run("one dimension pairs the small cell with its cheapest neighbour", func(t *testing.T) {
		p := mustProtect(t, mustTable(t, Input{Dimensions: []Dimension{dim("a", "x", "y", "z")}, Counts: []int{2, 30, 40}}), Rules{})
		want := []Status{Suppressed, Suppressed, Value, Value}
		for i, w := range want {
			if p.At(i).Status != w {
				t.Errorf("cell %d status %d, want %d", i, p.At(i).Status, w)
			}
		}
		ivs, _ := p.Intervals()
		if iv := ivs[0]; iv != (Interval{Lower: 1, Upper: 31}) {
			t.Errorf("interval = %+v, want [1,31]", iv)
		}
	})
	t.Run("all small: everything suppressed", func(t *testing.T) {
		p := mustProtect(t, mustTable(t, Input{Dimensions: ab, Counts: []int{1, 2, 3, 4}}), Rules{})
		if got := statuses(p); got != "sss/sss/sss" {
			t.Errorf("statuses = %s", got)
		}
	})
	t.Run("a published zero is never a complement", func(t *testing.T) {
		// 0  5 |  5     the small row total goes too; squares through the
		// 20 30 | 50    zero are barred, so the cheapest protection runs
		// 20 35 | 55    through the second row and its total.
		p := mustProtect(t, mustTable(t, Input{Dimensions: ab, Counts: []int{0, 5, 20, 30}}), Rules{})
		if got := statuses(p); got != "0ss/vss/vvv" {
			t.Errorf("statuses = %s", got)
		}
	})
	t.Run("zeros sensitive", func(t *testing.T) {
		p := mustProtect(t, mustTable(t, Input{Dimensions: ab, Counts: []int{0, 25, 20, 30}}), Rules{ZeroSensitive: true})
		if c := cell(t, p, 0, 0); c.Status != Suppressed || c.Reason != Primary {
			t.Errorf("zero = %+v", c)
		}
	})
	t.Run("threshold 3", func(t *testing.T) {
		p := mustProtect(t, mustTable(t, Input{Dimensions: ab, Counts: []int{5, 20, 15, 30}}), Rules{Threshold: 3})
		if got := statuses(p); got != "vvv/vvv/vvv" {
			t.Errorf("statuses = %s", got)
		}
	})
	t.Run("a small margin is suppressed too", func(t *testing.T) {
		// 2 50 | 52    the first column's total, 5, is itself a small
		// 3 40 | 43    count and suppressed by the primary rule.
		// 5 90 | 95
		p := mustProtect(t, mustTable(t, Input{Dimensions: ab, Counts: []int{2, 50, 3, 40}}), Rules{})
		if c := cell(t, p, Total, 0); c.Status != Suppressed || c.Reason != Primary {
			t.Errorf("column total 5 = %+v, want primary", c)
		}
	})
}

func TestCategorySuppressedAsAWhole(t *testing.T) {
	tab := mustTable(t, Input{
		Dimensions: []Dimension{dim("sex", "f", "m", "x"), dim("form", "sexual", "labour")},
		Counts:     []int{40, 25, 30, 35, 12, 0},
	})
	p := mustProtect(t, tab, Rules{Categories: []CategoryRef{{Dimension: "sex", Category: "x"}}})
	for _, key := range [][]int{{2, 0}, {2, 1}, {2, Total}} {
		if c := cell(t, p, key...); c.Status != Suppressed || c.Reason != WholeCategory {
			t.Errorf("cell %v = %+v, want suppressed with its category", key, c)
		}
	}
	ivs, _ := p.Intervals()
	for i, iv := range ivs {
		if p.protects(i) && iv.Width() < DefaultThreshold {
			t.Errorf("cell %v narrowed to %+v", p.Key(i), iv)
		}
	}
	if c := cell(t, p, Total, Total); c.Status != Value {
		t.Errorf("grand total = %+v, want shown", c)
	}
}

func TestRounding(t *testing.T) {
	ab := []Dimension{dim("a", "x", "y"), dim("b", "p", "q")}
	t.Run("margins of published cells are recomputed", func(t *testing.T) {
		p := mustProtect(t, mustTable(t, Input{Dimensions: ab, Counts: []int{12, 23, 37, 41}}), Rules{Rounding: 5})
		for _, tc := range []struct {
			key        []int
			shown      int
			recomputed bool
		}{
			{[]int{0, 0}, 10, false}, {[]int{0, 1}, 25, false}, {[]int{1, 0}, 35, false}, {[]int{1, 1}, 40, false},
			{[]int{0, Total}, 35, true}, {[]int{Total, 0}, 45, true}, {[]int{Total, Total}, 110, true},
		} {
			c := cell(t, p, tc.key...)
			if c.Shown() != tc.shown || c.Recomputed != tc.recomputed || c.Rounded == tc.recomputed {
				t.Errorf("cell %v = %+v, want %d recomputed %v", tc.key, c, tc.shown, tc.recomputed)
			}
			if c.Count == tc.shown && tc.key[0] == 0 && tc.key[1] == 0 {
				t.Errorf("cell %v not rounded", tc.key)
			}
		}
	})
	t.Run("margins over suppressed cells are rounded themselves", func(t *testing.T) {
		p := mustProtect(t, mustTable(t, Input{Dimensions: ab, Counts: []int{3, 20, 15, 30}}), Rules{Rounding: 10})
		for _, tc := range []struct {
			key   []int
			shown int
		}{{[]int{0, Total}, 20}, {[]int{1, Total}, 50}, {[]int{Total, 0}, 20}, {[]int{Total, Total}, 70}} {
			c := cell(t, p, tc.key...)
			if c.Shown() != tc.shown || !c.Rounded || c.Recomputed {
				t.Errorf("cell %v = %+v, want rounded %d", tc.key, c, tc.shown)
			}
		}
	})
}

// The attacker's programme against cases worked by hand, including ones
// where non-negativity rather than the equations narrows a cell.
func TestSimplexIntervals(t *testing.T) {
	for name, tc := range []struct {
		lower []float64
		rows  []constraint
		obj   []term
		want  Interval
	}{
		{[]float64{0, 0}, []constraint{{terms: []term{{0, 1}, {1, 1}}, rhs: 5}}, []term{{0, 1}}, Interval{0, 5, false}},
		{[]float64{1, 1}, []constraint{{terms: []term{{0, 1}, {1, 1}}, rhs: 5}}, []term{{0, 1}}, Interval{1, 4, false}},
		{[]float64{0, 0}, []constraint{{terms: []term{{0, 1}, {1, 1}}, rhs: 5}, {terms: []term{{0, 1}, {1, -1}}, rhs: 1}}, []term{{0, 1}}, Interval{3, 3, false}},
		{[]float64{0, 0}, []constraint{{terms: []term{{0, 1}, {1, -1}}, rhs: 2}}, []term{{0, 1}}, Interval{2, 0, true}},
		{[]float64{0, 0}, []constraint{{terms: []term{{0, 1}, {1, 1}}, rhs: 4, ge: true}, {terms: []term{{1, -1}}, rhs: -1, ge: true}}, []term{{0, 1}}, Interval{3, 0, true}},
		// x+y = 3, x+y = 3 again (redundant), y+z = 0: z and y pinned to 0.
		{[]float64{0, 0, 0}, []constraint{{terms: []term{{0, 1}, {1, 1}}, rhs: 3}, {terms: []term{{0, 1}, {1, 1}}, rhs: 3}, {terms: []term{{1, 1}, {2, 1}}, rhs: 0}}, []term{{0, 1}}, Interval{3, 3, false}},
	} {
		p := problem{lower: tc.lower, rows: tc.rows}
		s, err := p.solve()
		if err != nil {
			t.Fatalf("case %d: %v", name, err)
		}
		if got := s.interval(tc.obj, 0, true); got != tc.want {
			t.Errorf("case %d: interval = %+v, want %+v", name, got, tc.want)
		}
	}
	infeasible := problem{lower: []float64{1, 1}, rows: []constraint{{terms: []term{{0, 1}, {1, 1}}, rhs: 1}}}
	if _, err := infeasible.solve(); err == nil {
		t.Error("x,y ≥ 1 with x+y = 1 was solved")
	}
}

// TestMessageKeysTranslated finds every statistics.* key the package uses
// and checks that English and German have it.
func TestMessageKeysTranslated(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	keyRE := regexp.MustCompile(`"(statistics\.[a-z_.]+)"`)
	var keys []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllSubmatch(data, -1) {
			keys = append(keys, string(m[1]))
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if len(keys) < 10 {
		t.Fatalf("found only %v", keys)
	}
	for _, lang := range []string{"en", "de"} {
		p := cat.For(lang)
		for _, k := range keys {
			if !p.Has(k) {
				t.Errorf("%s: %s missing", lang, k)
			}
		}
	}
}
