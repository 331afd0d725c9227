package ui

import (
	"context"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/intake"
)

// linkReport links a report as a duplicate of another report, or to a
// referral's person code; either takes it out of the queue.
func (h *Handler) linkReport(w http.ResponseWriter, r *http.Request) {
	h.triageAction(w, r, []string{"kind", "duplicate", "code"}, "linked",
		func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, form map[string]string) (string, error) {
			switch form["kind"] {
			case "duplicate":
				return "", svc.LinkDuplicate(ctx, a, scope, id, form["duplicate"])
			case "case":
				return "", svc.LinkCase(ctx, a, scope, id, form["code"])
			}
			return "", apperr.New(apperr.Invalid, "error.invalid_form")
		})
}
