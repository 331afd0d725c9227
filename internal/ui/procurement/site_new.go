package procurementui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// siteForm is the site form: new (Site nil) or edit, for a contract.
type siteForm struct {
	Contract  procurement.Contract
	Site      *procurement.Site
	Action    string
	Suppliers []web.Option
	Types     []web.Option
}

var siteFields = []string{"supplier_id", "name", "address", "country", "type", "workers", "migrant_share", "agency_share",
	"seasonal_share", "labour_provider", "accommodation"}

// renderSiteForm fills in the choices: the contract's supplier and its
// subcontractors.
func (h *Handler) renderSiteForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, name string, f *siteForm) {
	chain, err := h.svc.Chain(r.Context(), page.Actor(r), f.Contract.ID)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	f.Suppliers = []web.Option{{Value: "", LabelKey: "procurement.choose"}}
	if f.Contract.SupplierID != "" {
		f.Suppliers = append(f.Suppliers, web.Option{Value: f.Contract.SupplierID, Label: f.Contract.SupplierName})
	}
	for _, k := range chain {
		f.Suppliers = append(f.Suppliers, web.Option{Value: k.SupplierID, Label: k.SupplierName + " · " + v.P.T("procurement.chain.tier", "n", k.Tier)})
	}
	f.Types = keyOptions("procurement.site_type.", procurement.SiteKinds())
	v.Data = f
	h.kit.Render(w, r, status, name, v)
}

// readSite reads the site form into v.Form and the input.
func readSite(r *http.Request, v *web.View) procurement.SiteInput {
	for _, k := range siteFields {
		v.Form[k] = r.PostFormValue(k)
	}
	return procurement.SiteInput{SupplierID: v.Form["supplier_id"], Name: v.Form["name"], Address: v.Form["address"],
		Country: v.Form["country"], Type: v.Form["type"], Workers: v.Form["workers"], MigrantShare: v.Form["migrant_share"],
		AgencyShare: v.Form["agency_share"], SeasonalShare: v.Form["seasonal_share"], LabourProvider: v.Form["labour_provider"],
		Accommodation: checked(r, "accommodation")}
}

// fillSite puts a site into the form's values.
func fillSite(v *web.View, s procurement.Site) {
	v.Form["supplier_id"], v.Form["name"], v.Form["address"], v.Form["country"], v.Form["type"] = s.SupplierID, s.Name, s.Address, s.Country, s.Type
	if s.HasWorkforce {
		v.Form["workers"] = strconv.Itoa(s.Workers)
	}
	v.Form["migrant_share"], v.Form["agency_share"] = strconv.Itoa(s.MigrantShare), strconv.Itoa(s.AgencyShare)
	v.Form["seasonal_share"], v.Form["labour_provider"], v.Form["accommodation"] = strconv.Itoa(s.SeasonalShare), s.LabourProvider, flag(s.Accommodation)
}

// showNewSite is the form that records a site of a contract.
func (h *Handler) showNewSite(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.site.new_title")
	c, err := h.svc.Contract(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	h.renderSiteForm(w, r, http.StatusOK, v, "procurement_site_new", &siteForm{Contract: c, Action: "/procurement/contracts/" + c.ID + "/sites/new"})
}

// createSite records a site.
func (h *Handler) createSite(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.site.new_title")
	c, err := h.svc.Contract(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	f := &siteForm{Contract: c, Action: "/procurement/contracts/" + c.ID + "/sites/new"}
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderSiteForm(w, r, status, v, "procurement_site_new", f) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	site, err := h.svc.CreateSite(r.Context(), page.Actor(r), c.ID, readSite(r, v))
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/sites/"+site.ID+"?done=saved", http.StatusSeeOther)
}
