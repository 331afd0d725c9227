package ui

import (
	"errors"
	"net/http"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
)

// Adding a passkey takes two requests from static/passkey.js: begin returns
// the creation options as JSON; the browser asks the key; the script then
// submits the account page's form with the key's answer in a hidden field,
// so finishing is an ordinary form post with ordinary error display.

// beginPasskeyRegistration answers the script with the creation options.
func (h *Handler) beginPasskeyRegistration(w http.ResponseWriter, r *http.Request) {
	rp := h.relyingParty(r)
	if !rp.Valid() {
		// Passkeys cannot work at this address; the account page says so.
		toAccount(w, r, "")
		return
	}
	opts, err := h.accounts.BeginPasskeyRegistration(r.Context(), current(r).Actor, h.token(r), rp)
	if err != nil {
		h.failJSON(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, opts)
}

// finishPasskeyRegistration stores the key the browser created.
func (h *Handler) finishPasskeyRegistration(w http.ResponseWriter, r *http.Request) {
	rp := h.relyingParty(r)
	if !rp.Valid() {
		toAccount(w, r, "")
		return
	}
	if err := parseForm(r); err != nil {
		h.renderAccount(w, r, statusOf(err), err, nil)
		return
	}
	name := r.PostFormValue("name")
	_, err := h.accounts.FinishPasskeyRegistration(r.Context(), current(r).Actor, h.token(r), rp, name, []byte(r.PostFormValue("credential")))
	switch {
	case err == nil:
		toAccount(w, r, "passkey_added")
	case errors.Is(err, accounts.ErrNoCeremony):
		// Nothing in progress for this session (expired, or a form sent
		// twice): nothing to store; say so on the account page.
		toAccount(w, r, "passkey_expired")
	case apperr.Is(err, apperr.StepUp):
		toStepUp(w, r)
	case apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.Conflict):
		h.renderAccount(w, r, statusOf(err), err, map[string]string{"name": name})
	default:
		h.fail(w, r, err)
	}
}

// removePasskey deletes one of the user's keys. A key that is not the
// user's (or no longer exists) changes nothing, is audited as refused, and
// leads back to the account page, which lists what is left.
func (h *Handler) removePasskey(w http.ResponseWriter, r *http.Request) {
	err := h.accounts.RemovePasskey(r.Context(), current(r).Actor, r.PathValue("key"))
	switch {
	case err == nil:
		toAccount(w, r, "passkey_removed")
	case apperr.Is(err, apperr.NotFound):
		toAccount(w, r, "")
	case apperr.Is(err, apperr.StepUp):
		toStepUp(w, r)
	case apperr.Is(err, apperr.Conflict):
		h.renderAccount(w, r, statusOf(err), err, nil)
	default:
		h.fail(w, r, err)
	}
}
