package ui

import (
	"net/http"

	"waymark.city/waymark/internal/cases"
)

// recordInformed records that the person was informed of their rights, the
// reflection period or a decision; it is listed on the consent tab.
func (h *Handler) recordInformed(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "consent.title")
	err := parseForm(r)
	if err == nil {
		for _, k := range []string{"topic", "informed_on", "informed_language", "informed_interpreter", "informed_by"} {
			v.Form[k] = r.PostFormValue(k)
		}
		_, err = h.cases.RecordInformed(r.Context(), actor(r), r.PathValue("id"), cases.InformedInput{Topic: v.Form["topic"],
			On: v.Form["informed_on"], Language: v.Form["informed_language"], Interpreter: v.Form["informed_interpreter"] != "",
			By: v.Form["informed_by"]})
	}
	if err != nil {
		h.formFailed(w, r, v, err, func(status int) { h.renderConsent(w, r, status, v) })
		return
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/consent#informed", http.StatusSeeOther)
}
