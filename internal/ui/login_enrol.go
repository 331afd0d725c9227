package ui

import (
	"encoding/base64"
	"html/template"
	"net/http"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
)

type enrolPage struct {
	Secret string
	QR     template.URL
}

func (h *Handler) renderEnrol(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	v := h.view(r, "enrol.title")
	e, err := h.accounts.BeginEnrolment(r.Context(), h.token(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The QR code is our own PNG as a data: URL; the CSP allows data: images only.
	v.Data = enrolPage{Secret: e.Secret, QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRPNG))}
	if formErr != nil {
		v.FormError(formErr)
	}
	h.shell.Render(w, r, status, "login_enrol", v)
}

func (h *Handler) showEnrol(w http.ResponseWriter, r *http.Request) {
	if current(r).Next != accounts.StepEnrol {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	h.renderEnrol(w, r, http.StatusOK, nil)
}

func (h *Handler) submitEnrol(w http.ResponseWriter, r *http.Request) {
	// A session that owes no enrolment has nothing to confirm, as on the GET.
	if current(r).Next != accounts.StepEnrol {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if err := parseForm(r); err != nil {
		h.renderEnrol(w, r, statusOf(err), err)
		return
	}
	codes, token, err := h.accounts.ConfirmEnrolment(r.Context(), h.token(r), r.PostFormValue("code"))
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			h.renderEnrol(w, r, statusOf(err), err)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.setSession(w, token)
	h.rememberDevice(w, r, token)
	// Recovery codes are shown once, on this response, and never stored in plain text.
	v := h.view(r, "enrol.codes_title")
	v.Nav = nil
	v.Data = codes
	h.shell.Render(w, r, http.StatusOK, "login_recovery", v)
}
