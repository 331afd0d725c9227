package ui

import (
	"context"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/intake"
)

// convertReport turns a report into a draft screening (setting "hotline
// call") and opens its first page of questions. When the reporter is the
// person the report is about, they must have agreed.
func (h *Handler) convertReport(w http.ResponseWriter, r *http.Request) {
	h.triageAction(w, r, []string{"reporter_is_person", "consent"}, "",
		func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, form map[string]string) (string, error) {
			sid, err := svc.Convert(ctx, a, scope, id, intake.Conversion{ReporterIsPerson: form["reporter_is_person"] != "", Consent: form["consent"] != ""})
			if err != nil {
				return "", err
			}
			return questionsPath(sid, 1), nil
		})
}
