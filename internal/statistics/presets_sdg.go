package statistics

import (
	"slices"

	"waymark.city/waymark/internal/disclosure"
)

// sdg is SDG indicator 16.2.2, victims of trafficking per 100,000
// inhabitants, by area of the city and sex, and by form of exploitation and
// age for the whole city. The rates divide by the population the
// coordinator entered for the period's year (a period within one year);
// where none was entered, or for victims whose area is not recorded, the
// rate is unknown.
func (b presetBuilder) sdg() ([]PresetTable, error) {
	areas := b.areaAxis()
	out, err := b.tables(
		spec{"area_sex", []axis{areas, sexAxis()}},
		spec{"exploitation_age", []axis{exploitationAxis(), ageAxis()}},
	)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, a := range b.areas {
		names[a.Code] = a.Name
	}
	out[0].Names = map[string]map[string]string{"area": names}
	b.rates(&out[0], func(key []int) (string, bool) {
		if key[0] == disclosure.Total {
			return "", true
		}
		code := areas.cats[key[0]]
		return code, code != Unknown
	})
	b.rates(&out[1], func([]int) (string, bool) { return "", true })
	return out, nil
}

// areaAxis has the city's current areas (by name), areas no longer
// current that victims' cases still name, and unknown: no area recorded
// (such victims count in the whole city's total only).
func (b presetBuilder) areaAxis() axis {
	var cats []string
	for _, a := range b.areas {
		cats = append(cats, a.Code)
	}
	var retired []string
	for _, v := range b.victims {
		if v.Area != "" && v.Area != Unknown && !slices.Contains(cats, v.Area) && !slices.Contains(retired, v.Area) {
			retired = append(retired, v.Area)
		}
	}
	slices.Sort(retired)
	cats = append(append(cats, retired...), Unknown)
	return axis{code: "area", cats: cats, known: true, of: func(v victim) string {
		if v.Area == "" {
			return Unknown
		}
		return v.Area
	}}
}

// rates fills t's rates per 100,000 inhabitants: area gives the area whose
// population a cell divides by ("" the whole city) and whether it has
// one. A rate is unknown where the count is, where the period spans more
// than one year, or where no population was entered.
func (b presetBuilder) rates(t *PresetTable, area func(key []int) (string, bool)) {
	t.Rates, t.Status = map[int]float64{}, map[int]CellStatus{}
	year := day(b.period.From).Year()
	oneYear := day(b.period.To).Year() == year
	for i := range t.Table.Len() {
		cell := t.Table.At(i)
		code, ok := area(t.Table.Key(i))
		pop := b.populations[populationKey{area: code, year: year}]
		if cell.Status == disclosure.Unknown || !ok || !oneYear || pop <= 0 {
			t.Status[i] = CellUnknown
			continue
		}
		t.Rates[i] = float64(cell.Count) * 100_000 / float64(pop)
	}
}
