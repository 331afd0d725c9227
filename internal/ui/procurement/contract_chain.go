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

// addSubcontract adds a link to the contract's chain.
func (h *Handler) addSubcontract(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.contract.show_title")
	if err := page.ParseForm(r); err != nil {
		h.contractFormFailed(w, r, v, err)
		return
	}
	v.Form["parent_id"], v.Form["supplier_id"] = r.PostFormValue("parent_id"), r.PostFormValue("supplier_id")
	id := r.PathValue("id")
	if _, err := h.svc.AddSubcontract(r.Context(), page.Actor(r), id, v.Form["parent_id"], v.Form["supplier_id"]); err != nil {
		h.contractFormFailed(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/procurement/contracts/"+id+"?done=subcontract#chain", http.StatusSeeOther)
}
