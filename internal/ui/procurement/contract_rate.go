package procurementui

import (
	"net/http"

	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
)

// rate records the six characteristics' levels with their reasons.
func (h *Handler) rate(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.contract.show_title")
	if err := page.ParseForm(r); err != nil {
		h.contractFormFailed(w, r, v, err)
		return
	}
	var ratings []procurement.Rating
	for _, c := range procurement.Characteristics() {
		v.Form["level_"+c], v.Form["reason_"+c] = r.PostFormValue("level_"+c), r.PostFormValue("reason_"+c)
		ratings = append(ratings, procurement.Rating{Characteristic: c, Level: v.Form["level_"+c], Reason: v.Form["reason_"+c]})
	}
	id := r.PathValue("id")
	if _, err := h.svc.Rate(r.Context(), page.Actor(r), id, ratings); err != nil {
		h.contractFormFailed(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/procurement/contracts/"+id+"?done=rated#rating", http.StatusSeeOther)
}
