package ui

import (
	"net/http"
)

// showScreening shows the explained result of a screening; for a draft, the
// result on the answers so far, with the way back to the questions.
func (h *Handler) showScreening(w http.ResponseWriter, r *http.Request) {
	h.renderResult(w, r, "screening.result_title", "screening")
}

// printScreening is the printable summary: the result without links,
// names or exact age, laid out for paper by the print styles.
func (h *Handler) printScreening(w http.ResponseWriter, r *http.Request) {
	h.renderResult(w, r, "screening.print_title", "screening_print")
}

func (h *Handler) renderResult(w http.ResponseWriter, r *http.Request, titleKey, page string) {
	v := h.view(r, titleKey)
	lang := v.P.Lang()
	c, sc, res, plan, err := h.loadScreening(r, lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Data = explainResult(c, sc, res, plan, lang)
	h.shell.Render(w, r, http.StatusOK, page, v)
}
