package app_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage"
)

const metricsToken = "a-long-random-metrics-token-0123456789"

// TestMetricsNeedToken: /metrics is not on the public listener unless a
// token is configured, and then only for a request that bears it.
func TestMetricsNeedToken(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	if res, _ := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/metrics"}); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics without a configured token: status %d, want 404", res.StatusCode)
	}

	cfg := apptest.Config(t, storage.SQLite)
	cfg.MetricsToken = metricsToken
	env = apptest.StartWith(t, cfg)
	for _, auth := range []string{"", "Bearer", "Bearer wrong-token", "Basic " + metricsToken, "Bearer " + metricsToken + "x"} {
		res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/metrics", Header: map[string]string{"Authorization": auth}})
		if res.StatusCode != http.StatusUnauthorized || strings.Contains(body, "go_goroutines") {
			t.Errorf("GET /metrics with Authorization %q: status %d, want 401", auth, res.StatusCode)
		}
	}
	body := scrape(t, env)
	for _, want := range []string{
		"go_goroutines ", "go_gc_duration_seconds", "go_memstats_heap_alloc_bytes ",
		"process_resident_memory_bytes ", "process_cpu_seconds_total ", "process_open_fds ",
		"waymark_database_up 1", "waymark_http_requests_total{",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestMetricsSeparateListener: with --metrics-addr the metrics are served
// by their own handler, and the public listener has none.
func TestMetricsSeparateListener(t *testing.T) {
	cfg := apptest.Config(t, storage.SQLite)
	cfg.MetricsAddr = "127.0.0.1:0"
	env := apptest.StartWith(t, cfg)
	if res, _ := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/metrics"}); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the public listener: status %d, want 404", res.StatusCode)
	}
	srv := httptest.NewServer(env.App.MetricsHandler())
	defer srv.Close()
	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /metrics on the metrics listener: status %d", res.StatusCode)
	}
	res, err = http.Get(srv.URL + "/report")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /report on the metrics listener: status %d, want 404", res.StatusCode)
	}
}

// TestMetricsDoNotTellReports: anonymous visitors' requests (the public
// report and follow-up forms) move no request counter, so whoever reads
// the metrics cannot tell when a report arrived.
func TestMetricsDoNotTellReports(t *testing.T) {
	cfg := apptest.Config(t, storage.SQLite)
	cfg.MetricsToken = metricsToken
	env := apptest.StartWith(t, cfg)
	before := requestTotals(t, scrape(t, env))
	env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/report"})
	env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/report", Form: url.Values{"details": {"a man keeps the workers' passports"}}})
	env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/report/follow-up"})
	env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/report/follow-up", Form: url.Values{"code": {"1234123412341234"}}})
	env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/report/follow-up/reply", Form: url.Values{"code": {"1234123412341234"}, "message": {"hello"}}})
	body := scrape(t, env)
	if strings.Contains(body, "/report") {
		t.Errorf("metrics name a public report route")
	}
	if after := requestTotals(t, body); after != before {
		t.Errorf("request counters moved from %v to %v with the public forms", before, after)
	}
}

func scrape(t *testing.T, env *apptest.Env) string {
	t.Helper()
	res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/metrics", Header: map[string]string{"Authorization": "Bearer " + metricsToken}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics with the token: status %d", res.StatusCode)
	}
	return body
}

// requestTotals adds up the request and duration counters, leaving out the
// scrapes of /metrics themselves.
func requestTotals(t *testing.T, body string) [2]float64 {
	t.Helper()
	var sums [2]float64
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, "GET /metrics") {
			continue
		}
		i := -1
		switch {
		case strings.HasPrefix(line, "waymark_http_requests_total{"):
			i = 0
		case strings.HasPrefix(line, "waymark_http_request_duration_seconds_count{"):
			i = 1
		}
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		sums[i] += v
	}
	return sums
}
