package web

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"waymark.city/waymark/internal/apperr"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies middleware so the first listed runs first.
func Chain(h http.Handler, m ...Middleware) http.Handler {
	for i := len(m) - 1; i >= 0; i-- {
		h = m[i](h)
	}
	return h
}

// ContentSecurityPolicy allows only our own scripts, styles and images: no
// inline script, no third-party content, no framing.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// SecurityHeaders sets the headers every response carries. Responses are
// not cached unless a handler says otherwise (static files do), because most
// pages show personal data.
func SecurityHeaders(https bool) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", ContentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Cross-Origin-Resource-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
			h.Set("Cache-Control", "no-store")
			if https {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// CrossOrigin rejects cross-origin state-changing requests using the
// browser's Sec-Fetch-Site and Origin headers (Go's CrossOriginProtection),
// which replaces CSRF tokens.
func CrossOrigin(onDeny http.Handler) Middleware {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(onDeny)
	return cop.Handler
}

// LimitBody caps request bodies; a larger body fails to parse and the
// handler answers TooLarge. Requests that takesFiles (uploads) are left to
// set their own, larger limit in their handler: a limit applied here could
// not be raised again, as http.MaxBytesReader only ever lowers it.
func LimitBody(max int64, takesFiles ...func(*http.Request) bool) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, f := range takesFiles {
				if f(r) {
					next.ServeHTTP(w, r)
					return
				}
			}
			if r.Body != nil {
				r.Body = http.MaxBytesReader(w, r.Body, max)
			}
			next.ServeHTTP(w, r)
		})
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Observe logs each request and records metrics. The log line names the
// route pattern, never the raw path or query (ids, search terms), and never
// the client address or user agent.
func Observe(log *slog.Logger, m *Metrics) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			label := &routeLabel{}
			r = r.WithContext(context.WithValue(r.Context(), routeKey, label))
			rec := &statusRecorder{ResponseWriter: w}
			defer func() {
				if p := recover(); p != nil {
					log.Error("panic", "route", label.pattern, "panic", p, "stack", string(debug.Stack()))
					if rec.status == 0 {
						http.Error(rec, "internal error", http.StatusInternalServerError)
					}
				}
				status := rec.status
				if status == 0 {
					status = http.StatusOK
				}
				pattern := label.pattern
				if pattern == "" {
					pattern = "unmatched"
				}
				elapsed := time.Since(start)
				if !label.anonymous {
					m.ObserveRequest(pattern, status, elapsed)
				}
				if !strings.HasPrefix(pattern, "GET /static/") {
					log.Info("request", "route", pattern, "status", status, "ms", elapsed.Milliseconds())
				}
			}()
			next.ServeHTTP(rec, r)
		})
	}
}

// Named records the route pattern of r for Observe. The route tables wrap
// every handler with it, because only the inner request knows its pattern.
func Named(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l, ok := r.Context().Value(routeKey).(*routeLabel); ok {
			l.pattern = r.Pattern
		}
		h.ServeHTTP(w, r)
	})
}

// Anonymous is Named for the routes anonymous visitors send and follow up
// reports on. They are logged like any route but left out of the metrics:
// a counter of them would tell whoever reads the metrics when a report
// arrived.
func Anonymous(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l, ok := r.Context().Value(routeKey).(*routeLabel); ok {
			l.pattern, l.anonymous = r.Pattern, true
		}
		h.ServeHTTP(w, r)
	})
}

// ErrorKey is the message key of err for a user.
func ErrorKey(err error) string { return apperr.As(err).Key }
