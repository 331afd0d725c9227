package ui

import (
	"context"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/intake"
)

// closeCall marks a call as done and goes back to the console.
func (h *Handler) closeCall(w http.ResponseWriter, r *http.Request) {
	h.callAction(w, r, nil, "closed",
		func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, _ map[string]string) (string, error) {
			return "/calls?closed=1", svc.CloseCall(ctx, a, scope, id)
		})
}
