package ui

import (
	"net/http"

	"waymark.city/waymark/internal/legalstatus"
)

// saveLegalCompensation records a compensation claim, or changes the one
// whose number the form names.
func (h *Handler) saveLegalCompensation(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "legalstatus.title")
	if err := parseForm(r); err != nil {
		h.legalFailed(w, r, v, legalEdit{}, err)
		return
	}
	f := legalForm(v, r, "compensation_type", "compensation_status", "compensation_filed_on", "compensation_currency",
		"compensation_claimed", "compensation_awarded")
	in := legalstatus.CompensationInput{Number: formNumber(r.PostFormValue("compensation_number")), Type: f["compensation_type"],
		Status: f["compensation_status"], FiledOn: f["compensation_filed_on"], Currency: f["compensation_currency"],
		Claimed: f["compensation_claimed"], Awarded: f["compensation_awarded"]}
	if _, err := h.legalstatus.SaveCompensation(r.Context(), actor(r), r.PathValue("id"), in); err != nil {
		h.legalFailed(w, r, v, legalEdit{Compensation: in.Number}, err)
		return
	}
	legalSaved(w, r, "compensation")
}
