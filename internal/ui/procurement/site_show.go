package procurementui

import (
	"net/http"

	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
)

// sitePage is a site with its contract and risk list hits.
type sitePage struct {
	Site      procurement.Site
	Contract  procurement.Contract
	Hits      []procurement.Hit
	CanManage bool
}

// showSite is one site.
func (h *Handler) showSite(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.site.show_title")
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
	hits, err := h.svc.SiteHits(ctx, actor, site.ID)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = v.P.T("procurement.done.site")
	}
	v.Data = sitePage{Site: site, Contract: c, Hits: hits, CanManage: canManage(r)}
	h.kit.Render(w, r, http.StatusOK, "procurement_site_show", v)
}
