package ui

import (
	"net/http"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
)

// codePage is the data of the second-factor page.
type codePage struct {
	// Passkeys is true when the user has a key that works here, so the page
	// offers it (static/passkey.js shows the button where the browser can).
	Passkeys bool
}

// codePage says what the second-factor page offers the user of r.
func (h *Handler) codePage(r *http.Request) codePage {
	rp := h.relyingParty(r)
	if !rp.Valid() {
		return codePage{}
	}
	has, err := h.accounts.HasPasskeys(r.Context(), current(r).User.ID, rp.ID)
	if err != nil {
		// The code form works without keys; do not fail the page for them.
		h.log.Error("count passkeys", "err", err)
	}
	return codePage{Passkeys: has}
}

// beginPasskeySignIn answers the script of the second-factor page with the
// request options for the user's keys.
func (h *Handler) beginPasskeySignIn(w http.ResponseWriter, r *http.Request) {
	// A session that owes no code has nothing to verify, as on the code page.
	if current(r).Next != accounts.StepTOTP {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	rp := h.relyingParty(r)
	if !rp.Valid() {
		http.Redirect(w, r, "/login/code", http.StatusSeeOther)
		return
	}
	opts, err := h.accounts.BeginPasskeySignIn(r.Context(), h.token(r), rp, h.client(r), h.devices(r)...)
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			h.clearSession(w)
		}
		h.failJSON(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, opts)
}

// finishPasskeySignIn completes sign-in with the key's answer, posted by the
// script in the hidden field of the second-factor page's key form.
func (h *Handler) finishPasskeySignIn(w http.ResponseWriter, r *http.Request) {
	if current(r).Next != accounts.StepTOTP {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	rp := h.relyingParty(r)
	if !rp.Valid() {
		http.Redirect(w, r, "/login/code", http.StatusSeeOther)
		return
	}
	v := h.view(r, "login.code_title")
	v.Data = h.codePage(r)
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.shell.Render(w, r, statusOf(err), "login_code", v)
		return
	}
	token, err := h.accounts.VerifyPasskey(r.Context(), h.token(r), rp, []byte(r.PostFormValue("credential")), h.client(r), h.devices(r)...)
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			h.clearSession(w)
			h.toLogin(w, r)
			return
		}
		if apperr.CodeOf(err) == apperr.Internal {
			h.fail(w, r, err)
			return
		}
		v.FormError(err)
		h.shell.Render(w, r, statusOf(err), "login_code", v)
		return
	}
	h.setSession(w, token)
	h.rememberDevice(w, r, token)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
