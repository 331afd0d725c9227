package ui

import (
	"net/http"

	"waymark.city/waymark/internal/legalstatus"
)

// saveLegalMeasure records a request for a protective measure, or changes
// the one whose number the form names (the decision on it).
func (h *Handler) saveLegalMeasure(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "legalstatus.title")
	if err := parseForm(r); err != nil {
		h.legalFailed(w, r, v, legalEdit{}, err)
		return
	}
	f := legalForm(v, r, "measure_kind", "measure_requested_on", "measure_requested_by", "measure_status", "measure_decided_on",
		"measure_proceeding", "measure_hearing_on", "measure_risk", "measure_note")
	in := legalstatus.MeasureInput{Number: formNumber(r.PostFormValue("measure_number")), Kind: f["measure_kind"],
		RequestedOn: f["measure_requested_on"], RequestedBy: f["measure_requested_by"], Status: f["measure_status"],
		DecidedOn: f["measure_decided_on"], ProceedingID: f["measure_proceeding"], HearingOn: f["measure_hearing_on"],
		RiskAssessmentID: f["measure_risk"], Note: f["measure_note"]}
	if _, err := h.legalstatus.SaveMeasure(r.Context(), actor(r), r.PathValue("id"), in); err != nil {
		h.legalFailed(w, r, v, legalEdit{Measure: in.Number}, err)
		return
	}
	legalSaved(w, r, "measures")
}
