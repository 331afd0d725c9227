package ui

import (
	"context"
	"net/http"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/web"
)

// intakeChange is one change of a report or call from a posted form; it
// returns the page to go to next ("" for the record's own page).
type intakeChange func(ctx context.Context, svc *intake.Service, a access.Actor, scope access.Scope, id string, form map[string]string) (string, error)

// intakePage is the page a report's or a call's forms come back to.
type intakePage struct {
	titleKey string
	action   access.Action
	path     string // the record's page without its id, e.g. "/reports/"
	render   func(w http.ResponseWriter, r *http.Request, status int, v *web.View)
}

// intakeAction runs one change of a report or call from a posted form and
// goes back to the record with a notice (done names it), or to the page do
// returns; a problem the user can fix shows on the record's page with the
// form kept.
func (h *Handler) intakeAction(w http.ResponseWriter, r *http.Request, page intakePage, fields []string, done string, do intakeChange) {
	v := h.view(r, page.titleKey)
	svc := h.intake
	a := actor(r)
	scope, err := access.Authorize(a, page.action)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		v.FormError(err)
		page.render(w, r, statusOf(err), v)
		return
	}
	for _, k := range fields {
		v.Form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	id := r.PathValue("id")
	next, err := do(r.Context(), svc, a, scope, id, v.Form)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
			h.fail(w, r, err)
			return
		}
		v.FormError(err)
		page.render(w, r, statusOf(err), v)
		return
	}
	if next == "" {
		next = page.path + id + "?done=" + done
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
