package statistics

import (
	"cmp"
	"slices"
	"time"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/cases"
)

// wg2011 is the victim block of the indicators Eurostat's working group on
// crime statistics proposed in 2011 (1.1–1.11), over the registered victims
// of the period.
func (b presetBuilder) wg2011() ([]PresetTable, error) {
	sex, age, form := sexAxis(), ageBandAxis(), formAxis()
	return b.tables(
		spec{"i1_1", []axis{registrarAxis()}},
		spec{"i1_2", []axis{age}},
		spec{"i1_3", []axis{sex}},
		spec{"i1_4", []axis{sex, age}},
		spec{"i1_5", []axis{form}},
		spec{"i1_6", []axis{sex, form}},
		spec{"i1_7", []axis{sex, b.nationalityAxis()}},
		spec{"i1_8", []axis{sex, recruitmentAxis()}},
		spec{"i1_9", []axis{sex, b.grantedAxis("assistance", func(v victim) (bool, bool) { return !v.Assisted.IsZero(), true })}},
		spec{"i1_10", []axis{sex, b.grantedAxis("reflection", func(v victim) (bool, bool) {
			return dayNotAfter(v.Reflection, b.period), !v.Assisted.IsZero()
		})}},
		spec{"i1_11", []axis{sex, b.grantedAxis("permit", func(v victim) (bool, bool) {
			return dayNotAfter(v.Permit, b.period), !v.Assisted.IsZero()
		})}},
	)
}

// dayNotAfter says whether t is set and falls on or before the period's
// last day.
func dayNotAfter(t time.Time, p Period) bool { return !t.IsZero() && !day(t).After(day(p.To)) }

// registrarAxis is the kind of organisation that first recorded the
// victim (the one that screened them, else the one that opened their first
// case).
func registrarAxis() axis {
	cats := make([]string, 0, len(accounts.OrgKinds)+1)
	for _, k := range accounts.OrgKinds {
		cats = append(cats, string(k))
	}
	return axis{code: "registrar", cats: append(cats, Unknown), known: true, of: func(v victim) string {
		return cmp.Or(v.RegisteringKind, Unknown)
	}}
}

func ageBandAxis() axis {
	return axis{code: "age_band", cats: cases.AgeBands(), known: true, of: func(v victim) string { return v.AgeBand }}
}

func genderAxis() axis {
	return axis{code: "gender", cats: cases.Genders(), known: true, of: func(v victim) string { return v.Gender }}
}

func formAxis() axis {
	return axis{code: "form", cats: formCodes(), known: true, of: func(v victim) string { return v.Form }}
}

// nationality is the one citizenship a victim counts under: the reporting
// country's if it is among theirs, else the first EU member's, else the
// first recorded; unknown when none is.
func (b presetBuilder) nationality(v victim) string {
	switch {
	case len(v.Citizenships) == 0:
		return Unknown
	case slices.Contains(v.Citizenships, b.country):
		return b.country
	}
	if i := slices.IndexFunc(v.Citizenships, func(c string) bool { return slices.Contains(euMembers, c) }); i >= 0 {
		return v.Citizenships[i]
	}
	return v.Citizenships[0]
}

// maxNationalities keeps a nationality table within disclosure's limit of
// categories: beyond it the least frequent join otherNationalities.
const (
	maxNationalities   = 40
	otherNationalities = "other"
)

// nationalityAxis has the nationalities of the period's victims (ISO
// codes, most frequent first), "other" for the rest beyond
// maxNationalities, and unknown.
func (b presetBuilder) nationalityAxis() axis {
	count := map[string]int{}
	for _, v := range b.victims {
		if n := b.nationality(v); n != Unknown {
			count[n]++
		}
	}
	codes := make([]string, 0, len(count))
	for c := range count {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, func(x, y string) int { return cmp.Or(count[y]-count[x], cmp.Compare(x, y)) })
	kept := codes
	if len(codes) > maxNationalities {
		kept = codes[:maxNationalities-1]
	}
	cats := slices.Clone(kept)
	if len(kept) < len(codes) {
		cats = append(cats, otherNationalities)
	}
	return axis{code: "nationality", cats: append(cats, Unknown), known: true, of: func(v victim) string {
		n := b.nationality(v)
		if n != Unknown && !slices.Contains(kept, n) {
			return otherNationalities
		}
		return n
	}}
}

// recruitmentAxis: the records hold no country of recruitment, so every
// cell of 1.8 is unknown, never zero.
func recruitmentAxis() axis {
	return axis{code: "recruitment", cats: []string{Unknown}, of: func(victim) string { return Unknown }}
}

// grantedAxis counts victims given something by the end of the period
// (yes), not given it (no), or unknown where the records could not say —
// a reflection period or permit is recorded on a case, so a victim known
// only from a referral is unknown there. given returns whether it was
// given and whether the records could say.
func (b presetBuilder) grantedAxis(code string, given func(victim) (yes, known bool)) axis {
	return axis{code: code, cats: []string{"yes", "no", Unknown}, known: true, of: func(v victim) string {
		yes, known := given(v)
		switch {
		case yes:
			return "yes"
		case known:
			return "no"
		}
		return Unknown
	}}
}
