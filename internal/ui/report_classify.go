package ui

import (
	"context"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/intake"
)

// classifyReport records the form of exploitation, the type of place and
// whether a child is missing.
func (h *Handler) classifyReport(w http.ResponseWriter, r *http.Request) {
	h.triageAction(w, r, []string{"exploitation", "place_type", "missing"}, "classified",
		func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, form map[string]string) (string, error) {
			return "", svc.Classify(ctx, a, scope, id, intake.Classification{Exploitation: form["exploitation"], PlaceType: form["place_type"],
				MissingChild: form["missing"] != ""})
		})
}
