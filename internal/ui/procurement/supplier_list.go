package procurementui

import (
	"net/http"

	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
)

// supplierListPage is every supplier.
type supplierListPage struct {
	Suppliers []procurement.Supplier
	CanManage bool
}

// suppliers lists the suppliers and subcontractors.
func (h *Handler) suppliers(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.supplier.list_title")
	list, err := h.svc.Suppliers(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Data = supplierListPage{Suppliers: list, CanManage: canManage(r)}
	h.kit.Render(w, r, http.StatusOK, "procurement_supplier_list", v)
}
