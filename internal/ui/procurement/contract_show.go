package procurementui

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// contractPage is a contract with its chain, sites, hits and what it
// lacks before award, and, for the officer, the links that change them.
type contractPage struct {
	procurement.ContractView
	CPVLabel string
	// SiteTable is the page of sites, laid out (see siteTables).
	SiteTable template.HTML
	// Missing is what the contract lacks before award, in the reader's
	// language.
	MissingText []string
	Today       string
	CanManage   bool
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

// siteTable is a page of a contract's sites as the contract page lists
// them: everything the table shows, so that equal tables lay out alike.
type siteTable struct {
	P               *i18n.Printer
	ContractID      string
	Sites           []procurement.Site
	From, To, Count int
	Prev, Next      string
}

func (t siteTable) same(o siteTable) bool {
	return t.P.Lang() == o.P.Lang() && t.ContractID == o.ContractID && t.From == o.From && t.Count == o.Count && slices.Equal(t.Sites, o.Sites)
}

// siteTables keeps the site tables last laid out, one per contract and
// language. A contract with hundreds of sites is read far more often than
// its sites change, and laying out its fifty rows is most of the page's
// work; a table read again equal to the kept one is not laid out again.
// At most maxSiteTables are kept; past that, any one makes room.
type siteTables struct {
	mu   sync.Mutex
	kept map[string]laidOutTable
}

type laidOutTable struct {
	table siteTable
	html  template.HTML
}

const maxSiteTables = 256

func (c *siteTables) layOut(shell *web.Shell, t siteTable) (template.HTML, error) {
	key := t.ContractID + "|" + t.P.Lang()
	c.mu.Lock()
	kept, ok := c.kept[key]
	c.mu.Unlock()
	if ok && kept.table.same(t) {
		return kept.html, nil
	}
	html, err := shell.Fragment("procurement_site_table", t)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kept == nil {
		c.kept = map[string]laidOutTable{}
	}
	if _, ok := c.kept[key]; !ok && len(c.kept) >= maxSiteTables {
		for k := range c.kept {
			delete(c.kept, k)
			break
		}
	}
	c.kept[key] = laidOutTable{table: t, html: html}
	return html, nil
}

// loadContractPage reads everything the contract page shows, in one read.
func (h *Handler) loadContractPage(r *http.Request, v *web.View, id string) (*contractPage, error) {
	offset, _ := strconv.Atoi(r.URL.Query().Get("sites"))
	offset = max(offset, 0)
	cv, err := h.svc.ContractPage(r.Context(), page.Actor(r), id, offset)
	if err != nil {
		return nil, err
	}
	p := &contractPage{ContractView: cv, Today: h.svc.Today(), CanManage: canManage(r)}
	p.CPVLabel, _ = procurement.CPVLabel(cv.Contract.CPV)
	t := siteTable{P: v.P, ContractID: id, Sites: cv.Sites, From: offset + 1, To: offset + len(cv.Sites), Count: cv.SiteCount}
	if offset > 0 {
		t.Prev = strconv.Itoa(max(offset-procurement.SitePageSize, 0))
	}
	if t.To < t.Count {
		t.Next = strconv.Itoa(t.To)
	}
	if len(cv.Sites) > 0 {
		if p.SiteTable, err = h.tables.layOut(h.kit.Shell(), t); err != nil {
			return nil, err
		}
	}
	for _, m := range cv.Missing {
		var args []any
		for k, a := range m.Args {
			args = append(args, k, a)
		}
		p.MissingText = append(p.MissingText, v.P.T(m.Key, args...))
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
	case "saved", "rated", "status", "chain", "subcontract", "site", "subcontract_removed", "site_removed":
		v.Notice = v.P.T("procurement.done." + d)
	}
	h.renderContract(w, r, http.StatusOK, v, r.PathValue("id"))
}

// contractFormFailed shows the contract page again with a form's error.
func (h *Handler) contractFormFailed(w http.ResponseWriter, r *http.Request, v *web.View, err error) {
	h.kit.FormFailed(w, r, v, err, func(status int) { h.renderContract(w, r, status, v, r.PathValue("id")) })
}
