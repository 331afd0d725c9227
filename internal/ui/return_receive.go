package ui

import (
	"net/http"
	"strings"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/returns"
)

// confirmReception records that the person was received abroad. The page
// then proposes the case's next move; nothing moves by itself.
func (h *Handler) confirmReception(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "return.title")
	err := parseForm(r)
	if err == nil {
		v.Form["received_at"], v.Form["received_by"] = r.PostFormValue("received_at"), r.PostFormValue("received_by")
		in := returns.Reception{By: v.Form["received_by"]}
		if at := strings.TrimSpace(v.Form["received_at"]); at != "" {
			t, perr := time.ParseInLocation("2006-01-02T15:04", at, time.Local)
			if perr != nil {
				err = apperr.Validation(apperr.FieldError{Field: "received_at", Key: "error.return.datetime"})
			}
			in.At = t
		}
		if err == nil {
			err = h.returns.ConfirmReception(r.Context(), actor(r), r.PathValue("id"), in)
		}
	}
	h.afterReturn(w, r, v, err, "received", "#reception")
}
