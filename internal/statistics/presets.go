package statistics

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/storage"
)

// Rapporteur presets (issue 14 item 3): the tables national rapporteurs and
// statistical offices ask for, each counted from the model in one call.
// Every table counts registered victims (see registered) once each; every
// dimension has an "unknown" category for persons whose records do not say,
// so a known zero is never confused with a figure nobody recorded.
const (
	PresetCrimTHB = "crim_thb"
	PresetWG2011  = "wg2011"
	PresetSDG     = "sdg_16_2_2"
	PresetCTDC    = "ctdc"
)

// Presets lists the presets in display order.
func Presets() []string { return []string{PresetCrimTHB, PresetWG2011, PresetSDG, PresetCTDC} }

// CellStatus is what a cell of a preset table says: a count, a count known
// to be zero, a figure nobody knows, or a count withheld to protect the
// persons counted. Eurostat keeps zero apart from unknown.
type CellStatus string

const (
	CellValue      CellStatus = "value"
	CellKnownZero  CellStatus = "known_zero"
	CellUnknown    CellStatus = "unknown"
	CellSuppressed CellStatus = "suppressed"
)

// StatusOf is the status of a table cell.
func StatusOf(c disclosure.Cell) CellStatus {
	switch c.Status {
	case disclosure.KnownZero:
		return CellKnownZero
	case disclosure.Unknown:
		return CellUnknown
	case disclosure.Suppressed:
		return CellSuppressed
	}
	return CellValue
}

// PresetTable is one table of a preset. Table holds the raw counts (cells
// nobody knows marked unknown); it must pass disclosure.Protect before it
// is shown to a reader who may not see personal data or leaves Waymark.
//
// A rate table (SDG 16.2.2) also has Rates: by cell index (Table.At),
// victims per 100,000 inhabitants where the population is known; Status
// then says, by cell index, what the rate is where it is not a value of
// its own: CellUnknown where no population was entered. The counts in
// Table stay what they are. Names gives the names of categories that are
// data rather than words (areas), by dimension and category code.
type PresetTable struct {
	Preset, Code string
	Title        string // message key
	Table        *disclosure.Table
	Status       map[int]CellStatus
	Rates        map[int]float64
	Names        map[string]map[string]string
}

// Period is the days a preset counts, both included: From and To are
// dates (their time of day is ignored).
type Period struct{ From, To time.Time }

// Year is the calendar year y.
func Year(y int) Period {
	return Period{From: time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC), To: time.Date(y, time.December, 31, 0, 0, 0, 0, time.UTC)}
}

// Quarter is quarter q (1–4) of year y.
func Quarter(y, q int) Period {
	from := time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, time.UTC)
	return Period{From: from, To: from.AddDate(0, 3, -1)}
}

// Month is month m of year y.
func Month(y int, m time.Month) Period {
	from := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return Period{From: from, To: from.AddDate(0, 1, -1)}
}

var periodPattern = regexp.MustCompile(`^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$`)

// ParsePeriod reads a period as a year ("2026"), a quarter ("2026-Q3"), a
// month ("2026-07") or its first and last day ("2026-01-05/2026-02-20",
// as String writes any other period; its order is checked where it is
// used).
func ParsePeriod(s string) (Period, error) {
	if from, to, ok := strings.Cut(s, "/"); ok {
		f, errFrom := time.Parse(time.DateOnly, from)
		t, errTo := time.Parse(time.DateOnly, to)
		if errFrom != nil || errTo != nil {
			return Period{}, apperr.New(apperr.Invalid, "statistics.error.period")
		}
		return Period{From: f, To: t}, nil
	}
	m := periodPattern.FindStringSubmatch(s)
	if m == nil {
		return Period{}, apperr.New(apperr.Invalid, "statistics.error.period")
	}
	y, _ := strconv.Atoi(m[1])
	switch {
	case m[2] != "":
		q, _ := strconv.Atoi(m[2])
		return Quarter(y, q), nil
	case m[3] != "":
		mo, _ := strconv.Atoi(m[3])
		return Month(y, time.Month(mo)), nil
	}
	return Year(y), nil
}

