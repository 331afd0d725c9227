package statistics

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/storage"
)

// Figure is a cell as the reader may see it, with what the page asks of it.
type Figure struct{ disclosure.Cell }

// Withheld reports a count suppressed to protect the persons counted.
func (f Figure) Withheld() bool { return f.Status == disclosure.Suppressed }

// KnownZero reports a count known to be zero (Eurostat keeps it apart from
// an unknown one).
func (f Figure) KnownZero() bool { return f.Status == disclosure.KnownZero }

// Row is one category of a chart: its label's message key and its cell as
// the reader may see it.
type Row struct {
	Code     string
	LabelKey string
	Cell     Figure
}

// Chart is a one-dimensional table of persons with its total.
type Chart struct {
	ID       string
	TitleKey string
	Rows     []Row
	Total    Figure
}

// Top is the row with the largest count shown, for the chart's one-sentence
// summary; ok is false when no row shows a count above zero.
func (c Chart) Top() (Row, bool) {
	best, ok := Row{}, false
	for _, r := range c.Rows {
		if r.Cell.Status == disclosure.Value && r.Cell.Shown() > 0 && (!ok || r.Cell.Shown() > best.Cell.Shown()) {
			best, ok = r, true
		}
	}
	return best, ok
}

// Max is the largest count shown, the length of the longest bar.
func (c Chart) Max() int {
	m := 0
	for _, r := range c.Rows {
		m = max(m, r.Cell.Shown())
	}
	return m
}

// Suppressed reports whether any row is withheld.
func (c Chart) Suppressed() bool {
	return slices.ContainsFunc(c.Rows, func(r Row) bool { return r.Cell.Status == disclosure.Suppressed })
}

// Timing is the days from first contact to an event, over the persons whose
// first contact was in the year and who reached it.
type Timing struct {
	ID       string
	TitleKey string
	// N persons; Median and P90 days. Withheld is set when N is too small
	// for the reader to see the figures.
	N           int
	Median, P90 int
	Withheld    bool
}

// QuarterRow is an indicator by quarter of the year and its year total:
// each person counted in the quarter of their first such event in the year.
type QuarterRow struct {
	Indicator Indicator
	Cells     []Figure // Q1..Q4, then the year
}

// Dashboard is the figures of one year.
type Dashboard struct {
	Year      int
	Years     []int
	Protected bool
	Threshold int
	// Version is the version of the facts the figures were computed from
	// and Month the month they were computed in: with Year and Protected
	// they name the figures, so a page drawn from them can be kept.
	Version int64
	Month   string
	// Persons assisted (a first case opened in the year) by month and by
	// their dimensions; referral outcomes and returns of the year.
	ByMonth    Chart
	Charts     []Chart
	Referrals  Chart
	Returns    Chart
	Quarters   []QuarterRow
	Timings    []Timing
	Acceptance Rate
}

// Rate is a share in percent; Shown is false when a figure behind it is
// withheld or there is nothing to divide.
type Rate struct {
	Percent int
	Shown   bool
}

// Dashboard returns the figures of year (the current year when 0) for
// actor: every count as recorded for a role that sees personal data, after
// disclosure control (primary and complementary suppression of counts 1 to
// 10) for the analyst.
func (s *Service) Dashboard(ctx context.Context, actor access.Actor, year int) (Dashboard, error) {
	if err := s.authorize(ctx, actor, "dashboard"); err != nil {
		return Dashboard{}, err
	}
	now := s.now().UTC()
	if year == 0 {
		year = now.Year()
	}
	if year < 2000 || year > now.Year() {
		return Dashboard{}, apperr.New(apperr.Invalid, "statistics.error.year")
	}
	version, err := s.fresh(ctx)
	if err != nil {
		return Dashboard{}, err
	}
	key := dashboardKey{year: year, protected: Protected(actor), version: version, month: now.Format("2006-01")}
	if d, ok := s.dashboard(key); ok {
		return d, nil
	}
	// Requests arriving together after a change compute the figures once.
	s.computeMu.Lock()
	defer s.computeMu.Unlock()
	if d, ok := s.dashboard(key); ok {
		return d, nil
	}
	var m *Model
	if err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		m, err = readFacts(ctx, tx, year)
		return err
	}); err != nil {
		return Dashboard{}, err
	}
	d, err := build(m, year, key.protected, now)
	if err != nil {
		return Dashboard{}, err
	}
	d.Version, d.Month = version, key.month
	s.dashboardMu.Lock()
	if s.dashboards == nil || s.dashboardsVersion != version {
		s.dashboards, s.dashboardsVersion = map[dashboardKey]Dashboard{}, version
	}
	s.dashboards[key] = d
	s.dashboardMu.Unlock()
	return d, nil
}

