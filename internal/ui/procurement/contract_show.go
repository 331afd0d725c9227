package procurementui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// contractPage is a contract with its chain, sites, hits and what it
// lacks before award, and, for the officer, the forms that change them.
type contractPage struct {
	Contract procurement.Contract
	CPVLabel string
	Chain    []procurement.Subcontract
	// Sites are a page of the contract's sites: SiteFrom to SiteTo (from
	// 1) of SiteCount; PrevSites and NextSites are the offsets of the pages
	// before and after, "" when there is none.
	Sites                       []procurement.Site
	SiteCount, SiteFrom, SiteTo int
	PrevSites, NextSites        string
	Hits                        []procurement.Hit
	// Missing is what the contract lacks before award, in the reader's
	// language.
	Missing []string
	// Parents are the chain's members a subcontract can hang on.
	Parents   []web.Option
	Suppliers []web.Option
	Today     string
	CanManage bool
}

// Rating returns the contract's rating of a characteristic.
func (p *contractPage) Rating(c string) procurement.Rating {
	for _, r := range p.Contract.Ratings {
		if r.Characteristic == c {
			return r
		}
	}
	return procurement.Rating{Characteristic: c}
}

// loadContractPage reads everything the contract page shows.
func (h *Handler) loadContractPage(r *http.Request, v *web.View, id string) (*contractPage, error) {
	ctx, actor := r.Context(), page.Actor(r)
	c, err := h.svc.Contract(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	p := &contractPage{Contract: c, Today: h.svc.Today(), CanManage: canManage(r)}
	p.CPVLabel, _ = procurement.CPVLabel(c.CPV)
	if p.Chain, err = h.svc.Chain(ctx, actor, id); err != nil {
		return nil, err
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("sites"))
	offset = max(offset, 0)
	if p.Sites, p.SiteCount, err = h.svc.SitePage(ctx, actor, id, offset); err != nil {
		return nil, err
	}
	p.SiteFrom, p.SiteTo = offset+1, offset+len(p.Sites)
	if offset > 0 {
		p.PrevSites = strconv.Itoa(max(offset-procurement.SitePageSize, 0))
	}
	if p.SiteTo < p.SiteCount {
		p.NextSites = strconv.Itoa(p.SiteTo)
	}
	if p.Hits, err = h.svc.ContractHits(ctx, actor, id); err != nil {
		return nil, err
	}
	missing, err := h.svc.Missing(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	for _, m := range missing {
		var args []any
		for k, a := range m.Args {
			args = append(args, k, a)
		}
		p.Missing = append(p.Missing, v.P.T(m.Key, args...))
	}
	if p.CanManage {
		p.Parents = []web.Option{{Value: "", LabelKey: "procurement.choose"}}
		if c.SupplierID != "" {
			p.Parents = append(p.Parents, web.Option{Value: c.SupplierID, Label: c.SupplierName})
		}
		for _, k := range p.Chain {
			p.Parents = append(p.Parents, web.Option{Value: k.SupplierID, Label: k.SupplierName})
		}
		if p.Suppliers, err = h.supplierOptions(r); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// renderContract renders the contract page at status.
func (h *Handler) renderContract(w http.ResponseWriter, r *http.Request, status int, v *web.View, id string) {
	p, err := h.loadContractPage(r, v, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Data = p
	h.kit.Render(w, r, status, "procurement_contract_show", v)
}

// show is one contract.
func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.contract.show_title")
	switch d := r.URL.Query().Get("done"); d {
	case "saved", "rated", "status", "chain", "subcontract", "site":
		v.Notice = v.P.T("procurement.done." + d)
	}
	h.renderContract(w, r, http.StatusOK, v, r.PathValue("id"))
}

// contractFormFailed shows the contract page again with a form's error.
func (h *Handler) contractFormFailed(w http.ResponseWriter, r *http.Request, v *web.View, err error) {
	h.kit.FormFailed(w, r, v, err, func(status int) { h.renderContract(w, r, status, v, r.PathValue("id")) })
}
