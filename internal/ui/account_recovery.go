package ui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
)

// regenerateRecoveryCodes replaces the user's recovery codes and shows the
// new ones, once: they are stored only hashed.
func (h *Handler) regenerateRecoveryCodes(w http.ResponseWriter, r *http.Request) {
	codes, err := h.accounts.RegenerateRecoveryCodes(r.Context(), current(r).Actor)
	if err != nil {
		if apperr.Is(err, apperr.StepUp) {
			toStepUp(w, r)
			return
		}
		h.fail(w, r, err)
		return
	}
	v := h.view(r, "account.codes_title")
	v.Data = codes
	h.shell.Render(w, r, http.StatusOK, "account_codes", v)
}