// dashboard returns the figures computed for key, if they were.
func (s *Service) dashboard(key dashboardKey) (Dashboard, bool) {
	s.dashboardMu.Lock()
	defer s.dashboardMu.Unlock()
	d, ok := s.dashboards[key]
	return d, ok
}

// dashboardKey names the figures one version of the facts gives: the
// year, whether they are protected, and the month they were computed in
// (the months shown run up to it).
type dashboardKey struct {
	year      int
	protected bool
	version   int64
	month     string
}

// build computes the dashboard of year from a model holding that year's
// persons and events.
func build(m *Model, year int, protected bool, now time.Time) (Dashboard, error) {
	var err error
	d := Dashboard{Year: year, Protected: protected, Threshold: disclosure.DefaultThreshold}
	for y := now.Year(); y >= now.Year()-4; y-- {
		d.Years = append(d.Years, y)
	}
	b := builder{m: m, year: year, protect: d.Protected}

	months := now.Month()
	if year < now.Year() {
		months = time.December
	}
	var monthCodes []string
	for mo := time.January; mo <= months; mo++ {
		monthCodes = append(monthCodes, fmt.Sprintf("%02d", int(mo)))
	}
	if d.ByMonth, err = b.chart("month", "statistics.by_month", "statistics.month.", monthCodes,
		b.first(Assisted), func(e Event) string { return fmt.Sprintf("%02d", int(e.Day.Month())) }); err != nil {
		return Dashboard{}, err
	}
	assisted := b.first(Assisted)
	dims := []struct {
		id, title, prefix string
		codes             []string
		of                func(e Event) string
	}{
		{ByForm, "statistics.by_form", "", formCodes(), func(e Event) string { return e.Person.Form }},
		{ByGender, "statistics.by_gender", "case.gender.", cases.Genders(), func(e Event) string { return e.Person.Gender }},
		{ByAgeBand, "statistics.by_age_band", "case.age.", cases.AgeBands(), func(e Event) string { return e.Person.AgeBand }},
		{ByPopulation, "statistics.by_population", "statistics.population.", []string{"child", "adult", Unknown}, func(e Event) string { return e.Person.Population }},
		{ByCitizenship, "statistics.by_citizenship", "statistics.citizenship.", CitizenshipGroups(), func(e Event) string { return e.Person.Citizenship }},
		{ByStage, "statistics.by_stage", "case.stage.", stageCodes(), func(e Event) string { return e.Person.Stage }},
	}
	for _, dim := range dims {
		c, err := b.chart(dim.id, dim.title, dim.prefix, dim.codes, assisted, dim.of)
		if err != nil {
			return Dashboard{}, err
		}
		d.Charts = append(d.Charts, c)
	}
	if d.Referrals, err = b.chart("referrals", "statistics.referral_outcomes", "statistics.outcome.", []string{"accepted", "declined", "pending"},
		b.last(Referred), func(e Event) string { return e.Detail }); err != nil {
		return Dashboard{}, err
	}
	acc, dec := d.Referrals.Rows[0].Cell, d.Referrals.Rows[1].Cell
	if acc.Status != disclosure.Suppressed && dec.Status != disclosure.Suppressed && acc.Shown()+dec.Shown() > 0 {
		d.Acceptance = Rate{Percent: (100*acc.Shown() + (acc.Shown()+dec.Shown())/2) / (acc.Shown() + dec.Shown()), Shown: true}
	}
	if d.Returns, err = b.chart("returns", "statistics.returns", "statistics.return.", []string{"received", "awaiting"},
		b.first(Returned), func(e Event) string { return e.Detail }); err != nil {
		return Dashboard{}, err
	}
	for _, ind := range Indicators() {
		q, err := b.quarters(ind)
		if err != nil {
			return Dashboard{}, err
		}
		d.Quarters = append(d.Quarters, q)
	}
	d.Timings = []Timing{
		b.timing("to_assistance", "statistics.time_to_assistance", func(p *Person) time.Time { return p.Assisted }),
		b.timing("to_grounds", "statistics.time_to_grounds", func(p *Person) time.Time { return p.FirstGrounds }),
	}
	return d, nil
}

// formCodes are the forms of exploitation, then several and unknown.
func formCodes() []string { return append(identification.Purposes(), Multiple, Unknown) }

