package statistics_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/storage"
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
			// Every table of every preset counts the five victims once: its
			// grand total is 5, unless nothing in it is known (1.8).
			for _, id := range statistics.Presets() {
				all, err := w.env.App.Statistics.Preset(ctx, w.coord.Actor, id, statistics.Year(year))
				if err != nil {
					t.Fatal(err)
				}
				for _, pt := range all {
					total := pt.Table.At(pt.Table.Len() - 1)
					if total.Count != 5 && !(id == statistics.PresetWG2011 && pt.Code == "i1_8" && total.Status == disclosure.Unknown) {
						t.Errorf("%s %s: total %+v, want 5", id, pt.Code, total)
					}
				}
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

			// Reported from Romania (WAYMARK_COUNTRY=RO), the man is a national
			// and the women from Germany citizens of another EU country.
			romania := statistics.New(statistics.Deps{DB: w.env.App.DB, Audit: w.env.App.Audit, Country: "RO"})
			ro, err := romania.Preset(ctx, w.coord.Actor, statistics.PresetCrimTHB, statistics.Year(year))
			if err != nil {
				t.Fatal(err)
			}
			if n, e := cellAt(t, presetTable(t, ro, "citizenship_sex"), "national", "male"), cellAt(t, presetTable(t, ro, "citizenship_sex"), "eu", "female"); n.Count != 1 || e.Count != 2 {
				t.Errorf("reported from RO: national men %+v, EU women %+v", n, e)
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
		"2024-02": {"2024-02-01", "2024-02-29"}, "2026-01-05/2026-02-20": {"2026-01-05", "2026-02-20"},
	} {
		p, err := statistics.ParsePeriod(in)
		if err != nil || p.From.Format(time.DateOnly) != want[0] || p.To.Format(time.DateOnly) != want[1] || p.String() != in {
			t.Errorf("%s: %v–%v %q %v", in, p.From, p.To, p.String(), err)
		}
	}
	for _, in := range []string{"", "26", "2026-Q5", "2026-13", "2026-1", "2026-W01", "2026-01-05/", "2026-01-05/2026-02-30"} {
		if _, err := statistics.ParsePeriod(in); apperr.As(err).Key != "statistics.error.period" {
			t.Errorf("%q: %v", in, err)
		}
	}
}

// cellIndexOf is the index (for Rates and Status) of the cell at codes.
func cellIndexOf(t *testing.T, tab *disclosure.Table, codes ...string) int {
	t.Helper()
	want := make([]int, len(codes))
	for d, code := range codes {
		want[d] = disclosure.Total
		for i, c := range tab.Dimensions()[d].Categories {
			if c.Code == code {
				want[d] = i
			}
		}
	}
	for i := range tab.Len() {
		if slices.Equal(tab.Key(i), want) {
			return i
		}
	}
	t.Fatalf("no cell %v", codes)
	return -1
}

