package ui

import (
	"context"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/intake"
)

// handOverReport flags a report for the next shift with a short note, or
// (take_over) ends the open hand-over.
func (h *Handler) handOverReport(w http.ResponseWriter, r *http.Request) {
	h.triageAction(w, r, []string{"handover_note", "take_over"}, "handed_over",
		func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, form map[string]string) (string, error) {
			if form["take_over"] != "" {
				return "/reports/" + id + "?done=taken_over", svc.TakeOver(ctx, a, scope, intake.HandoverReport, id)
			}
			return "", svc.HandOver(ctx, a, scope, intake.HandoverReport, id, form["handover_note"])
		})
}
