package ui

import (
	"net/http"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
)

func (h *Handler) showCode(w http.ResponseWriter, r *http.Request) {
	cur := current(r)
	if cur.Next != accounts.StepTOTP {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	v := h.view(r, "login.code_title")
	v.Data = h.codePage(r)
	h.shell.Render(w, r, http.StatusOK, "login_code", v)
}

func (h *Handler) submitCode(w http.ResponseWriter, r *http.Request) {
	// A session that owes no code has nothing to verify, as on the GET.
	if current(r).Next != accounts.StepTOTP {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	v := h.view(r, "login.code_title")
	v.Data = h.codePage(r)
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.shell.Render(w, r, statusOf(err), "login_code", v)
		return
	}
	token, err := h.accounts.VerifySecondFactor(r.Context(), h.token(r), r.PostFormValue("code"), h.client(r), h.devices(r)...)
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			h.clearSession(w)
			h.toLogin(w, r)
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
