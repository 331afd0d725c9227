package campaignsui

import "waymark.city/waymark/internal/campaigns"

// Geometry of the funnel chart, in SVG user units; the SVG scales to the
// page's width, so it fits a phone.
const (
	chartWidth = 360
	chartLabel = 124 // where bars start; labels are left of it
	chartBars  = 180 // the longest bar
	chartRow   = 36
	chartBar   = 22
)

// chart is the funnel from contacts to referrals as horizontal bars, each
// measure's declared targets marked on its bar. Reach, usually far larger,
// is in the table beside it. The table is the chart's text alternative.
type chart struct {
	Width, Height int
	Bars          []bar
}

// bar is one measure's bar.
type bar struct {
	Measure string
	Count   int
	Y       int
	Width   int
	// TextX and TextY place the count after the bar; LabelY the label.
	TextX, TextY int
	Marks        []mark
}

// mark is a target on a bar.
type mark struct {
	X, Target int
}

func funnelChart(f campaigns.Funnel) chart {
	top := 1
	for _, m := range campaigns.Measures() {
		top = max(top, f.Of(m))
	}
	for _, t := range f.Targets {
		if !campaigns.IsSurveyMeasure(t.Measure) {
			top = max(top, t.Target.Target)
		}
	}
	scale := func(n int) int { return n * chartBars / top }
	c := chart{Width: chartWidth}
	for i, m := range campaigns.Measures() {
		n := f.Of(m)
		b := bar{Measure: m, Count: n, Y: i*chartRow + 4, Width: scale(n)}
		if n > 0 {
			b.Width = max(b.Width, 2)
		}
		b.TextX, b.TextY = chartLabel+b.Width+6, b.Y+chartBar-6
		for _, t := range f.Targets {
			if t.Measure == m {
				b.Marks = append(b.Marks, mark{X: chartLabel + scale(t.Target.Target), Target: t.Target.Target})
			}
		}
		c.Bars = append(c.Bars, b)
	}
	c.Height = len(c.Bars)*chartRow + 8
	return c
}

// LabelX is where a bar's label ends (it is right-aligned).
func (chart) LabelX() int { return chartLabel - 8 }

// BarX is where bars start.
func (chart) BarX() int { return chartLabel }

// BarHeight is a bar's height.
func (chart) BarHeight() int { return chartBar }

// MarkTop and MarkBottom are a target mark's ends around its bar.
func (b bar) MarkTop() int    { return b.Y - 3 }
func (b bar) MarkBottom() int { return b.Y + chartBar + 3 }
