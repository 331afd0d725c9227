package disclosure

import (
	"encoding/json"
	"testing"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/apperr/apperrtest"
)

func period(code string, parts ...string) Category { return Category{Code: code, Parts: parts} }

// monthly is the first release: victims by sex for January to March.
//
//	   jan feb mar | all
//	f    3  20  25 |  48
//	m   30  22  40 |  92
//
// Protect suppresses the square of January and February (3, 20, 30, 22).
func monthly(t *testing.T) Release {
	t.Helper()
	tab := mustTable(t, Input{
		Dimensions: []Dimension{dim("sex", "f", "m"), {Code: "month", Categories: []Category{period("jan", "01"), period("feb", "02"), period("mar", "03")}}},
		Counts:     []int{3, 20, 25, 30, 22, 40},
	})
	p := mustProtect(t, tab, Rules{})
	if got := statuses(p); got != "ssvv/ssvv/vvvv" {
		t.Fatalf("monthly statuses = %s", got)
	}
	return p.Release("2026-q1-monthly")
}

func byPeriod(t *testing.T, id string, rules Rules, cat Category, f, m int) Release {
	t.Helper()
	tab := mustTable(t, Input{Dimensions: []Dimension{dim("sex", "f", "m"), {Code: "month", Categories: []Category{cat}}}, Counts: []int{f, m}})
	return mustProtect(t, tab, rules).Release(id)
}

func TestLedgerDifferencing(t *testing.T) {
	ledger := Ledger{Releases: []Release{monthly(t)}}
	t.Run("February to March reveals January", func(t *testing.T) {
		// f(feb)+f(mar) = 45 and f(all) = 48 give f(jan) = 3.
		next := byPeriod(t, "feb-mar", Rules{}, period("feb-mar", "02", "03"), 45, 62)
		found, err := ledger.Check(next)
		apperrtest.Want(t, "Check", err, apperr.Conflict, "")
		if apperr.As(err).Key != "statistics.error.release_differencing" {
			t.Errorf("key = %s", apperr.As(err).Key)
		}
		hit := false
		for _, f := range found {
			if f.Release == "2026-q1-monthly" && f.Key[0] == 0 && f.Key[1] == 0 {
				hit = true
				if f.Interval != (Interval{Lower: 3, Upper: 3}) {
					t.Errorf("f(jan) = %+v, want exactly 3", f.Interval)
				}
			}
		}
		if !hit {
			t.Errorf("findings %+v miss f(jan)", found)
		}
	})
	t.Run("rounding the second release does not save January", func(t *testing.T) {
		// feb-mar shown as 50 and 60 (f ∈ [45, 54]): f(jan) ∈ [1, 3].
		next := byPeriod(t, "feb-mar-rounded", Rules{Rounding: 10}, period("feb-mar", "02", "03"), 45, 62)
		found, err := ledger.Check(next)
		apperrtest.Want(t, "Check", err, apperr.Conflict, "")
		if len(found) == 0 {
			t.Fatal("no findings")
		}
	})
	t.Run("the quarter adds nothing", func(t *testing.T) {
		found, err := ledger.Check(byPeriod(t, "q1", Rules{}, period("q1", "01", "02", "03"), 48, 92))
		if err != nil || len(found) > 0 {
			t.Errorf("Check = %+v, %v", found, err)
		}
	})
	t.Run("a release without months covers the rest of the year too", func(t *testing.T) {
		tab := mustTable(t, Input{Dimensions: []Dimension{dim("sex", "f", "m")}, Counts: []int{51, 95}})
		found, err := ledger.Check(mustProtect(t, tab, Rules{}).Release("all-time"))
		if err != nil || len(found) > 0 {
			t.Errorf("Check = %+v, %v", found, err)
		}
	})
	t.Run("year to date through February, then through March", func(t *testing.T) {
		ytd := Ledger{Releases: append(ledger.Releases, byPeriod(t, "ytd-mar", Rules{}, period("ytd", "01", "02", "03"), 48, 92))}
		found, err := ytd.Check(byPeriod(t, "ytd-feb", Rules{}, period("ytd", "01", "02"), 23, 52))
		if err != nil || len(found) > 0 {
			t.Errorf("ytd through February repeats the monthly margins: %+v, %v", found, err)
		}
	})
	t.Run("a contradicting release cannot be checked", func(t *testing.T) {
		_, err := ledger.Check(byPeriod(t, "q1-other", Rules{}, period("q1", "01", "02", "03"), 60, 92))
		apperrtest.Want(t, "Check", err, apperr.Conflict, "")
		if apperr.As(err).Key != "statistics.error.release_inconsistent" {
			t.Errorf("key = %s", apperr.As(err).Key)
		}
	})
	t.Run("a malformed release is refused", func(t *testing.T) {
		bad := monthly(t)
		bad.Cells[0].Key = []int{7, 0}
		_, err := Ledger{}.Check(bad)
		apperrtest.Want(t, "Check", err, apperr.Invalid, "release")
		_, err = Ledger{Releases: []Release{{ID: "x", Threshold: 10}}}.Check(monthly(t))
		apperrtest.Want(t, "Check", err, apperr.Invalid, "dimensions")
	})
	t.Run("a release survives storage as JSON", func(t *testing.T) {
		data, err := json.Marshal(ledger)
		if err != nil {
			t.Fatal(err)
		}
		var back Ledger
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if _, err := back.Check(byPeriod(t, "feb-mar", Rules{}, period("feb-mar", "02", "03"), 45, 62)); err == nil {
			t.Error("the stored ledger lost the monthly release")
		}
	})
}

