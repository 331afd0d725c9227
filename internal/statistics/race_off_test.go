//go:build !race

package statistics_test

// measuredCases is the modest size the dashboard is timed at; the figures
// are written down in docs/issue14-progress/statistics.md.
const measuredCases = 20000
