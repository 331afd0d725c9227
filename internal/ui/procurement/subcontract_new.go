package procurementui

import (
	"net/http"

	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// subcontractPage is the form that adds a subcontractor to a contract's
// chain: under the contract's supplier or a subcontractor already in it.
type subcontractPage struct {
	Contract  procurement.Contract
	Parents   []web.Option
	Suppliers []web.Option
}

// renderSubcontract renders the form at status.
func (h *Handler) renderSubcontract(w http.ResponseWriter, r *http.Request, status int, v *web.View, id string) {
	ctx, actor := r.Context(), page.Actor(r)
	c, err := h.svc.Contract(ctx, actor, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	chain, err := h.svc.Chain(ctx, actor, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p := subcontractPage{Contract: c, Parents: []web.Option{{Value: "", LabelKey: "procurement.choose"}}}
	if c.SupplierID != "" {
		p.Parents = append(p.Parents, web.Option{Value: c.SupplierID, Label: c.SupplierName})
	}
	for _, k := range chain {
		p.Parents = append(p.Parents, web.Option{Value: k.SupplierID, Label: k.SupplierName})
	}
	if p.Suppliers, err = h.supplierOptions(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Data = p
	h.kit.Render(w, r, status, "procurement_subcontract_new", v)
}

// showNewSubcontract is the form, on a page of its own: the contract page
// shows the chain as recorded.
func (h *Handler) showNewSubcontract(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.chain.add")
	if id := r.URL.Query().Get("supplier"); id != "" {
		v.Form["supplier_id"] = id
		if r.URL.Query().Get("done") == "supplier" {
			v.Notice = v.P.T("procurement.done.supplier_back")
		}
	}
	h.renderSubcontract(w, r, http.StatusOK, v, r.PathValue("id"))
}

// addSubcontract adds a link to the contract's chain.
func (h *Handler) addSubcontract(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.chain.add")
	id := r.PathValue("id")
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderSubcontract(w, r, status, v, id) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	v.Form["parent_id"], v.Form["supplier_id"] = r.PostFormValue("parent_id"), r.PostFormValue("supplier_id")
	if _, err := h.svc.AddSubcontract(r.Context(), page.Actor(r), id, v.Form["parent_id"], v.Form["supplier_id"]); err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/contracts/"+id+"?done=subcontract#chain", http.StatusSeeOther)
}
