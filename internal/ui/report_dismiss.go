package ui

import (
	"context"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/intake"
)

// dismissReport takes a report out of the queue with a reason code and an
// optional note (sealed).
func (h *Handler) dismissReport(w http.ResponseWriter, r *http.Request) {
	h.triageAction(w, r, []string{"reason", "note"}, "dismissed",
		func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, form map[string]string) (string, error) {
			return "", svc.Dismiss(ctx, a, scope, id, form["reason"], form["note"])
		})
}
