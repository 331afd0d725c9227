package mappingui

import (
	"net/http"

	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/ui/page"
)

type shippedRow struct {
	mapping.Shipped
	// Stored is the stored questionnaire, "" before the coordinator adds it.
	Stored string
}

type questionnaireList struct {
	Stored  []mapping.Questionnaire
	Shipped []shippedRow
}

// questionnaires lists the stored questionnaires and Waymark's own, which
// the coordinator adds with one button.
func (h *Handler) questionnaires(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.questionnaires")
	notice(v, r)
	list, err := h.mapping.Questionnaires(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	data := questionnaireList{Stored: list}
	for _, sh := range mapping.ShippedQuestionnaires() {
		row := shippedRow{Shipped: sh}
		for _, q := range list {
			if q.Slug() == sh.Slug {
				row.Stored = q.ID
			}
		}
		data.Shipped = append(data.Shipped, row)
	}
	v.Data = data
	h.kit.Render(w, r, http.StatusOK, "mapping_questionnaires", v)
}

// addShipped stores one of Waymark's own questionnaires.
func (h *Handler) addShipped(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	q, err := h.mapping.AddShipped(r.Context(), page.Actor(r), r.PostFormValue("slug"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/mapping/questionnaires/"+q.ID+"?done=added", http.StatusSeeOther)
}
