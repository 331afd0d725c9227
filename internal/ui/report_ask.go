package ui

import (
	"context"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/intake"
)

// askReporter puts a question into the report's thread; the reporter reads
// it when they come back with their receipt code.
func (h *Handler) askReporter(w http.ResponseWriter, r *http.Request) {
	h.triageAction(w, r, []string{"message"}, "asked",
		func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, form map[string]string) (string, error) {
			return "", svc.Ask(ctx, a, scope, id, form["message"])
		})
}
