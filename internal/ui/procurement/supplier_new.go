package procurementui

import (
	"net/http"
	"net/url"
	"strings"

	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// supplierForm is the supplier form: new (Supplier nil) or edit.
type supplierForm struct {
	Supplier   *procurement.Supplier
	Action     string
	Parents    []web.Option
	Statements []web.Option
}

var supplierFields = []string{"legal_name", "registry_number", "country", "parent_id", "sector", "statement", "statement_year",
	"statement_board", "statement_signed"}

func (h *Handler) renderSupplierForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, name string, f *supplierForm) {
	opts, err := h.supplierOptions(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	f.Parents = opts
	f.Statements = []web.Option{{Value: "", LabelKey: "procurement.statement.unanswered"},
		{Value: "yes", LabelKey: "procurement.statement.yes"}, {Value: "no", LabelKey: "procurement.statement.no"}}
	v.Data = f
	h.kit.Render(w, r, status, name, v)
}

// readSupplier reads the supplier form into v.Form and the input.
func readSupplier(r *http.Request, v *web.View) procurement.SupplierInput {
	for _, k := range supplierFields {
		v.Form[k] = r.PostFormValue(k)
	}
	return procurement.SupplierInput{LegalName: v.Form["legal_name"], RegistryNumber: v.Form["registry_number"], Country: v.Form["country"],
		ParentID: v.Form["parent_id"], Sector: v.Form["sector"], Statement: v.Form["statement"], StatementYear: v.Form["statement_year"],
		StatementBoard: checked(r, "statement_board"), StatementSigned: checked(r, "statement_signed")}
}

// newSupplierAction is where the form posts. ?for=<contract id> marks a
// supplier recorded while adding a subcontractor to that contract: saved,
// the officer goes back to that form with the supplier chosen.
func newSupplierAction(r *http.Request) (action, forContract string) {
	forContract = r.URL.Query().Get("for")
	if forContract == "" || strings.ContainsAny(forContract, "/?#%\\") {
		return "/procurement/suppliers/new", ""
	}
	return "/procurement/suppliers/new?for=" + url.QueryEscape(forContract), forContract
}

// showNewSupplier is the form that records a supplier.
func (h *Handler) showNewSupplier(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.supplier.new_title")
	action, _ := newSupplierAction(r)
	h.renderSupplierForm(w, r, http.StatusOK, v, "procurement_supplier_new", &supplierForm{Action: action})
}

// createSupplier records a supplier.
func (h *Handler) createSupplier(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.supplier.new_title")
	action, forContract := newSupplierAction(r)
	f := &supplierForm{Action: action}
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderSupplierForm(w, r, status, v, "procurement_supplier_new", f) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	s, err := h.svc.CreateSupplier(r.Context(), page.Actor(r), readSupplier(r, v))
	if err != nil {
		failed(err)
		return
	}
	if forContract != "" {
		http.Redirect(w, r, "/procurement/contracts/"+forContract+"/subcontracts/new?supplier="+url.QueryEscape(s.ID)+"&done=supplier", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/procurement/suppliers/"+s.ID+"?done=saved", http.StatusSeeOther)
}
