package procurementui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// fillSupplier puts a supplier into the form's values.
func fillSupplier(v *web.View, s procurement.Supplier) {
	v.Form["legal_name"], v.Form["registry_number"], v.Form["country"] = s.LegalName, s.RegistryNumber, s.Country
	v.Form["parent_id"], v.Form["sector"], v.Form["statement"] = s.ParentID, s.Sector, s.Statement
	if s.StatementYear > 0 {
		v.Form["statement_year"] = strconv.Itoa(s.StatementYear)
	}
	v.Form["statement_board"], v.Form["statement_signed"] = flag(s.StatementBoard), flag(s.StatementSigned)
}

// showEditSupplier is the form that changes a supplier.
func (h *Handler) showEditSupplier(w http.ResponseWriter, r *http.Request) {
	h.editSupplier(w, r, false)
}

// updateSupplier changes a supplier.
func (h *Handler) updateSupplier(w http.ResponseWriter, r *http.Request) {
	h.editSupplier(w, r, true)
}

func (h *Handler) editSupplier(w http.ResponseWriter, r *http.Request, post bool) {
	v := h.kit.View(r, "procurement.supplier.edit_title")
	s, err := h.svc.Supplier(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	f := &supplierForm{Supplier: &s, Action: "/procurement/suppliers/" + s.ID + "/edit"}
	if !post {
		fillSupplier(v, s)
		h.renderSupplierForm(w, r, http.StatusOK, v, "procurement_supplier_edit", f)
		return
	}
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderSupplierForm(w, r, status, v, "procurement_supplier_edit", f) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	if _, err := h.svc.UpdateSupplier(r.Context(), page.Actor(r), s.ID, readSupplier(r, v)); err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/suppliers/"+s.ID+"?done=saved", http.StatusSeeOther)
}
