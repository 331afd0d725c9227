package disclosure

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"waymark.city/waymark/internal/apperr"
)

// shaped is a table of the given shape whose counts are 30% zeros, 30%
// small (1..10) and 40% larger.
func shaped(b testing.TB, shape ...int) *Table {
	r := rand.New(rand.NewPCG(1, 2))
	in := Input{}
	cells := 1
	for d, n := range shape {
		dm := Dimension{Code: fmt.Sprint(d)}
		for c := range n {
			dm.Categories = append(dm.Categories, Category{Code: fmt.Sprint(c)})
		}
		in.Dimensions = append(in.Dimensions, dm)
		cells *= n
	}
	for range cells {
		switch p := r.IntN(100); {
		case p < 30:
			in.Counts = append(in.Counts, 0)
		case p < 60:
			in.Counts = append(in.Counts, 1+r.IntN(10))
		default:
			in.Counts = append(in.Counts, 11+r.IntN(60))
		}
	}
	tab, err := New(in)
	if err != nil {
		b.Fatal(err)
	}
	return tab
}

func BenchmarkProtect(b *testing.B) {
	for _, shape := range [][]int{{3, 3}, {20, 12}, {10, 6, 3}, {36, 36}, {6, 6, 6, 6}, {12, 12, 9}} {
		tab := shaped(b, shape...)
		b.Run(fmt.Sprint(shape), func(b *testing.B) {
			for b.Loop() {
				if _, err := Protect(tab, Rules{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLedgerYear checks the year's table by sex and form against the
// twelve monthly ones already released.
func BenchmarkLedgerYear(b *testing.B) {
	sexForm := []Dimension{dim("sex", "f", "m", "x"), dim("form", "sexual", "labour", "other")}
	r := rand.New(rand.NewPCG(3, 4))
	var ledger Ledger
	year := make([]int, 9)
	for m := 1; m <= 12; m++ {
		code := fmt.Sprintf("%02d", m)
		in := Input{Dimensions: append(sexForm, Dimension{Code: "month", Categories: []Category{{Code: code}}})}
		for i := range 9 {
			n := r.IntN(25)
			in.Counts = append(in.Counts, n)
			year[i] += n
		}
		tab, _ := New(in)
		p, err := Protect(tab, Rules{})
		if err != nil {
			b.Fatal(err)
		}
		ledger.Releases = append(ledger.Releases, p.Release(code))
	}
	tab, _ := New(Input{Dimensions: sexForm, Counts: year})
	p, err := Protect(tab, Rules{})
	if err != nil {
		b.Fatal(err)
	}
	next := p.Release("year")
	found, err := ledger.Check(next)
	if err != nil && !apperr.Is(err, apperr.Conflict) {
		b.Fatal(err)
	}
	for b.Loop() {
		ledger.Check(next)
	}
	b.ReportMetric(float64(len(found)), "findings")
}
