package ui

import (
	"net/http"

	"waymark.city/waymark/internal/legalstatus"
)

// saveLegalAsylum records an asylum application, or changes the one whose
// number the form names.
func (h *Handler) saveLegalAsylum(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "legalstatus.title")
	if err := parseForm(r); err != nil {
		h.legalFailed(w, r, v, legalEdit{}, err)
		return
	}
	f := legalForm(v, r, "asylum_applied_on", "asylum_status", "asylum_decided_on")
	in := legalstatus.AsylumInput{Number: formNumber(r.PostFormValue("asylum_number")), AppliedOn: f["asylum_applied_on"],
		Status: f["asylum_status"], DecidedOn: f["asylum_decided_on"]}
	if _, err := h.legalstatus.SaveAsylum(r.Context(), actor(r), r.PathValue("id"), in); err != nil {
		h.legalFailed(w, r, v, legalEdit{Asylum: in.Number}, err)
		return
	}
	legalSaved(w, r, "asylum")
}