// TestPresetUnknownAndRates: what the records cannot say is unknown, never
// zero — every cell of indicator 1.8 (no country of recruitment is
// recorded), the rates of areas without a population and of victims with
// no area; SDG 16.2.2 divides by the population entered for the year, and
// a population of 0 or below, a year out of range or an area the city
// does not have is refused and stores nothing.
func TestPresetUnknownAndRates(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			w := newWorld(t, engine)
			w.presetSeed(t)
			ctx := context.Background()
			app := w.env.App
			year := time.Now().UTC().Year()
			// The city has two areas; the Nigerian woman's case is worked in
			// the north, everyone else's area is not recorded.
			if _, err := app.Geo.Upload(ctx, w.coord.Actor, strings.NewReader(`{"type":"FeatureCollection","features":[`+
				`{"type":"Feature","properties":{"name":"North","code":"north"},"geometry":{"type":"Polygon","coordinates":[[[0.1,0.2],[0.11,0.2],[0.11,0.21],[0.1,0.2]]]}},`+
				`{"type":"Feature","properties":{"name":"South","code":"south"},"geometry":{"type":"Polygon","coordinates":[[[0.1,0.1],[0.11,0.1],[0.11,0.11],[0.1,0.1]]]}}]}`),
				geo.Properties{Name: "name", Code: "code"}); err != nil {
				t.Fatal(err)
			}
			var nigerian string
			if err := app.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE citizenships LIKE '%NG%'`).Scan(&nigerian)
			}); err != nil {
				t.Fatal(err)
			}
			if err := app.Cases.SetArea(ctx, w.worker.Actor, nigerian, "north"); err != nil {
				t.Fatal(err)
			}

			wg, err := app.Statistics.Preset(ctx, w.coord.Actor, statistics.PresetWG2011, statistics.Year(year))
			if err != nil || len(wg) != 11 {
				t.Fatalf("wg2011: %d tables, %v", len(wg), err)
			}
			recruitment := presetTable(t, wg, "i1_8")
			for i := range recruitment.Len() {
				if c := recruitment.At(i); c.Status != disclosure.Unknown {
					t.Fatalf("1.8 cell %v: %+v, want unknown", recruitment.Key(i), c)
				}
			}
			if c := cellAt(t, presetTable(t, wg, "i1_7"), "male", "RO"); c.Count != 1 {
				t.Errorf("1.7 male RO: %+v", c)
			}
			if c := cellAt(t, presetTable(t, wg, "i1_7"), "female", "DE"); c.Count != 2 {
				t.Errorf("1.7 female DE: %+v", c)
			}
			if c := cellAt(t, presetTable(t, wg, "i1_9"), "", "yes"); c.Count != 5 {
				t.Errorf("1.9 assisted: %+v", c)
			}
			if c := cellAt(t, presetTable(t, wg, "i1_10"), "", "no"); c.Count != 5 {
				t.Errorf("1.10 none given a reflection period: %+v", c)
			}
			if c := cellAt(t, presetTable(t, wg, "i1_1"), ""); c.Count != 5 {
				t.Errorf("1.1 total: %+v", c)
			}

			ctdc, err := app.Statistics.Preset(ctx, w.coord.Actor, statistics.PresetCTDC, statistics.Year(year))
			if err != nil {
				t.Fatal(err)
			}
			if c := cellAt(t, presetTable(t, ctdc, "year_gender"), strconv.Itoa(year), "masculine"); c.Count != 1 {
				t.Errorf("ctdc masculine: %+v", c)
			}

			for _, bad := range []statistics.PopulationInput{{Year: strconv.Itoa(year), Population: "0"},
				{Year: strconv.Itoa(year), Population: "-250"}, {Year: strconv.Itoa(year), Population: "many"},
				{Year: "1980", Population: "1000"}, {Area: "east", Year: strconv.Itoa(year), Population: "1000"}} {
				if _, err := app.Statistics.SetPopulation(ctx, w.coord.Actor, bad); !apperr.Is(err, apperr.Invalid) {
					t.Errorf("%+v accepted: %v", bad, err)
				}
			}
			if _, err := app.Statistics.SetPopulation(ctx, w.analyst.Actor, statistics.PopulationInput{Year: strconv.Itoa(year),
				Population: "1000"}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("the analyst enters a population: %v", err)
			}
			if list, _, err := app.Statistics.Populations(ctx, w.coord.Actor); err != nil || len(list) != 0 {
				t.Fatalf("bad input stored: %+v %v", list, err)
			}

			sdg, err := app.Statistics.Preset(ctx, w.coord.Actor, statistics.PresetSDG, statistics.Year(year))
			if err != nil {
				t.Fatal(err)
			}
			city := presetTable(t, sdg, "area_sex")
			if st := sdg[0].Status[cellIndexOf(t, city, "", "")]; st != statistics.CellUnknown {
				t.Errorf("the city's rate without a population: %q", st)
			}

			for _, in := range []statistics.PopulationInput{{Year: strconv.Itoa(year), Population: "250,000", Source: "City statistics office"},
				{Area: "north", Year: strconv.Itoa(year), Population: "50000"}} {
				if _, err := app.Statistics.SetPopulation(ctx, w.coord.Actor, in); err != nil {
					t.Fatal(err)
				}
			}
			sdg, err = app.Statistics.Preset(ctx, w.coord.Actor, statistics.PresetSDG, statistics.Year(year))
			if err != nil {
				t.Fatal(err)
			}
			city = presetTable(t, sdg, "area_sex")
			if r := sdg[0].Rates[cellIndexOf(t, city, "", "")]; r != 2 {
				t.Errorf("the city's rate: %v per 100,000, want 5 / 250,000 = 2", r)
			}
			if i := cellIndexOf(t, city, "north", "female"); sdg[0].Rates[i] != 2 || city.At(i).Count != 1 {
				t.Errorf("north's women: %v per 100,000 %+v, want 1 / 50,000 = 2", sdg[0].Rates[i], city.At(i))
			}
			if i := cellIndexOf(t, city, "south", ""); city.At(i).Status != disclosure.KnownZero || sdg[0].Status[i] != statistics.CellUnknown {
				t.Errorf("south, no victim and no population: %+v, rate %q", city.At(i), sdg[0].Status[i])
			}
			if st := sdg[0].Status[cellIndexOf(t, city, "unknown", "")]; st != statistics.CellUnknown {
				t.Errorf("victims with no area have no rate: %q", st)
			}
			if c := cellAt(t, city, "unknown", ""); c.Count != 4 {
				t.Errorf("victims with no area: %+v", c)
			}
			var audited int
			if err := app.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'statistics.population.set'`).Scan(&audited)
			}); err != nil || audited != 2 {
				t.Errorf("population changes audited: %d %v", audited, err)
			}

			if err := app.Statistics.RemovePopulation(ctx, w.coord.Actor, "north", year-1); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("removing a population never entered: %v", err)
			}
			if err := app.Statistics.RemovePopulation(ctx, w.coord.Actor, "north", year); err != nil {
				t.Fatal(err)
			}
			sdg, err = app.Statistics.Preset(ctx, w.coord.Actor, statistics.PresetSDG, statistics.Year(year))
			if err != nil {
				t.Fatal(err)
			}
			if st := sdg[0].Status[cellIndexOf(t, sdg[0].Table, "north", "")]; st != statistics.CellUnknown {
				t.Errorf("north's rate after its population was removed: %q", st)
			}
		})
	}
}