// day is t's date at midnight UTC.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Contains says whether t falls on one of the period's days.
func (p Period) Contains(t time.Time) bool {
	d := day(t)
	return !d.Before(day(p.From)) && !d.After(day(p.To))
}

// String names the period as ParsePeriod reads it when it is a year,
// quarter or month, else as its first and last day.
func (p Period) String() string {
	from, to := day(p.From), day(p.To)
	switch {
	case from == Year(from.Year()).From && to == Year(from.Year()).To:
		return strconv.Itoa(from.Year())
	case from.Day() == 1 && (from.Month()-1)%3 == 0 && to == Quarter(from.Year(), int(from.Month()+2)/3).To:
		return fmt.Sprintf("%d-Q%d", from.Year(), int(from.Month()+2)/3)
	case from.Day() == 1 && to == Month(from.Year(), from.Month()).To:
		return from.Format("2006-01")
	}
	return from.Format(time.DateOnly) + "/" + to.Format(time.DateOnly)
}

// validate refuses a period without both ends or ending before it starts.
func (p Period) validate() error {
	switch {
	case p.From.IsZero() || p.To.IsZero():
		return apperr.New(apperr.Invalid, "statistics.error.period")
	case day(p.To).Before(day(p.From)):
		return apperr.New(apperr.Invalid, "statistics.error.period_order")
	}
	return nil
}

