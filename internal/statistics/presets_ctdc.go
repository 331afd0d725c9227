package statistics

import (
	"strconv"
)

// ctdc is the aggregate fields of the Counter Trafficking Data
// Collaborative's released data (HTCDS): registered victims by year of
// registration and, one table each, gender (HTCDS codes), age (the case's
// age bands: CTDC's ageBroad bins need a birth date the records mostly do
// not have), citizenship (ISO codes) and type of exploitation. CTDC
// releases only combinations of at least 11 persons; the default rules of
// internal/disclosure (counts 1–10 suppressed, with complements) give the
// same floor.
func (b presetBuilder) ctdc() ([]PresetTable, error) {
	year := b.yearAxis()
	return b.tables(
		spec{"year_gender", []axis{year, genderAxis()}},
		spec{"year_age", []axis{year, ageBandAxis()}},
		spec{"year_citizenship", []axis{year, b.nationalityAxis()}},
		spec{"year_exploitation", []axis{year, formAxis()}},
	)
}

// yearAxis has the years of the period, a victim counted in the year they
// were registered.
func (b presetBuilder) yearAxis() axis {
	var cats []string
	for y := day(b.period.From).Year(); y <= day(b.period.To).Year(); y++ {
		cats = append(cats, strconv.Itoa(y))
	}
	return axis{code: "year", cats: cats, known: true, of: func(v victim) string { return strconv.Itoa(v.Registered.Year()) }}
}
