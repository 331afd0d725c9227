package ui

import (
	"net/http"

	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/web"
)

type sharesPage struct {
	Shares  []cases.Share
	Reasons []web.Option
}

// listShares lists cases other organisations shared with or want to
// transfer to the worker's organisation.
func (h *Handler) listShares(w http.ResponseWriter, r *http.Request) {
	h.renderShares(w, r, http.StatusOK, h.view(r, "shares.title"))
}

func (h *Handler) renderShares(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	list, err := h.cases.Incoming(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Data = sharesPage{Shares: list, Reasons: codeOptions("form.choose", "sharing.decline.", cases.ShareDeclineReasons())}
	h.shell.Render(w, r, status, "shares", v)
}

// acceptShare takes a shared or transferred case on.
func (h *Handler) acceptShare(w http.ResponseWriter, r *http.Request) { h.respondShare(w, r, true) }

// declineShare declines it with a reason.
func (h *Handler) declineShare(w http.ResponseWriter, r *http.Request) { h.respondShare(w, r, false) }

func (h *Handler) respondShare(w http.ResponseWriter, r *http.Request, accept bool) {
	v := h.view(r, "shares.title")
	err := parseForm(r)
	var sh cases.Share
	if err == nil {
		v.Form["reason"] = r.PostFormValue("reason")
		sh, err = h.cases.RespondShare(r.Context(), actor(r), r.PathValue("id"), accept, v.Form["reason"])
	}
	switch {
	case err != nil:
		h.formFailed(w, r, v, err, func(status int) { h.renderShares(w, r, status, v) })
	case accept:
		http.Redirect(w, r, "/cases/"+sh.CaseID, http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/shares", http.StatusSeeOther)
	}
}
