package statistics_test

import (
	"context"
	"testing"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/storage/storagetest"
)

// presetSeed registers five victims this year: the hand-over's man from
// Romania (labour, adult), whose victim status the police confirm; two
// women from the reporting country and one from Nigeria (sexual, adults);
// and a child of whom nothing else is recorded.
func (w *world) presetSeed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	r := w.handOver(t)
	labour := identification.RouteKey{Purpose: "labour", Population: screening.Adult}
	if err := w.env.App.Identification.SetProtocol(ctx, w.coord.Actor, identification.Protocol{
		Routes: map[identification.RouteKey]string{labour: w.orgB}, Authorities: []string{w.orgC},
		Deciders: map[identification.RouteKey]string{labour: w.orgC}}); err != nil {
		t.Fatal(err, apperr.As(err).Fields)
	}
	if _, err := w.env.App.Identification.ForwardTo(ctx, w.workerB.Actor, r.ID, w.orgC); err != nil {
		t.Fatal(err, apperr.As(err).Fields)
	}
	if _, err := w.env.App.Identification.Decide(ctx, w.polC.Actor, r.ID, identification.NewDecision{Stage: identification.StageVictimStatus,
		Outcome: identification.OutcomeConfirmed, Kind: identification.KindInitial, Grounds: "The account and the findings agree.",
		DecidedOn: time.Now().UTC().Format(identification.DateLayout)}); err != nil {
		t.Fatal(err, apperr.As(err).Fields)
	}
	w.direct(t, 2, "DE")
	w.direct(t, 1, "NG")
	if _, err := w.env.App.Cases.Open(ctx, w.worker.Actor, cases.NewCase{Person: cases.UnknownPerson(true, nil)}); err != nil {
		t.Fatal(err, apperr.As(err).Fields)
	}
}

// presetTable finds a preset's table by code.
func presetTable(t *testing.T, tables []statistics.PresetTable, code string) *disclosure.Table {
	t.Helper()
	for _, pt := range tables {
		if pt.Code == code {
			return pt.Table
		}
	}
	t.Fatalf("no table %s", code)
	return nil
}

// cellAt is the cell of t at the categories named by code, "" for a total.
func cellAt(t *testing.T, tab *disclosure.Table, codes ...string) disclosure.Cell {
	t.Helper()
	key := make([]int, len(codes))
	for d, code := range codes {
		key[d] = disclosure.Total
		if code == "" {
			continue
		}
		key[d] = -2
		for i, c := range tab.Dimensions()[d].Categories {
			if c.Code == code {
				key[d] = i
			}
		}
	}
	c, ok := tab.Cell(key...)
	if !ok {
		t.Fatalf("no cell %v", codes)
	}
	return c
}

// TestPresetCrimTHB counts crim_thb's four tables on the seed by hand: the
// confirmed man is identified, everyone else presumed; a category nobody
// falls in is a known zero, a person whose records do not say falls in
// "unknown"; last year holds nobody; a period ending before it starts and
// an unknown preset are refused.
func TestPresetCrimTHB(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			w := newWorld(t, engine)
			w.presetSeed(t)
			ctx := context.Background()
			year := time.Now().UTC().Year()
			tables, err := w.env.App.Statistics.Preset(ctx, w.coord.Actor, statistics.PresetCrimTHB, statistics.Year(year))
			if err != nil {
				t.Fatal(err, apperr.As(err).Fields)
			}
			if len(tables) != 4 {
				t.Fatalf("%d tables, want 4", len(tables))
			}
			want := []struct {
				table string
				cell  []string
				n     int
			}{
				{"legal_status_sex", []string{"identified", "male"}, 1},
				{"legal_status_sex", []string{"presumed", "female"}, 3},
				{"legal_status_sex", []string{"presumed", "unknown"}, 1},
				{"legal_status_sex", []string{"identified", ""}, 1},
				{"legal_status_sex", []string{"presumed", ""}, 4},
				{"legal_status_sex", []string{"", ""}, 5},
				{"citizenship_sex", []string{"national", "female"}, 2},
				{"citizenship_sex", []string{"eu", "male"}, 1},
				{"citizenship_sex", []string{"non_eu", "female"}, 1},
				{"citizenship_sex", []string{"unknown", "unknown"}, 1},
				{"exploitation_sex", []string{"sexual", "female"}, 3},
				{"exploitation_sex", []string{"labour", "male"}, 1},
				{"exploitation_sex", []string{"unknown", ""}, 1},
				{"sex_age", []string{"female", "adult"}, 3},
				{"sex_age", []string{"male", "adult"}, 1},
				{"sex_age", []string{"unknown", "child"}, 1},
				{"sex_age", []string{"", "adult"}, 4},
			}
			for _, c := range want {
				cell := cellAt(t, presetTable(t, tables, c.table), c.cell...)
				if cell.Status != disclosure.Value || cell.Count != c.n {
					t.Errorf("%s %v: %+v, want %d", c.table, c.cell, cell, c.n)
				}
			}
			for _, c := range [][]string{{"identified", "female"}, {"presumed", "other"}} {
				if cell := cellAt(t, presetTable(t, tables, "legal_status_sex"), c...); cell.Status != disclosure.KnownZero {
					t.Errorf("%v: %+v, want a known zero", c, cell)
				}
			}

			last, err := w.env.App.Statistics.Preset(ctx, w.coord.Actor, statistics.PresetCrimTHB, statistics.Year(year-1))
			if err != nil {
				t.Fatal(err)
			}
			if c := cellAt(t, presetTable(t, last, "sex_age"), "", ""); c.Status != disclosure.KnownZero {
				t.Errorf("last year: %+v", c)
			}

			backwards := statistics.Period{From: time.Date(year, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(year, 2, 28, 0, 0, 0, 0, time.UTC)}
			if _, err := w.env.App.Statistics.Preset(ctx, w.coord.Actor, statistics.PresetCrimTHB, backwards); apperr.As(err).Key != "statistics.error.period_order" {
				t.Errorf("a period ending before it starts: %v", err)
			}
			if _, err := w.env.App.Statistics.Preset(ctx, w.coord.Actor, "nope", statistics.Year(year)); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("an unknown preset: %v", err)
			}
			if _, err := w.env.App.Statistics.Preset(ctx, w.worker.Actor, statistics.PresetCrimTHB, statistics.Year(year)); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("a case worker: %v", err)
			}
		})
	}
}

// TestParsePeriod reads years, quarters and months and refuses the rest.
func TestParsePeriod(t *testing.T) {
	for in, want := range map[string][2]string{
		"2026": {"2026-01-01", "2026-12-31"}, "2026-Q1": {"2026-01-01", "2026-03-31"}, "2024-Q4": {"2024-10-01", "2024-12-31"},
		"2024-02": {"2024-02-01", "2024-02-29"},
	} {
		p, err := statistics.ParsePeriod(in)
		if err != nil || p.From.Format(time.DateOnly) != want[0] || p.To.Format(time.DateOnly) != want[1] || p.String() != in {
			t.Errorf("%s: %v–%v %q %v", in, p.From, p.To, p.String(), err)
		}
	}
	for _, in := range []string{"", "26", "2026-Q5", "2026-13", "2026-1", "2026-W01"} {
		if _, err := statistics.ParsePeriod(in); apperr.As(err).Key != "statistics.error.period" {
			t.Errorf("%q: %v", in, err)
		}
	}
}
