package api

import (
	"net/http"

	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/web"
)

// evaluateScreening answers are computed, not stored: the request carries no
// name, and nothing is written, so there is nothing to audit.
func (h *Handler) evaluateScreening(w http.ResponseWriter, r *http.Request) error {
	var in screening.Input
	if err := decode(r, &in); err != nil {
		return err
	}
	ev, err := h.screen.EvaluateExplained(in, web.Printer(r).Lang())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}

func (h *Handler) getIndicators(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, h.screen)
	return nil
}
