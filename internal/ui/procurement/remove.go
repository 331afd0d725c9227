package procurementui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// removal is the page that asks before a subcontractor or a site is taken
// off a contract: what goes, what stays, and the button that does it. A
// refusal (a site with checks, a subcontractor others hang on) shows on
// the same page.
type removal struct {
	// TitleKey and WhatKey name the page and what goes; Name is what is
	// removed, Subject the contract it belongs to.
	TitleKey, WhatKey string
	Name, Subject     string
	Action, Back      string
}

func (h *Handler) renderRemoval(w http.ResponseWriter, r *http.Request, status int, v *web.View, d removal) {
	v.Data = d
	h.kit.Render(w, r, status, "procurement_remove", v)
}

// subcontractRemoval describes the removal of the subcontract in the path.
func (h *Handler) subcontractRemoval(r *http.Request) (removal, error) {
	ctx, actor, id := r.Context(), page.Actor(r), r.PathValue("id")
	c, err := h.svc.Contract(ctx, actor, id)
	if err != nil {
		return removal{}, err
	}
	chain, err := h.svc.Chain(ctx, actor, id)
	if err != nil {
		return removal{}, err
	}
	for _, k := range chain {
		if k.ID == r.PathValue("sub") {
			return removal{TitleKey: "procurement.remove.subcontract_title", WhatKey: "procurement.remove.subcontract_what",
				Name: k.SupplierName, Subject: c.Subject, Action: "/procurement/contracts/" + id + "/subcontracts/" + k.ID + "/remove",
				Back: "/procurement/contracts/" + id + "#chain"}, nil
		}
	}
	return removal{}, apperr.New(apperr.NotFound, "error.not_found")
}

// askRemoveSubcontract asks before a subcontractor leaves the chain.
func (h *Handler) askRemoveSubcontract(w http.ResponseWriter, r *http.Request) {
	d, err := h.subcontractRemoval(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	h.renderRemoval(w, r, http.StatusOK, h.kit.View(r, d.TitleKey), d)
}

// removeSubcontract takes the subcontractor out of the chain.
func (h *Handler) removeSubcontract(w http.ResponseWriter, r *http.Request) {
	d, err := h.subcontractRemoval(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, d.TitleKey)
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderRemoval(w, r, status, v, d) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	id := r.PathValue("id")
	if err := h.svc.RemoveSubcontract(r.Context(), page.Actor(r), id, r.PathValue("sub")); err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/contracts/"+id+"?done=subcontract_removed#chain", http.StatusSeeOther)
}

// siteRemoval describes the removal of the site in the path.
func (h *Handler) siteRemoval(r *http.Request) (removal, error) {
	ctx, actor := r.Context(), page.Actor(r)
	site, err := h.svc.Site(ctx, actor, r.PathValue("id"))
	if err != nil {
		return removal{}, err
	}
	c, err := h.svc.Contract(ctx, actor, site.ContractID)
	if err != nil {
		return removal{}, err
	}
	return removal{TitleKey: "procurement.remove.site_title", WhatKey: "procurement.remove.site_what", Name: site.Name, Subject: c.Subject,
		Action: "/procurement/sites/" + site.ID + "/remove", Back: "/procurement/sites/" + site.ID}, nil
}

// askRemoveSite asks before a site leaves its contract.
func (h *Handler) askRemoveSite(w http.ResponseWriter, r *http.Request) {
	d, err := h.siteRemoval(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	h.renderRemoval(w, r, http.StatusOK, h.kit.View(r, d.TitleKey), d)
}

// removeSite takes the site off its contract.
func (h *Handler) removeSite(w http.ResponseWriter, r *http.Request) {
	d, err := h.siteRemoval(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, d.TitleKey)
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderRemoval(w, r, status, v, d) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	contractID, err := h.svc.RemoveSite(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/contracts/"+contractID+"?done=site_removed#sites", http.StatusSeeOther)
}
