package ui

import (
	"net/http"
	"net/url"
	"path"
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
	http.Redirect(w, r, h.landing(safeNext(r.PostFormValue("back"))), http.StatusSeeOther)
}

// landing is where to come back to after switching language: the page the
// switch was on, unless that page answered a form at an address only
// forms are sent to (a refused upload, a refused award): reloading it would
// answer "method not allowed", so the nearest page above it is shown
// instead, e.g. the contract for its refused status change.
func (h *Handler) landing(back string) string {
	serves := func(method, p string) bool {
		_, pattern := h.patterns.Handler(&http.Request{Method: method, URL: &url.URL{Path: p}, Host: "waymark"})
		return pattern != ""
	}
	u, err := url.Parse(back)
	if err != nil {
		return "/"
	}
	for p := u.Path; p != "/"; p = path.Dir(p) {
		if serves(http.MethodGet, p) || !serves(http.MethodPost, p) {
			if p == u.Path {
				return back
			}
			return p
		}
	}
	return "/"
}
