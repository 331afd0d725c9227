package mappingui

import (
	"net/http"

	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type roundForm struct {
	Questionnaires []mapping.Questionnaire
	Chosen         map[string]bool
	Areas          []mapping.Area
	ChosenAreas    map[string]bool
}

func (h *Handler) renderRoundForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, chosen, areas []string) {
	list, err := h.mapping.Questionnaires(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	all, err := h.mapping.Areas(r.Context())
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	d := roundForm{Questionnaires: list, Chosen: map[string]bool{}, Areas: all, ChosenAreas: map[string]bool{}}
	for _, id := range chosen {
		d.Chosen[id] = true
	}
	for _, c := range areas {
		d.ChosenAreas[c] = true
	}
	v.Data = d
	h.kit.Render(w, r, status, "mapping_round_new", v)
}

// newRound is the form of a new round.
func (h *Handler) newRound(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.round_new")
	v.Form["open"] = "on"
	h.renderRoundForm(w, r, http.StatusOK, v, nil, nil)
}

// createRound creates a round, open at once unless kept as a draft.
func (h *Handler) createRound(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.round_new")
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	for _, k := range []string{"title", "period_start", "period_end", "open"} {
		v.Form[k] = r.PostFormValue(k)
	}
	in := mapping.RoundInput{Title: v.Form["title"], QuestionnaireIDs: r.PostForm["questionnaires"], Areas: r.PostForm["areas"],
		PeriodStart: v.Form["period_start"], PeriodEnd: v.Form["period_end"], Open: v.Form["open"] == "on"}
	rd, err := h.mapping.CreateRound(r.Context(), page.Actor(r), in)
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderRoundForm(w, r, status, v, in.QuestionnaireIDs, in.Areas) })
		return
	}
	http.Redirect(w, r, "/mapping/rounds/"+rd.ID+"?done=created", http.StatusSeeOther)
}
