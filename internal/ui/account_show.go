package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/web"
)

// accountPage is the data of "My account".
type accountPage struct {
	Account accounts.Account
	// SteppedUp is true while a recent step-up covers the changes of second
	// factors (new recovery codes, adding or removing a key).
	SteppedUp bool
	// PasskeysWork is false where browsers cannot use passkeys at all (the
	// site is reached by an IP address).
	PasskeysWork bool
	// PasskeysAsked is true when sign-in asks this account for a second
	// step, the one a key can answer.
	PasskeysAsked bool
}

// accountNotices are the confirmations a redirect to /account?done=… shows.
var accountNotices = map[string]string{
	"password":        "account.notice_password",
	"sessions":        "account.notice_sessions",
	"passkey_added":   "account.notice_passkey_added",
	"passkey_removed": "account.notice_passkey_removed",
	"passkey_expired": "passkey.expired",
}

func (h *Handler) showAccount(w http.ResponseWriter, r *http.Request) {
	h.renderAccount(w, r, http.StatusOK, nil, nil)
}

// renderAccount renders "My account" with status; formErr fills the error
// summary and the messages next to fields, and form keeps what was typed.
func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, status int, formErr error, form map[string]string) {
	cur := current(r)
	a, err := h.accounts.Account(r.Context(), cur.Actor, h.token(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.view(r, "account.title")
	for k, val := range form {
		v.Form[k] = val
	}
	if key, ok := accountNotices[r.URL.Query().Get("done")]; ok && formErr == nil {
		v.Notice = v.P.T(key)
	}
	if formErr != nil {
		v.FormError(formErr)
	}
	v.Data = accountPage{
		Account:       a,
		SteppedUp:     cur.Actor.SteppedUp,
		PasskeysWork:  h.relyingParty(r).Valid(),
		PasskeysAsked: a.User.TOTPEnabled,
	}
	h.shell.Render(w, r, status, "account", v)
}

// toAccount sends the browser back to "My account" with a confirmation.
func toAccount(w http.ResponseWriter, r *http.Request, done string) {
	target := "/account"
	if done != "" {
		target += "?done=" + url.QueryEscape(done)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// toStepUp asks for a step-up and comes back to "My account": the POST
// that needed it cannot be repeated by a redirect.
func toStepUp(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/stepup?next="+url.QueryEscape("/account"), http.StatusSeeOther)
}

// relyingParty is this installation as WebAuthn sees it: taken from the
// configured public URL (Deps.PublicURL). Until the app passes one, it falls
// back to the scheme and Host of the request. The fallback trusts Host only
// to name the party: browsers sign the origin they really show and refuse a
// name that does not belong to it, so a forged Host header makes the
// ceremony fail rather than binds a key to another site.
func (h *Handler) relyingParty(r *http.Request) accounts.RelyingParty {
	base := h.publicURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil || h.secure {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return accounts.RelyingParty{}
	}
	return accounts.RelyingParty{ID: strings.ToLower(u.Hostname()), Origin: u.Scheme + "://" + strings.ToLower(u.Host)}
}

// writeJSON answers a script's request with a JSON body.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// failJSON answers a script's request with an error in the JSON API's shape.
func (h *Handler) failJSON(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	status := web.StatusOf(e.Code)
	if status >= 500 {
		h.log.Error("request failed", "route", web.Route(r), "err", err)
	}
	body, _ := json.Marshal(map[string]any{"error": map[string]any{"code": e.Code, "message": web.Printer(r).Error(err)}})
	writeJSON(w, status, body)
}
