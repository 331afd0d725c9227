package ui

import (
	"net/http"

	"waymark.city/waymark/internal/accounts"
)

// activationLinkPage shows a new activation link once, for the creator to
// hand to the account's owner (installations without mail).
type activationLinkPage struct {
	User       accounts.User
	Link       string
	Activation accounts.Activation
}

// issueUserActivation sends a new activation link to an account not yet
// activated (the first expired or got lost); older links stop working.
func (h *Handler) issueUserActivation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	link, err := h.accounts.IssueActivation(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.accounts.GetUser(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showActivationLink(w, r, u, link, "users.activation_new")
}

// showActivationLink answers the creation of an account or of a new link.
// A mailed link is never shown: the account page says it was sent. A link
// to hand over is shown on this one answer and never stored in the clear,
// so it appears nowhere else (not in a redirect, the history or a log).
func (h *Handler) showActivationLink(w http.ResponseWriter, r *http.Request, u accounts.User, link accounts.Activation, noticeKey string) {
	if link.Token == "" {
		outcome := "mailed"
		if link.MailFailed {
			outcome = "mail_failed"
		}
		http.Redirect(w, r, "/users/"+u.ID+"?activation="+outcome, http.StatusSeeOther)
		return
	}
	v := h.view(r, "users.activation_title")
	v.Notice = v.P.T(noticeKey, "name", u.Username)
	v.Data = activationLinkPage{User: u, Link: h.baseURL(r) + "/activate/" + link.Token, Activation: link}
	h.shell.Render(w, r, http.StatusCreated, "user_activation", v)
}

// activationNotice is the account page's notice after a link was mailed,
// or could not be.
func activationNotice(outcome string) (key string, ok bool) {
	switch outcome {
	case "mailed":
		return "users.activation_mailed", true
	case "mail_failed":
		return "users.activation_mail_failed", true
	}
	return "", false
}
