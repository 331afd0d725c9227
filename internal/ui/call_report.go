package ui

import (
	"context"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/intake"
)

// reportCall turns a call into a report in the triage queue and opens the
// report when the user may see it, else goes back to the call.
func (h *Handler) reportCall(w http.ResponseWriter, r *http.Request) {
	h.callAction(w, r, []string{"details", "place_type", "area", "urgency"}, "reported",
		func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, form map[string]string) (string, error) {
			rid, err := svc.ReportFromCall(ctx, a, scope, id, intake.CallReport{Details: form["details"], PlaceType: form["place_type"],
				Area: form["area"], Urgency: form["urgency"]})
			if err != nil || !access.Can(a, access.ViewReports) {
				return "", err
			}
			return "/reports/" + rid + "?done=from_call", nil
		})
}
