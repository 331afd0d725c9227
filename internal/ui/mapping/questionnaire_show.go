package mappingui

import (
	"net/http"

	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/ui/page"
)

type preview struct {
	Questionnaire mapping.Questionnaire
	State         *forms.State
}

// preview shows a stored questionnaire as respondents will see it.
func (h *Handler) preview(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.preview_title")
	notice(v, r)
	q, form, err := h.mapping.Preview(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Data = preview{Questionnaire: q, State: form.Evaluate(forms.Answers{}, v.P.Lang()).Show(v.P, nil)}
	h.kit.Render(w, r, http.StatusOK, "mapping_preview", v)
}
