package campaignsui

import "waymark.city/waymark/internal/campaigns"

// Geometry of the funnel chart, in SVG user units. The SVG is drawn at
// this size (one unit a CSS pixel) and shrinks to a phone's width, so its
// text stays the page's size and its bars stay thick.
const (
	chartWidth  = 420
	chartLabel  = 140 // where bars start; labels end left of it
	chartBars   = 210 // the longest bar
	chartBar    = 24  // a bar's thickness
	chartGap    = 14  // between rows
	chartTarget = 20  // the line of text under a bar: its targets, or reach's own scale
	// reachOwnScale is how many times the largest other step reach may be
	// and still share their scale; larger, its bar has a scale of its own
	// (said on the chart), or the other bars would be slivers.
	reachOwnScale = 4
)

// chart is the funnel from reach to referrals as horizontal bars, each
// bar's count at its end and its targets marked on it and named in text
// under it. The table beside it is the chart's text alternative.
type chart struct {
	Width, Height int
	Bars          []bar
}

// bar is one step's bar.
type bar struct {
	Measure string
	Count   int
	Y       int
	Width   int
	// OwnScale is true for a reach bar drawn on a scale of its own.
	OwnScale bool
	// TextX places the count after the bar.
	TextX   int
	Targets []mark
}

// mark is a target on a bar.
type mark struct {
	campaigns.Progress
	X int
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
	ownScale := f.Reach > reachOwnScale*top
	if !ownScale {
		top = max(top, f.Reach)
	}
	scale := func(n int) int { return n * chartBars / top }
	c := chart{Width: chartWidth}
	y := 4
	add := func(b bar) {
		if b.Count > 0 {
			b.Width = max(b.Width, 3)
		}
		b.Y, b.TextX = y, chartLabel+b.Width+8
		y += chartBar + chartGap
		if b.Note() {
			y += chartTarget
		}
		c.Bars = append(c.Bars, b)
	}
	reach := bar{Measure: "reach", Count: f.Reach, Width: scale(f.Reach), OwnScale: ownScale}
	if ownScale {
		reach.Width = chartBars
	}
	add(reach)
	for _, m := range campaigns.Measures() {
		b := bar{Measure: m, Count: f.Of(m), Width: scale(f.Of(m))}
		for _, t := range f.Targets {
			if t.Measure == m {
				b.Targets = append(b.Targets, mark{Progress: t, X: chartLabel + scale(t.Target.Target)})
			}
		}
		add(b)
	}
	c.Height = y
	return c
}

// LabelX is where a bar's label ends (it is right-aligned).
func (chart) LabelX() int { return chartLabel - 10 }

// BarX is where bars start.
func (chart) BarX() int { return chartLabel }

// BarHeight is a bar's thickness.
func (chart) BarHeight() int { return chartBar }

// TextY is the baseline of the bar's label and count, in its middle.
func (b bar) TextY() int { return b.Y + chartBar/2 + 5 }

// MarkTop and MarkBottom are a target mark's ends around its bar.
func (b bar) MarkTop() int    { return b.Y - 4 }
func (b bar) MarkBottom() int { return b.Y + chartBar + 4 }

// Note is true when a line of text goes under the bar: its targets, or
// that it has a scale of its own.
func (b bar) Note() bool { return b.OwnScale || len(b.Targets) > 0 }

// TargetY is the baseline of the line of text under the bar.
func (b bar) TargetY() int { return b.Y + chartBar + chartTarget - 2 }
