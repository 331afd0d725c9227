package ui

import "net/http"

// Step-up: before an identity is revealed, the user confirms password and
// code again; the confirmation is valid for a few minutes.
func (h *Handler) showStepUp(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "stepup.title")
	v.Form["next"] = safeNext(r.URL.Query().Get("next"))
	h.shell.Render(w, r, http.StatusOK, "stepup", v)
}

func (h *Handler) submitStepUp(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "stepup.title")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.shell.Render(w, r, statusOf(err), "stepup", v)
		return
	}
	v.Form["next"] = safeNext(r.PostFormValue("next"))
	if err := h.accounts.StepUp(r.Context(), h.token(r), r.PostFormValue("password"), r.PostFormValue("code"), h.client(r), h.devices(r)...); err != nil {
		v.FormError(err)
		h.shell.Render(w, r, statusOf(err), "stepup", v)
		return
	}
	http.Redirect(w, r, v.Form["next"], http.StatusSeeOther)
}
