package ui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/apperr"
)

// liftHold ends a legal hold before its day.
func (h *Handler) liftHold(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("hold"))
	if err != nil || n < 1 {
		h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	id := r.PathValue("id")
	if err := h.dataprotection.LiftHold(r.Context(), actor(r), id, n); err != nil {
		v := h.view(r, "data.title")
		v.FormError(err)
		h.renderData(w, r, statusOf(err), v)
		return
	}
	http.Redirect(w, r, "/cases/"+id+"/data?done=lifted", http.StatusSeeOther)
}
