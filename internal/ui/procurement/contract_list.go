package procurementui

import (
	"net/http"

	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
)

// listPage is the contract list with today's date to mark due reviews.
type listPage struct {
	Contracts []procurement.Contract
	Today     string
	CanManage bool
}

// list shows the contracts with their risk, status and review date.
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.title")
	list, err := h.svc.Contracts(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Data = listPage{Contracts: list, Today: h.svc.Today(), CanManage: canManage(r)}
	h.kit.Render(w, r, http.StatusOK, "procurement_contract_list", v)
}
