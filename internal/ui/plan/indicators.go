package planui

import (
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/plan"
)

// indicatorView is an indicator as the pages show it: numbers written out,
// its newest value and the share of the way from baseline to target.
type indicatorView struct {
	Name, Unit       string
	Baseline, Target string
	Measured         bool
	Latest, LatestOn string
	Percent          int
}

// indicatorList is what the "actionplan_indicators" partial renders.
type indicatorList struct {
	P     *i18n.Printer
	Items []indicatorView
}

// indicators is embedded in the pages that show indicators, so templates
// can call .Indicators with the printer and a measure's indicators.
type indicators struct{}

// Indicators prepares a measure's indicators for the partial.
func (indicators) Indicators(p *i18n.Printer, list []plan.Indicator) indicatorList {
	out := indicatorList{P: p}
	for _, ind := range list {
		v := indicatorView{Name: ind.Name, Unit: ind.Unit, Baseline: plan.FormatNumber(ind.Baseline), Target: plan.FormatNumber(ind.Target),
			Percent: ind.Percent()}
		if last, ok := ind.Latest(); ok {
			v.Measured, v.Latest, v.LatestOn = true, plan.FormatNumber(last.Value), last.On
		}
		out.Items = append(out.Items, v)
	}
	return out
}
