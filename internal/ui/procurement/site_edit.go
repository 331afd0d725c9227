package procurementui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// showEditSite is the form that changes a site.
func (h *Handler) showEditSite(w http.ResponseWriter, r *http.Request) {
	h.editSite(w, r, false)
}

// updateSite changes a site.
func (h *Handler) updateSite(w http.ResponseWriter, r *http.Request) {
	h.editSite(w, r, true)
}

func (h *Handler) editSite(w http.ResponseWriter, r *http.Request, post bool) {
	v := h.kit.View(r, "procurement.site.edit_title")
	ctx, actor := r.Context(), page.Actor(r)
	site, err := h.svc.Site(ctx, actor, r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	c, err := h.svc.Contract(ctx, actor, site.ContractID)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	f := &siteForm{Contract: c, Site: &site, Action: "/procurement/sites/" + site.ID + "/edit"}
	if !post {
		fillSite(v, site)
		h.renderSiteForm(w, r, http.StatusOK, v, "procurement_site_edit", f)
		return
	}
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderSiteForm(w, r, status, v, "procurement_site_edit", f) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	if _, err := h.svc.UpdateSite(ctx, actor, site.ID, readSite(r, v)); err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/sites/"+site.ID+"?done=saved", http.StatusSeeOther)
}
