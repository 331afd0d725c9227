package procurementui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// contractForm is the contract form: new (Contract nil) or edit.
type contractForm struct {
	Contract  *procurement.Contract
	Action    string
	Suppliers []web.Option
}

var contractFields = []string{"authority", "subject", "cpv", "value", "currency", "starts_on", "ends_on", "supplier_id", "goods",
	"review_on", "remind_days", "social_clause", "slavery_clause"}

func (h *Handler) renderContractForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, name string, f *contractForm) {
	opts, err := h.supplierOptions(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	f.Suppliers = opts
	v.Data = f
	h.kit.Render(w, r, status, name, v)
}

// readContract reads the contract form into v.Form and the input.
func readContract(r *http.Request, v *web.View) procurement.ContractInput {
	for _, k := range contractFields {
		v.Form[k] = r.PostFormValue(k)
	}
	return procurement.ContractInput{Authority: v.Form["authority"], Subject: v.Form["subject"], CPV: v.Form["cpv"],
		Value: v.Form["value"], Currency: v.Form["currency"], StartsOn: v.Form["starts_on"], EndsOn: v.Form["ends_on"],
		SupplierID: v.Form["supplier_id"], Goods: v.Form["goods"], ReviewOn: v.Form["review_on"], RemindDays: v.Form["remind_days"],
		SocialClause: checked(r, "social_clause"), SlaveryClause: checked(r, "slavery_clause")}
}

// showNew is the form that records a contract.
func (h *Handler) showNew(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.contract.new_title")
	v.Form["currency"], v.Form["remind_days"] = "EUR", strconv.Itoa(procurement.DefaultRemindDays)
	h.renderContractForm(w, r, http.StatusOK, v, "procurement_contract_new", &contractForm{Action: "/procurement/contracts/new"})
}

// create records a contract as a draft.
func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.contract.new_title")
	f := &contractForm{Action: "/procurement/contracts/new"}
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderContractForm(w, r, status, v, "procurement_contract_new", f) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	c, err := h.svc.CreateContract(r.Context(), page.Actor(r), readContract(r, v))
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/contracts/"+c.ID+"?done=saved", http.StatusSeeOther)
}
