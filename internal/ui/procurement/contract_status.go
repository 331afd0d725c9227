package procurementui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// status awards or ends a contract; an award refused lists what is
// missing at the top of the page.
func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.contract.show_title")
	if err := page.ParseForm(r); err != nil {
		h.contractFormFailed(w, r, v, err)
		return
	}
	id := r.PathValue("id")
	if err := h.svc.SetStatus(r.Context(), page.Actor(r), id, r.PostFormValue("status")); err != nil {
		h.contractFormFailed(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/procurement/contracts/"+id+"?done=status", http.StatusSeeOther)
}
