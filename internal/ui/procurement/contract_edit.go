package procurementui

import (
	"net/http"
	"strconv"
	"strings"

	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// fillContract puts a contract into the form's values.
func fillContract(v *web.View, c procurement.Contract) {
	v.Form["authority"], v.Form["subject"], v.Form["cpv"] = c.Authority, c.Subject, c.CPV
	v.Form["value"], v.Form["currency"], v.Form["starts_on"], v.Form["ends_on"] = c.ValueText(), c.Currency, c.StartsOn, c.EndsOn
	v.Form["supplier_id"], v.Form["goods"], v.Form["review_on"] = c.SupplierID, strings.Join(c.Goods, "\n"), c.ReviewOn
	v.Form["remind_days"], v.Form["social_clause"], v.Form["slavery_clause"] = strconv.Itoa(c.RemindDays), flag(c.SocialClause), flag(c.SlaveryClause)
}

// showEdit is the form that changes a contract's details.
func (h *Handler) showEdit(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.contract.edit_title")
	c, err := h.svc.Contract(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	fillContract(v, c)
	h.renderContractForm(w, r, http.StatusOK, v, "procurement_contract_edit", &contractForm{Contract: &c, Action: "/procurement/contracts/" + c.ID + "/edit"})
}

// update changes a contract's details.
func (h *Handler) update(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.contract.edit_title")
	c, err := h.svc.Contract(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	f := &contractForm{Contract: &c, Action: "/procurement/contracts/" + c.ID + "/edit"}
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderContractForm(w, r, status, v, "procurement_contract_edit", f) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	if _, err := h.svc.UpdateContract(r.Context(), page.Actor(r), c.ID, readContract(r, v)); err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/contracts/"+c.ID+"?done=saved", http.StatusSeeOther)
}
