package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/web"
)

func TestStatusOf(t *testing.T) {
	for code, want := range map[apperr.Code]int{
		apperr.Invalid:      http.StatusUnprocessableEntity,
		apperr.NotFound:     http.StatusNotFound,
		apperr.Conflict:     http.StatusConflict,
		apperr.Unauthorized: http.StatusUnauthorized,
		apperr.Forbidden:    http.StatusForbidden,
		apperr.StepUp:       http.StatusForbidden,
		apperr.TooMany:      http.StatusTooManyRequests,
		apperr.TooLarge:     http.StatusRequestEntityTooLarge,
		apperr.Unsupported:  http.StatusUnsupportedMediaType,
		apperr.Unavailable:  http.StatusServiceUnavailable,
		apperr.Internal:     http.StatusInternalServerError,
		apperr.Code("new"):  http.StatusInternalServerError,
	} {
		if got := web.StatusOf(code); got != want {
			t.Errorf("StatusOf(%s) = %d, want %d", code, got, want)
		}
	}
}

func TestMetricsPrometheusText(t *testing.T) {
	m := web.NewMetrics()
	m.Gauge("waymark_database_up", "1 when the database answers.", func() float64 { return 1 })
	m.ObserveRequest("GET /users/{id}", 200, 3*time.Millisecond)
	m.ObserveRequest("GET /users/{id}", 200, 2*time.Second)
	m.ObserveRequest("GET /users/{id}", 404, time.Millisecond)
	rec := httptest.NewRecorder()
	m.Handler("").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	out := rec.Body.String()
	for _, want := range []string{
		"waymark_database_up 1\n",
		`waymark_http_requests_total{route="GET /users/{id}",status="200"} 2` + "\n",
		`waymark_http_requests_total{route="GET /users/{id}",status="404"} 1` + "\n",
		`waymark_http_request_duration_seconds_bucket{route="GET /users/{id}",le="0.005"} 2` + "\n",
		`waymark_http_request_duration_seconds_bucket{route="GET /users/{id}",le="+Inf"} 3` + "\n",
		`waymark_http_request_duration_seconds_count{route="GET /users/{id}"} 3` + "\n",
		"# TYPE waymark_http_request_duration_seconds histogram\n",
		"go_goroutines ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q in:\n%s", want, out)
		}
	}
}
