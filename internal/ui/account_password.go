package ui

import (
	"net/http"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
)

// changePassword checks the current password, sets the new one and ends the
// user's other sessions.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.renderAccount(w, r, statusOf(err), err, nil)
		return
	}
	in := accounts.PasswordChange{
		Current: r.PostFormValue("current_password"),
		New:     r.PostFormValue("new_password"),
		Confirm: r.PostFormValue("confirm_password"),
	}
	err := h.accounts.ChangePassword(r.Context(), current(r).Actor, h.token(r), in, h.client(r))
	if err != nil {
		if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.TooMany) {
			h.renderAccount(w, r, statusOf(err), err, nil)
			return
		}
		h.fail(w, r, err)
		return
	}
	toAccount(w, r, "password")
}
