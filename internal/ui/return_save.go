package ui

import (
	"net/http"

	"waymark.city/waymark/internal/returns"
	"waymark.city/waymark/internal/web"
)

// returnFields are the fields of the return form.
var returnFields = []string{"country", "place", "receiver", "receiver_contact", "consulate", "risk_level", "risk_assessed_on",
	"risk_note", "consent_written", "consent_on", "consent_language", "consent_interpreter", "consent_on_file", "consent_given_by",
	"travel_on", "family_outcome", "family_assessed_on", "escort_kind", "escort", "authority"}

// saveReturn records the return of a case's person or changes it until the
// reception is confirmed; without the written consent nothing is stored.
func (h *Handler) saveReturn(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "return.title")
	err := parseForm(r)
	if err == nil {
		for _, k := range returnFields {
			v.Form[k] = r.PostFormValue(k)
		}
		f := v.Form
		_, err = h.returns.Save(r.Context(), actor(r), r.PathValue("id"), returns.Plan{Country: f["country"], Place: f["place"],
			Receiver: f["receiver"], ReceiverContact: f["receiver_contact"], Consulate: f["consulate"], RiskLevel: f["risk_level"],
			RiskAssessedOn: f["risk_assessed_on"], RiskNote: f["risk_note"], ConsentWritten: f["consent_written"] != "",
			ConsentOn: f["consent_on"], ConsentLanguage: f["consent_language"], ConsentInterpreter: f["consent_interpreter"] != "",
			ConsentOnFile: f["consent_on_file"] != "", ConsentGivenBy: f["consent_given_by"], TravelOn: f["travel_on"],
			FamilyOutcome: f["family_outcome"], FamilyAssessedOn: f["family_assessed_on"], EscortKind: f["escort_kind"],
			Escort: f["escort"], Authority: f["authority"]})
	}
	h.afterReturn(w, r, v, err, "saved", "#return")
}

// afterReturn answers a change of the return tab: success goes back to the
// tab with a notice, a case out of reach is an error page, anything else
// the tab again with the form's errors.
func (h *Handler) afterReturn(w http.ResponseWriter, r *http.Request, v *web.View, err error, done, anchor string) {
	if err != nil {
		h.formFailed(w, r, v, err, func(status int) { h.renderReturn(w, r, status, v) })
		return
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/return?done="+done+anchor, http.StatusSeeOther)
}
