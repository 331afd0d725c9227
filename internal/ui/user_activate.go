package ui

import (
	"net/http"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/web"
)

// activatePage is the owner's page behind an activation link.
type activatePage struct {
	Token   string
	Account accounts.PendingAccount
	// Broken is the translated reason a link no longer works.
	Broken string
}

// showActivate asks the owner of a new account for their password, or says
// why the link no longer works (unknown, used, expired).
func (h *Handler) showActivate(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "activate.title")
	token := r.PathValue("token")
	p, err := h.accounts.PendingActivation(r.Context(), token)
	if err != nil {
		h.renderActivate(w, r, v, token, p, err)
		return
	}
	v.Data = activatePage{Token: token, Account: p}
	h.shell.Render(w, r, http.StatusOK, "activate", v)
}

// submitActivate sets the owner's password and continues to the set-up of
// the authenticator app, like a first sign-in.
func (h *Handler) submitActivate(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "activate.title")
	token := r.PathValue("token")
	if err := parseForm(r); err != nil {
		h.renderActivate(w, r, v, token, accounts.PendingAccount{}, err)
		return
	}
	res, err := h.accounts.Activate(r.Context(), token, r.PostFormValue("password"), r.PostFormValue("confirm"))
	if err != nil {
		p, _ := h.accounts.PendingActivation(r.Context(), token)
		h.renderActivate(w, r, v, token, p, err)
		return
	}
	h.setSession(w, res.Token)
	if res.Next == accounts.StepDone {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, nextStepPath(res.Next), http.StatusSeeOther)
}

// renderActivate shows the form again with a field error, or without a
// form when the link itself is refused.
func (h *Handler) renderActivate(w http.ResponseWriter, r *http.Request, v *web.View, token string, p accounts.PendingAccount, err error) {
	page := activatePage{Token: token, Account: p}
	switch {
	case apperr.Is(err, apperr.Invalid):
		v.FormError(err)
	case apperr.Is(err, apperr.NotFound), apperr.Is(err, apperr.Conflict):
		page.Broken = v.P.Error(err)
	default:
		h.fail(w, r, err)
		return
	}
	v.Data = page
	h.shell.Render(w, r, statusOf(err), "activate", v)
}
