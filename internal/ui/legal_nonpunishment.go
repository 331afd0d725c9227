package ui

import (
	"net/http"

	"waymark.city/waymark/internal/legalstatus"
)

// saveLegalPenalty records a charge, fine or detention of the person, or
// changes the one whose number the form names.
func (h *Handler) saveLegalPenalty(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "legalstatus.title")
	if err := parseForm(r); err != nil {
		h.legalFailed(w, r, v, legalEdit{}, err)
		return
	}
	f := legalForm(v, r, "penalty_kind", "penalty_on", "penalty_linked", "penalty_authority", "penalty_note")
	in := legalstatus.PenaltyInput{Number: formNumber(r.PostFormValue("penalty_number")), Kind: f["penalty_kind"],
		OccurredOn: f["penalty_on"], Linked: f["penalty_linked"], Authority: f["penalty_authority"], Note: f["penalty_note"]}
	if _, err := h.legalstatus.SavePenalty(r.Context(), actor(r), r.PathValue("id"), in); err != nil {
		h.legalFailed(w, r, v, legalEdit{Penalty: in.Number}, err)
		return
	}
	legalSaved(w, r, "nonpunishment")
}

// saveLegalSubmission records a submission for non-punishment, or changes
// the one whose number the form names (its outcome).
func (h *Handler) saveLegalSubmission(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "legalstatus.title")
	if err := parseForm(r); err != nil {
		h.legalFailed(w, r, v, legalEdit{}, err)
		return
	}
	f := legalForm(v, r, "submission_penalty", "submission_on", "submission_by", "submission_to", "submission_outcome",
		"submission_decided_on", "submission_hearing_on")
	in := legalstatus.SubmissionInput{Number: formNumber(r.PostFormValue("submission_number")), Penalty: formNumber(f["submission_penalty"]),
		SubmittedOn: f["submission_on"], SubmittedBy: f["submission_by"], SubmittedTo: f["submission_to"], Outcome: f["submission_outcome"],
		DecidedOn: f["submission_decided_on"], HearingOn: f["submission_hearing_on"]}
	if _, err := h.legalstatus.SaveSubmission(r.Context(), actor(r), r.PathValue("id"), in); err != nil {
		h.legalFailed(w, r, v, legalEdit{Submission: in.Number}, err)
		return
	}
	legalSaved(w, r, "nonpunishment")
}
