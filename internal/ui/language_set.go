package ui

import (
	"net/http"
	"slices"

	"waymark.city/waymark/internal/i18n"
)

// submitLanguage switches the page language: a cookie for everyone, and the
// saved preference of a signed-in user.
func (h *Handler) submitLanguage(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	lang := r.PostFormValue("lang")
	known := slices.ContainsFunc(h.shell.Catalog().Languages(), func(l i18n.Language) bool { return l.Tag == lang })
	if known {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
		if cur := current(r); cur != nil {
			if err := h.accounts.SetLanguage(r.Context(), cur.Actor, lang); err != nil {
				h.fail(w, r, err)
				return
			}
		}
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("back")), http.StatusSeeOther)
}
