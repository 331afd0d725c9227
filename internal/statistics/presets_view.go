package statistics

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/disclosure"
)

// PresetPage is a preset's tables as a reader may see them.
type PresetPage struct {
	Preset    string
	Period    Period
	Protected bool
	Threshold int
	Tables    []ShownTable
}

// ShownTable is a preset table as its reader sees it: for the analyst
// (Protected) Table is after disclosure.Protect with the default rules and
// a rate shows only where its count does; for the coordinator Table holds
// the raw counts and Would marks the cells a release under the default
// rules would suppress.
type ShownTable struct {
	PresetTable
	Would map[int]bool
}

// RateStatus is what the rate of cell i says.
func (t ShownTable) RateStatus(i int) CellStatus {
	if st, ok := t.Status[i]; ok {
		return st
	}
	if st := StatusOf(t.Table.At(i)); st == CellSuppressed || st == CellUnknown {
		return st
	}
	return CellValue
}

// ShowPreset returns preset id over period p for actor: raw counts marked
// with what a release would suppress for a role that sees personal data,
// protected counts for the analyst.
func (s *Service) ShowPreset(ctx context.Context, actor access.Actor, id string, p Period) (PresetPage, error) {
	tables, err := s.Preset(ctx, actor, id, p)
	if err != nil {
		return PresetPage{}, err
	}
	page := PresetPage{Preset: id, Period: p, Protected: Protected(actor), Threshold: disclosure.DefaultThreshold}
	for _, t := range tables {
		protected, err := disclosure.Protect(t.Table, disclosure.Rules{})
		if err != nil {
			return PresetPage{}, fmt.Errorf("protect preset %s table %s: %w", id, t.Code, err)
		}
		shown := ShownTable{PresetTable: t}
		if page.Protected {
			shown.Table = protected
			for i := range protected.Len() {
				if protected.At(i).Status == disclosure.Suppressed {
					delete(shown.Rates, i)
				}
			}
		} else {
			shown.Would = map[int]bool{}
			for i := range protected.Len() {
				if protected.At(i).Status == disclosure.Suppressed {
					shown.Would[i] = true
				}
			}
		}
		page.Tables = append(page.Tables, shown)
	}
	return page, nil
}
