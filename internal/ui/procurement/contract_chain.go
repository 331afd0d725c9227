package procurementui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// declareChain records that the contract has no subcontractors, or that
// its chain as listed is complete.
func (h *Handler) declareChain(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.contract.show_title")
	if err := page.ParseForm(r); err != nil {
		h.contractFormFailed(w, r, v, err)
		return
	}
	id := r.PathValue("id")
	if err := h.svc.DeclareChain(r.Context(), page.Actor(r), id, r.PostFormValue("chain")); err != nil {
		h.contractFormFailed(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/procurement/contracts/"+id+"?done=chain#chain", http.StatusSeeOther)
}
