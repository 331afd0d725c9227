package outreachui

// bar is one bar of a chart: a label and a count.
type bar struct {
	Label string
	Value int
}

// chart is a horizontal bar chart drawn as SVG on the server: each bar's
// width in per cent of the largest value, so the SVG scales to a phone's
// width. The table beside it carries the same numbers for screen readers,
// so the chart is hidden from them.
type chart struct {
	Bars   []chartBar
	Height int
}

type chartBar struct {
	bar
	Y, TextY int
	// Width is the bar's width in per cent of the chart.
	Width float64
}

// Heights in SVG units: each bar has a label line above it.
const (
	barHeight = 14
	barStep   = 40
)

func barChart(bars []bar) chart {
	largest := 0
	for _, b := range bars {
		largest = max(largest, b.Value)
	}
	out := chart{Height: len(bars) * barStep}
	for i, b := range bars {
		w := 0.0
		if largest > 0 {
			// Leave room for the number after the longest bar.
			w = float64(b.Value) / float64(largest) * 85
		}
		out.Bars = append(out.Bars, chartBar{bar: b, TextY: i*barStep + 14, Y: i*barStep + 20, Width: w})
	}
	return out
}
