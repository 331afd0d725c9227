package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/agreements"
)

// contactPersons returns the named contact persons of the organisations
// orgIDs, by organisation, for the field guide's and the screening's lists
// of whom to call; nil for a user not allowed to read them
// (access.ViewAgreements). The agreements service audits the read.
func (h *Handler) contactPersons(r *http.Request, orgIDs []string) (map[string][]agreements.Contact, error) {
	if len(orgIDs) == 0 || !access.Can(actor(r), access.ViewAgreements) {
		return nil, nil
	}
	list, err := h.agreements.Contacts(r.Context(), actor(r), orgIDs...)
	if err != nil {
		return nil, err
	}
	out := map[string][]agreements.Contact{}
	for _, c := range list {
		out[c.OrgID] = append(out[c.OrgID], c)
	}
	return out, nil
}
