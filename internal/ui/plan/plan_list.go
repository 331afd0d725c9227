package planui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type listPage struct {
	Measures  []plan.Measure
	Findings  []plan.Finding
	Owners    []web.Option
	Statuses  []web.Option
	Owner     string
	Status    string
	CanManage bool
}

// list is the plan: measures by status, overdue first, filtered by owner
// and status; then the findings with how far each was followed up.
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "actionplan.title")
	a := page.Actor(r)
	q := r.URL.Query()
	d := listPage{Owner: q.Get("owner"), Status: q.Get("status"), CanManage: access.Can(a, access.ManagePlan)}
	var err error
	if d.Measures, err = h.plan.Measures(r.Context(), a, plan.MeasureFilter{Owner: d.Owner, Status: plan.Status(d.Status)}); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	if d.Findings, err = h.plan.Findings(r.Context(), a, plan.FindingFilter{}); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	if d.Owners, _, err = h.orgOptions(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	d.Owners[0].LabelKey = "actionplan.all_owners"
	d.Statuses = options("actionplan.status.", plan.Statuses())
	d.Statuses[0].LabelKey = "actionplan.all_statuses"
	v.Form["owner"], v.Form["status"] = d.Owner, d.Status
	v.Data = d
	h.kit.Render(w, r, http.StatusOK, "actionplan_list", v)
}