// TestPresetPages: the list and each preset open in one click; the
// coordinator sees raw counts with the cells a release would suppress
// marked, the analyst (in German) sees them suppressed; a period that ends
// before it starts and a malformed one get a translated error; the
// population form refuses 0 and stores nothing, and stores a good entry.
func TestPresetPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			w := newWorld(t, engine)
			w.presetSeed(t)
			year := strconv.Itoa(time.Now().UTC().Year())
			send := func(u apptest.User, method, path, lang string, form url.Values) (*http.Response, string) {
				return w.env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: u.Cookie, Form: form,
					Header: map[string]string{"Accept-Language": lang}})
			}
			res, body := send(w.coord, http.MethodGet, "/statistics/presets", "en", nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("list: %d", res.StatusCode)
			}
			for _, id := range statistics.Presets() {
				if !strings.Contains(body, `href="/statistics/presets/`+id+`?period=`+year+`"`) {
					t.Errorf("the list lacks a link to %s", id)
				}
			}
			for _, path := range []string{"/statistics/presets", "/statistics/population", "/statistics/presets/crim_thb?period=" + year + "-01-05/" + year + "-02-20"} {
				if res, body := send(w.coord, http.MethodGet, path, "de", nil); res.StatusCode != http.StatusOK || strings.Contains(body, "⟦") {
					t.Errorf("%s in German: %d, missing text: %v", path, res.StatusCode, strings.Contains(body, "⟦"))
				}
			}
			for _, id := range statistics.Presets() {
				if res, body := send(w.coord, http.MethodGet, "/statistics/presets/"+id+"?period="+year, "de", nil); res.StatusCode != http.StatusOK ||
					strings.Contains(body, "⟦") {
					t.Errorf("%s in German: %d, missing text: %v", id, res.StatusCode, strings.Contains(body, "⟦"))
				}
			}

			res, body = send(w.coord, http.MethodGet, "/statistics/presets/crim_thb?period="+year, "en", nil)
			for _, want := range []string{`<table id="table-legal_status_sex">`, "<caption>Registered victims by legal status and sex · " + year,
				`<th scope="row">Identified (victim status confirmed)</th>`, `<td id="legal_status_sex-identified-male" data-status="value">1<span aria-hidden="true"> *</span>`,
				`<td id="legal_status_sex-identified-female" data-status="known_zero">0</td>`, `id="statistics-would"`,
				`href="/statistics/releases/new?from=` + year + `-01-01&amp;preset=crim_thb&amp;to=` + year + `-12-31"`} {
				if !strings.Contains(body, want) {
					t.Errorf("coordinator's crim_thb lacks %q", want)
				}
			}
			res, body = send(w.analyst, http.MethodGet, "/statistics/presets/crim_thb?period="+year, "de", nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `<td id="legal_status_sex-identified-male" data-status="suppressed"><span class="badge">unterdrückt</span>`) ||
				strings.Contains(body, `id="statistics-would"`) {
				t.Errorf("analyst's crim_thb: %d", res.StatusCode)
			}
			if strings.Contains(body, `data-status="value">1<`) {
				t.Error("the analyst sees a count of 1")
			}

			from, to := year+"-03-01", year+"-02-01"
			if res, body := send(w.coord, http.MethodGet, "/statistics/presets/crim_thb?from="+from+"&to="+to, "en", nil); res.StatusCode != http.StatusUnprocessableEntity ||
				!strings.Contains(body, "The period ends before it starts.") {
				t.Errorf("a period ending before it starts: %d", res.StatusCode)
			}
			if res, body := send(w.coord, http.MethodGet, "/statistics/presets/crim_thb?period="+year+"-13", "de", nil); res.StatusCode != http.StatusUnprocessableEntity ||
				!strings.Contains(body, "Geben Sie den Zeitraum als Jahr") {
				t.Errorf("a malformed period: %d", res.StatusCode)
			}
			if res, _ := send(w.coord, http.MethodGet, "/statistics/presets/nope", "en", nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("an unknown preset: %d", res.StatusCode)
			}
			if res, _ := send(w.worker, http.MethodGet, "/statistics/presets/crim_thb", "en", nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("a case worker: %d", res.StatusCode)
			}

			res, body = send(w.coord, http.MethodPost, "/statistics/population", "en", url.Values{"area": {""}, "year": {year}, "population": {"0"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "A population must be more than 0.") {
				t.Errorf("population 0: %d", res.StatusCode)
			}
			if _, body := send(w.coord, http.MethodGet, "/statistics/population", "en", nil); !strings.Contains(body, `id="population-none"`) {
				t.Error("a refused population was stored")
			}
			res, _ = send(w.coord, http.MethodPost, "/statistics/population", "en", url.Values{"area": {""}, "year": {year}, "population": {"250.000"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("population: %d", res.StatusCode)
			}
			if _, body := send(w.coord, http.MethodGet, "/statistics/population?done=saved", "de", nil); !strings.Contains(body, `id="population-city-`+year+`"`) ||
				!strings.Contains(body, `class="count">250000</td>`) {
				t.Error("the population entered is not listed")
			}
			if _, body := send(w.coord, http.MethodGet, "/statistics/presets/sdg_16_2_2?period="+year, "en", nil); !strings.Contains(body, "2 per 100,000") {
				t.Error("the city's rate is not shown")
			}
			if res, _ := send(w.analyst, http.MethodGet, "/statistics/population", "en", nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("the analyst opens the population table: %d", res.StatusCode)
			}
		})
	}
}

