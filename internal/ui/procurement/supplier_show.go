package procurementui

import (
	"net/http"

	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
)

// supplierPage is a supplier with the contracts it works on.
type supplierPage struct {
	Supplier  procurement.Supplier
	Contracts []procurement.Contract
	CanManage bool
}

// showSupplier is one supplier.
func (h *Handler) showSupplier(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.supplier.show_title")
	ctx, actor := r.Context(), page.Actor(r)
	s, err := h.svc.Supplier(ctx, actor, r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	contracts, err := h.svc.SupplierContracts(ctx, actor, s.ID)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = v.P.T("procurement.done.supplier")
	}
	v.Data = supplierPage{Supplier: s, Contracts: contracts, CanManage: canManage(r)}
	h.kit.Render(w, r, http.StatusOK, "procurement_supplier_show", v)
}
