package web

import "net/http"

// SessionCookie names and writes the session cookie. Over HTTPS it is
// Secure with the __Host- prefix (bound to this host, path /); always
// HttpOnly and SameSite=Lax.
type SessionCookie struct {
	Secure bool
}

// Name is the cookie name.
func (c SessionCookie) Name() string {
	if c.Secure {
		return "__Host-waymark"
	}
	return "waymark"
}

// Token returns the session token of r, or "".
func (c SessionCookie) Token(r *http.Request) string {
	ck, err := r.Cookie(c.Name())
	if err != nil {
		return ""
	}
	return ck.Value
}

// Set writes the session cookie (a session cookie: it ends with the browser).
func (c SessionCookie) Set(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: c.Name(), Value: token, Path: "/", HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode})
}

// Clear removes the session cookie.
func (c SessionCookie) Clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: c.Name(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode})
}
