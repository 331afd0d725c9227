package web

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Metrics counts requests by route and status and their durations, and
// writes them in the Prometheus text format. Per-process counters are what
// Prometheus expects; it sums across processes itself.
type Metrics struct {
	mu       sync.Mutex
	requests map[requestKey]uint64
	buckets  map[string]*histogram
	gauges   map[string]func() float64
	started  time.Time
}

type requestKey struct {
	route  string
	status int
}

var bounds = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	counts []uint64
	sum    float64
	count  uint64
}

// NewMetrics returns an empty registry.
func NewMetrics() *Metrics {
	return &Metrics{requests: map[requestKey]uint64{}, buckets: map[string]*histogram{}, gauges: map[string]func() float64{}, started: time.Now()}
}

// Gauge registers a value read at scrape time, e.g. "waymark_database_up".
func (m *Metrics) Gauge(name string, f func() float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gauges[name] = f
}

// ObserveRequest records one finished request.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{route, status}]++
	h := m.buckets[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(bounds))}
		m.buckets[route] = h
	}
	s := d.Seconds()
	for i, b := range bounds {
		if s <= b {
			h.counts[i]++
		}
	}
	h.sum += s
	h.count++
}

// ServeHTTP writes the metrics.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.Write(w)
}

// Write writes the metrics in the Prometheus text format.
func (m *Metrics) Write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintf(w, "# HELP waymark_uptime_seconds Seconds since the process started.\n# TYPE waymark_uptime_seconds gauge\nwaymark_uptime_seconds %.0f\n", time.Since(m.started).Seconds())
	names := slices.Sorted(maps.Keys(m.gauges))
	for _, name := range names {
		fmt.Fprintf(w, "# TYPE %s gauge\n%s %g\n", name, name, m.gauges[name]())
	}
	fmt.Fprint(w, "# HELP waymark_http_requests_total HTTP requests by route and status.\n# TYPE waymark_http_requests_total counter\n")
	keys := slices.SortedFunc(maps.Keys(m.requests), func(a, b requestKey) int {
		if c := strings.Compare(a.route, b.route); c != 0 {
			return c
		}
		return a.status - b.status
	})
	for _, k := range keys {
		fmt.Fprintf(w, "waymark_http_requests_total{route=%q,status=\"%d\"} %d\n", k.route, k.status, m.requests[k])
	}
	fmt.Fprint(w, "# HELP waymark_http_request_duration_seconds HTTP request durations by route.\n# TYPE waymark_http_request_duration_seconds histogram\n")
	for _, route := range slices.Sorted(maps.Keys(m.buckets)) {
		h := m.buckets[route]
		for i, b := range bounds {
			fmt.Fprintf(w, "waymark_http_request_duration_seconds_bucket{route=%q,le=\"%g\"} %d\n", route, b, h.counts[i])
		}
		fmt.Fprintf(w, "waymark_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", route, h.count)
		fmt.Fprintf(w, "waymark_http_request_duration_seconds_sum{route=%q} %g\n", route, h.sum)
		fmt.Fprintf(w, "waymark_http_request_duration_seconds_count{route=%q} %d\n", route, h.count)
	}
}
