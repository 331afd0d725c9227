package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/auth"
)

// The device cookie holds the device tokens of the accounts that completed
// a sign-in in this browser (accounts.RememberDevice), dot-separated; a
// sign-in to one of them is not slowed by failures from other clients.
const (
	deviceCookieMax   = 4  // tokens read, as many as accounts keeps
	deviceTokenMaxLen = 64 // longer than any real token
	deviceCookieLife  = auth.DeviceTokenLife
)

func (h *Handler) deviceCookieName() string {
	if h.secure {
		return "__Host-waymark-device"
	}
	return "waymark-device"
}

// devices are the device tokens the browser sent, at most deviceCookieMax,
// too long ones left out.
func (h *Handler) devices(r *http.Request) []string {
	c, err := r.Cookie(h.deviceCookieName())
	if err != nil {
		return nil
	}
	var out []string
	for _, t := range strings.SplitN(c.Value, ".", deviceCookieMax+1) {
		if len(out) < deviceCookieMax && t != "" && len(t) <= deviceTokenMaxLen {
			out = append(out, t)
		}
	}
	return out
}

// rememberDevice gives the browser a device token for the account whose
// session just completed. The sign-in stands if that fails: the browser
// is then only as unknown as before.
func (h *Handler) rememberDevice(w http.ResponseWriter, r *http.Request, session string) {
	tokens, err := h.accounts.RememberDevice(r.Context(), session, h.devices(r))
	if err != nil {
		h.log.Warn("device token not issued", "err", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: h.deviceCookieName(), Value: strings.Join(tokens, "."), Path: "/",
		MaxAge: int(deviceCookieLife.Seconds()), HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteStrictMode})
}