// Overlapping areas: north = {n1, n2} and south = {s1} first, then areas
// that straddle both.
//
//	   n1 n2 s1
//	f   1  3 30
//	m  20  5 40
func TestLedgerOverlappingAreas(t *testing.T) {
	areas := Dimension{Code: "area", Categories: []Category{period("north", "n1", "n2"), period("south", "s1")}}
	first := mustProtect(t, mustTable(t, Input{Dimensions: []Dimension{dim("sex", "f", "m"), areas}, Counts: []int{4, 30, 25, 40}}), Rules{})
	if got := statuses(first); got != "ssv/ssv/vvv" {
		t.Fatalf("first statuses = %s", got)
	}
	ledger := Ledger{Releases: []Release{first.Release("by-area")}}
	t.Run("centre and west together keep north protected", func(t *testing.T) {
		areas := Dimension{Code: "area", Categories: []Category{period("centre", "n2", "s1"), period("west", "n1")}}
		second := mustProtect(t, mustTable(t, Input{Dimensions: []Dimension{dim("sex", "f", "m"), areas}, Counts: []int{33, 1, 45, 20}}), Rules{})
		if found, err := ledger.Check(second.Release("centre-west")); err != nil || len(found) > 0 {
			t.Errorf("Check = %+v, %v", found, err)
		}
	})
	t.Run("the centre alone narrows north", func(t *testing.T) {
		// f: n1+n2+s1 = 34 and n2+s1 = 33 give f(n1) = 1; m likewise
		// m(n1) = 20; north's total 29 leaves f(n2)+m(n2) = 8, so
		// f(north) = 1 + f(n2) ∈ [1, 9]: narrower than 10.
		areas := Dimension{Code: "area", Categories: []Category{period("centre", "n2", "s1")}}
		second := mustProtect(t, mustTable(t, Input{Dimensions: []Dimension{dim("sex", "f", "m"), areas}, Counts: []int{33, 45}}), Rules{})
		found, err := ledger.Check(second.Release("centre"))
		apperrtest.Want(t, "Check", err, apperr.Conflict, "")
		for _, f := range found {
			if f.Release == "by-area" && f.Key[0] == 0 && f.Key[1] == 0 {
				if f.Interval != (Interval{Lower: 1, Upper: 9}) {
					t.Errorf("f(north) = %+v, want [1, 9]", f.Interval)
				}
				return
			}
		}
		t.Errorf("findings %+v miss f(north)", found)
	})
}