// stageCodes are the lifecycle stages in order.
func stageCodes() []string {
	var out []string
	for _, st := range cases.Stages() {
		out = append(out, string(st))
	}
	return out
}

// FormKey is the message key of a form of exploitation of the model.
func FormKey(code string) string {
	if code == Multiple || code == Unknown {
		return "statistics.form." + code
	}
	return "case.exploitation." + code
}

type builder struct {
	m       *Model
	year    int
	protect bool
}

// first is each person's first event of ind in the year.
func (b builder) first(ind Indicator) []Event {
	seen := map[*Person]bool{}
	var out []Event
	for _, e := range b.m.Events {
		if e.Indicator == ind && e.Day.Year() == b.year && !seen[e.Person] {
			seen[e.Person] = true
			out = append(out, e)
		}
	}
	return out
}

// last is each person's last event of ind in the year.
func (b builder) last(ind Indicator) []Event {
	at := map[*Person]int{}
	var out []Event
	for _, e := range b.m.Events {
		if e.Indicator != ind || e.Day.Year() != b.year {
			continue
		}
		if i, ok := at[e.Person]; ok {
			out[i] = e
			continue
		}
		at[e.Person] = len(out)
		out = append(out, e)
	}
	return out
}

// table counts events (one per person) into categories and protects the
// table for a reader who may not see personal data.
func (b builder) table(code string, cats []string, events []Event, of func(Event) string) (*disclosure.Table, error) {
	dim := disclosure.Dimension{Code: code}
	index := map[string]int{}
	for i, c := range cats {
		dim.Categories = append(dim.Categories, disclosure.Category{Code: c})
		index[c] = i
	}
	counts := make([]int, len(cats))
	for _, e := range events {
		if i, ok := index[of(e)]; ok {
			counts[i]++
		}
	}
	t, err := disclosure.New(disclosure.Input{Dimensions: []disclosure.Dimension{dim}, Counts: counts})
	if err != nil {
		return nil, fmt.Errorf("statistics table %s: %w", code, err)
	}
	if !b.protect {
		return t, nil
	}
	p, err := disclosure.Protect(t, disclosure.Rules{})
	if err != nil {
		return nil, fmt.Errorf("protect statistics table %s: %w", code, err)
	}
	return p, nil
}

func (b builder) chart(id, title, prefix string, cats []string, events []Event, of func(Event) string) (Chart, error) {
	t, err := b.table(id, cats, events, of)
	if err != nil {
		return Chart{}, err
	}
	c := Chart{ID: id, TitleKey: title}
	for i, code := range cats {
		cell, _ := t.Cell(i)
		key := prefix + code
		if id == ByForm {
			key = FormKey(code)
		}
		c.Rows = append(c.Rows, Row{Code: code, LabelKey: key, Cell: Figure{cell}})
	}
	total, _ := t.Cell(disclosure.Total)
	c.Total = Figure{total}
	return c, nil
}

func (b builder) quarters(ind Indicator) (QuarterRow, error) {
	t, err := b.table("quarter", []string{"q1", "q2", "q3", "q4"}, b.first(ind), func(e Event) string {
		return fmt.Sprintf("q%d", (int(e.Day.Month())+2)/3)
	})
	if err != nil {
		return QuarterRow{}, err
	}
	row := QuarterRow{Indicator: ind}
	for _, k := range []int{0, 1, 2, 3, disclosure.Total} {
		c, _ := t.Cell(k)
		row.Cells = append(row.Cells, Figure{c})
	}
	return row, nil
}

// timing is the median and 90th percentile of the days from first contact
// to reached, over persons first met in the year who reached it.
func (b builder) timing(id, title string, reached func(*Person) time.Time) Timing {
	var days []int
	for _, p := range b.m.Persons {
		at := reached(p)
		if p.FirstContact.Year() != b.year || at.IsZero() {
			continue
		}
		first := time.Date(p.FirstContact.Year(), p.FirstContact.Month(), p.FirstContact.Day(), 0, 0, 0, 0, time.UTC)
		days = append(days, max(0, int(at.Sub(first).Hours()/24)))
	}
	sort.Ints(days)
	t := Timing{ID: id, TitleKey: title, N: len(days)}
	if b.protect && t.N <= disclosure.DefaultThreshold {
		t.Withheld = t.N > 0
		t.N = 0
		return t
	}
	if t.N > 0 {
		t.Median, t.P90 = percentile(days, 50), percentile(days, 90)
	}
	return t
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []int, p int) int {
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}