// TestPresetRegisteredOnce: a person counts in the period of their first
// registration only. The stored facts are given an earlier registration of
// the seed's child (a case last year), as a refresh would store one; the
// child then counts last year and not this year.
func TestPresetRegisteredOnce(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			w := newWorld(t, engine)
			w.presetSeed(t)
			ctx := context.Background()
			app := w.env.App
			year := time.Now().UTC().Year()
			if _, err := app.Statistics.Preset(ctx, w.coord.Actor, statistics.PresetCrimTHB, statistics.Year(year)); err != nil {
				t.Fatal(err)
			}
			lastYear := time.Date(year-1, time.June, 1, 0, 0, 0, 0, time.UTC)
			if err := app.DB.Write(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO stat_events (person_key, seq, indicator, day, year, detail)
					SELECT person_key, 999, 'assisted', $1, $2, '' FROM stat_persons WHERE population = 'child'`, lastYear, year-1)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			this, err := app.Statistics.Preset(ctx, w.coord.Actor, statistics.PresetCrimTHB, statistics.Year(year))
			if err != nil {
				t.Fatal(err)
			}
			if c := cellAt(t, presetTable(t, this, "sex_age"), "unknown", "child"); c.Status != disclosure.KnownZero {
				t.Errorf("this year, the child registered last year: %+v", c)
			}
			if c := cellAt(t, presetTable(t, this, "sex_age"), "", ""); c.Count != 4 {
				t.Errorf("this year's total: %+v, want 4", c)
			}
			last, err := app.Statistics.Preset(ctx, w.coord.Actor, statistics.PresetCrimTHB, statistics.Year(year-1))
			if err != nil {
				t.Fatal(err)
			}
			if c := cellAt(t, presetTable(t, last, "sex_age"), "", ""); c.Count != 1 {
				t.Errorf("last year's total: %+v, want the child", c)
			}
		})
	}
}

// TestPresetShapes: a preset's tables with nobody counted (what the
// release form offers) have the same dimensions and categories as the
// tables counted from the records, except the period's own categories
// (nationalities, years, areas), which the form does not offer.
func TestPresetShapes(t *testing.T) {
	w := newWorld(t, storage.SQLite)
	w.presetSeed(t)
	svc := w.env.App.Statistics
	year := statistics.Year(time.Now().Year())
	for _, id := range statistics.Presets() {
		counted, err := svc.Preset(context.Background(), w.coord.Actor, id, year)
		if err != nil {
			t.Fatal(err)
		}
		shapes, err := svc.PresetShapes(id, year)
		if err != nil || len(shapes) != len(counted) {
			t.Fatalf("%s: %d shapes for %d tables, %v", id, len(shapes), len(counted), err)
		}
		for i := range counted {
			got, want := shapes[i].Table.Dimensions(), counted[i].Table.Dimensions()
			for d := range want {
				if slices.ContainsFunc(want[d].Categories, func(c disclosure.Category) bool { return statistics.Literal(want[d].Code, c.Code) }) {
					continue
				}
				if !reflect.DeepEqual(got[d], want[d]) {
					t.Errorf("%s %s: dimension %s is %v, counted %v", id, counted[i].Code, want[d].Code, got[d], want[d])
				}
			}
		}
	}
	if _, err := svc.PresetShapes("nope", year); err == nil {
		t.Error("an unknown preset has a shape")
	}
}
