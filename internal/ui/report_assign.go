package ui

import (
	"context"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/intake"
)

// assignReport gives a report to a person of the organisation, or
// forwards it to another organisation (which then has it instead).
func (h *Handler) assignReport(w http.ResponseWriter, r *http.Request) {
	h.triageAction(w, r, []string{"user", "org"}, "assigned",
		func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, form map[string]string) (string, error) {
			err := svc.Assign(ctx, a, scope, id, intake.Assignment{UserID: form["user"], OrgID: form["org"]})
			if err == nil && form["org"] != "" {
				// The report has gone: back to the queue.
				return "/reports?forwarded=1", nil
			}
			return "", err
		})
}
