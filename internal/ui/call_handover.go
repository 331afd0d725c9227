package ui

import (
	"context"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/intake"
)

// handOverCall flags a call for the next shift with a short note, or
// (take_over) ends the open hand-over.
func (h *Handler) handOverCall(w http.ResponseWriter, r *http.Request) {
	h.callAction(w, r, []string{"handover_note", "take_over"}, "handed_over",
		func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, form map[string]string) (string, error) {
			if form["take_over"] != "" {
				return "/calls/" + id + "?done=taken_over", svc.TakeOver(ctx, a, scope, intake.HandoverCall, id)
			}
			return "", svc.HandOver(ctx, a, scope, intake.HandoverCall, id, form["handover_note"])
		})
}
