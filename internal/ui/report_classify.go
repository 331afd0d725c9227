package ui

import (
	"context"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/intake"
)

// classifyReport records the forms of exploitation, the type of place and
// whether a child is missing.
func (h *Handler) classifyReport(w http.ResponseWriter, r *http.Request) {
	h.triageAction(w, r, []string{"place_type", "missing"}, "classified",
		func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, form map[string]string) (string, error) {
			// Ticked boxes, kept in the form in case it comes back with an error.
			forms := r.PostForm["exploitation"]
			for _, e := range forms {
				form["exploitation."+e] = "1"
			}
			return "", svc.Classify(ctx, a, scope, id, intake.Classification{Exploitation: forms, PlaceType: form["place_type"],
				MissingChild: form["missing"] != ""})
		})
}
