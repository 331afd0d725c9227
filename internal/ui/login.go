package ui

import (
	"net/http"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
)

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request) {
	if cur := current(r); cur != nil && cur.Next == accounts.StepDone {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	v := h.view(r, "login.title")
	v.Form["next"] = safeNext(r.URL.Query().Get("next"))
	h.shell.Render(w, r, http.StatusOK, "login", v)
}

func (h *Handler) submitLogin(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "login.title")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.shell.Render(w, r, statusOf(err), "login", v)
		return
	}
	v.Form["username"] = r.PostFormValue("username")
	v.Form["next"] = safeNext(r.PostFormValue("next"))
	res, err := h.accounts.SignIn(r.Context(), r.PostFormValue("username"), r.PostFormValue("password"), h.client(r), h.devices(r)...)
	if err != nil {
		if !apperr.Is(err, apperr.Unauthorized) && !apperr.Is(err, apperr.TooMany) {
			h.fail(w, r, err)
			return
		}
		v.FormError(err)
		h.shell.Render(w, r, statusOf(err), "login", v)
		return
	}
	h.setSession(w, res.Token)
	switch res.Next {
	case accounts.StepDone:
		h.rememberDevice(w, r, res.Token)
		http.Redirect(w, r, v.Form["next"], http.StatusSeeOther)
	default:
		http.Redirect(w, r, nextStepPath(res.Next), http.StatusSeeOther)
	}
}

func (h *Handler) submitLogout(w http.ResponseWriter, r *http.Request) {
	if err := h.accounts.SignOut(r.Context(), h.token(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.clearSession(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
