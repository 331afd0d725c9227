package sitechecksui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/ui/page"
)

// listPage is the checks of a contract or of a site.
type listPage struct {
	Contract  *procurement.Contract
	Site      *procurement.Site
	List      sitechecks.List
	CanManage bool
	// From and To number the checks shown; Prev and Next are the offsets
	// of the pages before and after, "" when there is none.
	From, To   int
	Prev, Next string
}

// contractChecks lists the checks of a contract's sites with their
// findings, overdue corrective actions and screenings started, and the
// exports.
func (h *Handler) contractChecks(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.contract_title")
	a := page.Actor(r)
	offset, _ := strconv.Atoi(r.URL.Query().Get("checks"))
	c, l, err := h.checks.CheckPage(r.Context(), a, r.PathValue("id"), offset)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p := listPage{Contract: &c, List: l, CanManage: access.Can(a, access.ManageProcurement), From: l.Offset + 1, To: l.Offset + len(l.Checks)}
	if l.Offset > 0 {
		p.Prev = strconv.Itoa(max(l.Offset-sitechecks.CheckPageSize, 0))
	}
	if p.To < l.Total {
		p.Next = strconv.Itoa(p.To)
	}
	v.Data = p
	h.kit.Render(w, r, http.StatusOK, "sitecheck_list", v)
}

// siteChecks lists the checks of a site, with the link that starts one.
func (h *Handler) siteChecks(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.site_title")
	a := page.Actor(r)
	s, l, err := h.checks.ChecksOfSite(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Data = listPage{Site: &s, List: l, CanManage: access.Can(a, access.ManageProcurement)}
	h.kit.Render(w, r, http.StatusOK, "sitecheck_list", v)
}