// Preset returns the tables of preset id over period p, raw counts: the
// caller protects them for its reader. A period that ends before it starts
// is refused before anything is read.
func (s *Service) Preset(ctx context.Context, actor access.Actor, id string, p Period) ([]PresetTable, error) {
	if err := s.authorize(ctx, actor, "preset"); err != nil {
		return nil, err
	}
	if !slices.Contains(Presets(), id) {
		return nil, apperr.New(apperr.NotFound, "statistics.error.preset")
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	b := presetBuilder{preset: id, period: p, country: s.country}
	if _, err := s.fresh(ctx); err != nil {
		return nil, err
	}
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		if b.victims, err = readRegistered(ctx, tx, p); err != nil {
			return err
		}
		if id != PresetSDG {
			return nil
		}
		if b.populations, err = populations(ctx, tx); err != nil {
			return err
		}
		b.areas, err = currentAreas(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return b.build()
}

// PresetShapes returns the tables of preset id for period p with nobody
// counted: their dimensions and categories, which the release form offers
// to suppress whole, without reading a record.
func (s *Service) PresetShapes(id string, p Period) ([]PresetTable, error) {
	if !slices.Contains(Presets(), id) {
		return nil, apperr.New(apperr.NotFound, "statistics.error.preset")
	}
	return presetBuilder{preset: id, period: p, country: s.country}.build()
}

// build counts the builder's victims into the tables of its preset.
func (b presetBuilder) build() ([]PresetTable, error) {
	switch b.preset {
	case PresetWG2011:
		return b.wg2011()
	case PresetSDG:
		return b.sdg()
	case PresetCTDC:
		return b.ctdc()
	}
	return b.crimTHB()
}

// victim is a registered victim of the period with what the presets count
// them by.
type victim struct {
	*Person
	// Identified: victim status confirmed by the end of the period.
	Identified bool
	// Registered is the day the person was registered as a victim.
	Registered time.Time
}

// registrations are the indicators that register a person as a victim.
const registrations = `('assisted', 'grounds_positive', 'identified')`

// readRegistered reads the victims registered in p from the stored facts:
// the persons and events of the period's years, less the persons already
// registered in an earlier year.
func readRegistered(ctx context.Context, tx *storage.Tx, p Period) ([]victim, error) {
	from, to := day(p.From).Year(), day(p.To).Year()
	m := &Model{}
	byKey := map[string]*Person{}
	for y := from; y <= to; y++ {
		part, err := readFacts(ctx, tx, y)
		if err != nil {
			return nil, err
		}
		for _, person := range part.Persons {
			if byKey[person.Key] == nil {
				byKey[person.Key] = person
				m.Persons = append(m.Persons, person)
			}
		}
		for _, e := range part.Events {
			e.Person = byKey[e.Person.Key]
			m.Events = append(m.Events, e)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT person_key FROM stat_events WHERE year < $1 AND indicator IN `+registrations+`
		AND person_key IN (SELECT person_key FROM stat_events WHERE year >= $1 AND year <= $2 AND indicator IN `+registrations+`)`, from, to)
	if err != nil {
		return nil, fmt.Errorf("read earlier registrations: %w", err)
	}
	defer rows.Close()
	earlier := map[string]bool{}
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return nil, fmt.Errorf("scan an earlier registration: %w", err)
		}
		earlier[key] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read earlier registrations: %w", err)
	}
	return slices.DeleteFunc(registered(m, p), func(v victim) bool { return earlier[v.Key] }), nil
}

// registered are the persons registered as victims in p, each once: a
// person is registered on the first day a case was opened for them
// (assistance), reasonable grounds were found or their victim status was
// confirmed — Eurostat's registered victims, identified or presumed. A
// person only referred, whose referral is pending or declined, is not.
func registered(m *Model, p Period) []victim {
	first := map[*Person]time.Time{}
	identified := map[*Person]bool{}
	for _, e := range m.Events {
		switch e.Indicator {
		case Assisted, GroundsPositive, Identified:
		default:
			continue
		}
		if at, ok := first[e.Person]; !ok || e.Day.Before(at) {
			first[e.Person] = e.Day
		}
		if e.Indicator == Identified && !day(e.Day).After(day(p.To)) {
			identified[e.Person] = true
		}
	}
	var out []victim
	for _, person := range m.Persons {
		if at, ok := first[person]; ok && p.Contains(at) {
			out = append(out, victim{Person: person, Identified: identified[person], Registered: at})
		}
	}
	return out
}

// axis is a dimension of a preset table: its code, its categories and how
// a victim falls into one (a code outside the categories counts as
// unknown, or not at all where the axis has no unknown category).
type axis struct {
	code  string
	cats  []string
	of    func(victim) string
	known bool // false: the records hold nothing for it, every cell is unknown
}

// labelPrefixes are the message-key prefixes of dimensions whose
// categories other parts of Waymark already name.
var labelPrefixes = map[string]string{"registrar": "orgkind.", "age_band": "case.age.", "gender": "case.gender."}

// Literal says whether category cat of preset dimension dim is shown as its
// code or name (nationalities as ISO codes, years, areas) rather than named
// by CategoryKey, as "unknown" and "other" are.
func Literal(dim, cat string) bool {
	return (dim == "nationality" || dim == "year" || dim == "area") && cat != Unknown && cat != otherNationalities
}

// CategoryKey is the message key of category cat of preset dimension dim.
func CategoryKey(dim, cat string) string {
	switch {
	case dim == "form":
		return FormKey(cat)
	case labelPrefixes[dim] != "" && cat != Unknown:
		return labelPrefixes[dim] + cat
	}
	return "statistics.preset.dim." + dim + "." + cat
}

// DimensionKey is the message key of preset dimension dim.
func DimensionKey(dim string) string { return "statistics.preset.dim." + dim }

type presetBuilder struct {
	preset      string
	victims     []victim
	period      Period
	country     string
	populations map[populationKey]int
	areas       []AreaName
}

// table counts the victims into the axes' cells.
func (b presetBuilder) table(code string, axes ...axis) (PresetTable, error) {
	dims := make([]disclosure.Dimension, len(axes))
	size := 1
	for i, a := range axes {
		dims[i].Code = a.code
		for _, c := range a.cats {
			dims[i].Categories = append(dims[i].Categories, disclosure.Category{Code: c})
		}
		size *= len(a.cats)
	}
	counts := make([]int, size)
	var unknown []bool
	if slices.ContainsFunc(axes, func(a axis) bool { return !a.known }) {
		unknown = make([]bool, size)
		for i := range unknown {
			unknown[i] = true
		}
	}
	for _, v := range b.victims {
		idx := 0
		for _, a := range axes {
			k := slices.Index(a.cats, a.of(v))
			if k < 0 {
				// A code the categories do not name (a record older than
				// its code list) is not a known category: unknown.
				k = slices.Index(a.cats, Unknown)
			}
			if k < 0 {
				idx = -1
				break
			}
			idx = idx*len(a.cats) + k
		}
		if idx >= 0 {
			counts[idx]++
		}
	}
	t, err := disclosure.New(disclosure.Input{Dimensions: dims, Counts: counts, Unknown: unknown})
	if err != nil {
		return PresetTable{}, fmt.Errorf("preset %s table %s: %w", b.preset, code, err)
	}
	return PresetTable{Preset: b.preset, Code: code, Title: "statistics.preset." + b.preset + "." + code, Table: t}, nil
}

// spec is one table of a preset: its code and its axes.
type spec struct {
	code string
	axes []axis
}

// tables counts each spec's table.
func (b presetBuilder) tables(specs ...spec) ([]PresetTable, error) {
	var out []PresetTable
	for _, s := range specs {
		t, err := b.table(s.code, s.axes...)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Sex as Eurostat counts it, from the gender the records hold (HTCDS
// prs_Gender): feminine and transgender feminine are female, masculine and
// transgender masculine male, gender non-conforming other (Eurostat has no
// code for it; it joins "unknown" there), and unknown when not recorded.
var sexOfGender = map[string]string{
	"feminine": "female", "transgender_feminine": "female",
	"masculine": "male", "transgender_masculine": "male",
	"non_conforming": "other",
}

func sexAxis() axis {
	return axis{code: "sex", cats: []string{"female", "male", "other", Unknown}, known: true, of: func(v victim) string {
		if s, ok := sexOfGender[v.Gender]; ok {
			return s
		}
		return Unknown
	}}
}

// exploitationGroup is crim_thb's three forms of exploitation: sexual,
// labour (forced labour or services, domestic servitude included), and
// other (forced begging, criminal activities, forced marriage, organ
// removal, other exploitation, and several forms at once, which Eurostat's
// one form per victim cannot hold); unknown when no form is recorded.
var exploitationGroup = map[string]string{
	"sexual": "sexual", "labour": "labour", "domestic_servitude": "labour",
	"begging": "other", "criminality": "other", "forced_marriage": "other", "organ_removal": "other",
	"other_exploitation": "other", "other": "other", Multiple: "other",
}

func exploitationAxis() axis {
	return axis{code: "exploitation", cats: []string{"sexual", "labour", "other", Unknown}, known: true, of: func(v victim) string {
		if g, ok := exploitationGroup[v.Form]; ok {
			return g
		}
		return Unknown
	}}
}

func legalStatusAxis() axis {
	return axis{code: "legal_status", cats: []string{"identified", "presumed"}, known: true, of: func(v victim) string {
		if v.Identified {
			return "identified"
		}
		return "presumed"
	}}
}

// citizenshipAxis groups the victims' citizenships by the reporting
// country of this service (the stored facts may have been grouped under
// another).
func (b presetBuilder) citizenshipAxis() axis {
	return axis{code: "citizenship", cats: CitizenshipGroups(), known: true, of: func(v victim) string {
		return CitizenshipGroup(b.country, v.Citizenships)
	}}
}

func ageAxis() axis {
	return axis{code: "age", cats: []string{"child", "adult", Unknown}, known: true, of: func(v victim) string {
		if v.Population == "child" || v.Population == "adult" {
			return v.Population
		}
		return Unknown
	}}
}

// crimTHB is Eurostat's crim_thb collection: registered victims by legal
// status (identified, presumed) and sex, by citizenship group and sex, by
// form of exploitation and sex, and by sex and age (child, adult).
func (b presetBuilder) crimTHB() ([]PresetTable, error) {
	return b.tables(
		spec{"legal_status_sex", []axis{legalStatusAxis(), sexAxis()}},
		spec{"citizenship_sex", []axis{b.citizenshipAxis(), sexAxis()}},
		spec{"exploitation_sex", []axis{exploitationAxis(), sexAxis()}},
		spec{"sex_age", []axis{sexAxis(), ageAxis()}},
	)
}
