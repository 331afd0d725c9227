package ui

import "net/http"

// endOtherSessions signs the user out everywhere but here.
func (h *Handler) endOtherSessions(w http.ResponseWriter, r *http.Request) {
	if _, err := h.accounts.EndOtherSessions(r.Context(), current(r).Actor, h.token(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	toAccount(w, r, "sessions")
}
