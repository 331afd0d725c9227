//go:build race

package statistics_test

// measuredCases is smaller under the race detector, which slows the pure-Go
// SQLite driver about thirtyfold: there the test checks counting, not time.
const measuredCases = 2000
