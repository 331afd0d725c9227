package ui

import (
	"net/http"

	"waymark.city/waymark/internal/assistance"
)

// saveGoals records the person's goals in their own words.
func (h *Handler) saveGoals(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "plan.title")
	if err := parseForm(r); err != nil {
		h.planFailed(w, r, v, err, nil)
		return
	}
	v.Form["goals"] = r.PostFormValue("goals")
	if err := h.assistance.SaveGoals(r.Context(), actor(r), r.PathValue("id"), v.Form["goals"]); err != nil {
		h.planFailed(w, r, v, err, nil)
		return
	}
	planDone(w, r, "goals", "goals")
}

// recordAgreement records the person's agreement to the plan as it stands.
func (h *Handler) recordAgreement(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "plan.title")
	if err := parseForm(r); err != nil {
		h.planFailed(w, r, v, err, nil)
		return
	}
	in := assistance.AgreementInput{Agreement: r.PostFormValue("agreement"), AgreedOn: r.PostFormValue("agreed_on"),
		Language: r.PostFormValue("agreement_language"), Interpreter: r.PostFormValue("agreement_interpreter") == "1"}
	v.Form["agreement"], v.Form["agreed_on"], v.Form["agreement_language"] = in.Agreement, in.AgreedOn, in.Language
	if in.Interpreter {
		v.Form["agreement_interpreter"] = "1"
	}
	if err := h.assistance.RecordAgreement(r.Context(), actor(r), r.PathValue("id"), in); err != nil {
		h.planFailed(w, r, v, err, nil)
		return
	}
	planDone(w, r, "agreement", "agreement")
}
