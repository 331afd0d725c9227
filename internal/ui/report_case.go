package ui

import (
	"context"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/storage"
)

// reportToCase turns a report into a case of the organisation when the
// person is already in contact; the report closes in the same transaction.
func (h *Handler) reportToCase(w http.ResponseWriter, r *http.Request) {
	h.triageAction(w, r, []string{"reporter_is_person", "consent"}, "",
		func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, form map[string]string) (string, error) {
			var caseID string
			open := func(ctx context.Context, tx *storage.Tx, child bool) (string, error) {
				c, err := h.cases.OpenIn(ctx, tx, a, cases.NewCase{Origin: cases.FromReport, OriginID: id, Person: cases.UnknownPerson(child, nil)})
				caseID = c.ID
				return c.Code, err
			}
			_, err := svc.ToCase(ctx, a, scope, id, intake.Conversion{ReporterIsPerson: form["reporter_is_person"] != "", Consent: form["consent"] != ""}, open)
			if err != nil {
				return "", err
			}
			if !access.Can(a, access.ViewCases) {
				// A hotline operator opens the case for the organisation's case workers.
				return "/reports/" + id, nil
			}
			return "/cases/" + caseID, nil
		})
}
