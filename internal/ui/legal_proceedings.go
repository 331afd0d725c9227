package ui

import (
	"net/http"

	"waymark.city/waymark/internal/legalstatus"
)

// saveLegalProceeding records criminal proceedings, or changes those whose
// number the form names.
func (h *Handler) saveLegalProceeding(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "legalstatus.title")
	if err := parseForm(r); err != nil {
		h.legalFailed(w, r, v, legalEdit{}, err)
		return
	}
	f := legalForm(v, r, "proceeding_role", "proceeding_stage", "proceeding_cooperation", "proceeding_next_hearing", "proceeding_reference")
	in := legalstatus.ProceedingInput{Number: formNumber(r.PostFormValue("proceeding_number")), Role: f["proceeding_role"],
		Stage: f["proceeding_stage"], Cooperation: f["proceeding_cooperation"], NextHearing: f["proceeding_next_hearing"],
		Reference: f["proceeding_reference"]}
	if _, err := h.legalstatus.SaveProceeding(r.Context(), actor(r), r.PathValue("id"), in); err != nil {
		h.legalFailed(w, r, v, legalEdit{Proceeding: in.Number}, err)
		return
	}
	legalSaved(w, r, "proceedings")
}
