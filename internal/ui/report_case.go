package ui

import (
	"context"
	"net/http"
	"slices"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// reportCaseFields are the fields of the form that turns a report into a case.
var reportCaseFields = []string{"case_consent", "consent_method", "legal_basis", "case_org"}

// reportToCase turns a report into a case when the person is already in
// contact; the report closes in the same transaction. A case worker's
// organisation keeps the case; a hotline operator, who cannot see cases,
// hands it to the receiving organisation and is told where it went.
func (h *Handler) reportToCase(w http.ResponseWriter, r *http.Request) {
	h.triageAction(w, r, reportCaseFields, "",
		func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, form map[string]string) (string, error) {
			consent := form["case_consent"] != ""
			var caseID string
			open := func(ctx context.Context, tx *storage.Tx, sub intake.CaseSubject) (intake.OpenedCase, error) {
				forms := slices.DeleteFunc(slices.Clone(sub.Forms), func(f string) bool { return !slices.Contains(cases.ExploitationForms(), f) })
				owner, err := caseOwner(ctx, tx, a, form["case_org"], sub.Child, forms)
				if err != nil {
					return intake.OpenedCase{}, err
				}
				in := cases.NewCase{Origin: cases.FromReport, OriginID: id, OrgID: owner, Person: cases.UnknownPerson(sub.Child, forms),
					Place: sub.Place}
				if consent {
					in.Consent = &cases.OpeningConsent{Language: sub.Language, Method: form["consent_method"]}
				} else {
					in.LegalBasis = form["legal_basis"]
				}
				c, err := h.cases.OpenIn(ctx, tx, a, in)
				caseID = c.ID
				return intake.OpenedCase{Code: c.Code, OrgID: c.OrgID}, err
			}
			_, err := svc.ToCase(ctx, a, scope, id, intake.Conversion{Consent: consent, LegalBasis: form["legal_basis"]}, open)
			if err != nil {
				return "", err
			}
			if !access.Can(a, access.ViewCases) {
				return "/reports/" + id + "?done=case_opened", nil
			}
			return "/cases/" + caseID, nil
		})
}

// caseOwner is the organisation a case opened by a goes to. A role that
// sees cases keeps it in its own organisation. A role that cannot (a
// hotline operator) hands it on: to the organisation it picked, else to
// the receiving organisation the local protocol names for the forms of
// exploitation and the population, else to its own organisation if that
// one works on cases. Without any, the case would be seen by nobody, so
// opening it is refused.
func caseOwner(ctx context.Context, tx *storage.Tx, a access.Actor, picked string, child bool, forms []string) (string, error) {
	if access.Can(a, access.ViewCases) {
		return a.OrgID, nil
	}
	if picked != "" {
		return picked, nil // OpenIn refuses one that cannot hold cases
	}
	p, err := identification.ProtocolIn(ctx, tx)
	if err != nil {
		return "", err
	}
	population := screening.Adult
	if child {
		population = screening.Child
	}
	for _, org := range []string{p.Receiver(population, identification.CurrentForms(forms)), a.OrgID} {
		if org == "" {
			continue
		}
		holds, err := cases.HoldsCases(ctx, tx, org)
		if err != nil {
			return "", err
		}
		if holds {
			return org, nil
		}
	}
	return "", apperr.Validation(apperr.FieldError{Field: "case_org", Key: "error.case_no_receiver"})
}
