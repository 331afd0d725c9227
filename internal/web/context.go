package web

import (
	"context"
	"net/http"

	"waymark.city/waymark/internal/i18n"
)

type ctxKey int

const (
	printerKey ctxKey = iota
	sessionKey
	routeKey
)

// WithPrinter stores the request's language printer.
func WithPrinter(ctx context.Context, p *i18n.Printer) context.Context {
	return context.WithValue(ctx, printerKey, p)
}

// Printer returns the request's language printer (set by the Language middleware).
func Printer(r *http.Request) *i18n.Printer {
	p, _ := r.Context().Value(printerKey).(*i18n.Printer)
	return p
}

// WithSession stores the signed-in state (any value the page layer chooses).
func WithSession(ctx context.Context, v any) context.Context {
	return context.WithValue(ctx, sessionKey, v)
}

// Session returns what WithSession stored.
func Session(r *http.Request) any { return r.Context().Value(sessionKey) }

// routeLabel carries the matched route pattern to the request log and metrics,
// which must never see raw paths (they can contain ids).
// anonymous marks a route of the public report forms (see Anonymous).
type routeLabel struct {
	pattern   string
	anonymous bool
}

// Route returns the mux pattern that served r, or "unmatched".
func Route(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	if l, ok := r.Context().Value(routeKey).(*routeLabel); ok && l.pattern != "" {
		return l.pattern
	}
	return "unmatched"
}
