package planui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type findingPage struct {
	Finding     plan.Finding
	CanManage   bool
	Results     []web.Option
	SourceKinds []web.Option
}

func (h *Handler) renderFinding(w http.ResponseWriter, r *http.Request, status int, v *web.View, id string) {
	a := page.Actor(r)
	f, err := h.plan.Finding(r.Context(), a, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	if v.Form["source_kind"] == "" {
		v.Form["source_kind"] = string(plan.FromEntered)
	}
	v.Data = findingPage{Finding: f, CanManage: access.Can(a, access.ManagePlan),
		Results: options("actionplan.result.", plan.Results()), SourceKinds: options("actionplan.source.", plan.SourceKinds())}
	h.kit.Render(w, r, status, "actionplan_finding", v)
}

// showFinding is a finding with its measures, its re-checks and, for the
// coordinator, the form that records a re-check.
func (h *Handler) showFinding(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "actionplan.finding")
	notice(v, r)
	h.renderFinding(w, r, http.StatusOK, v, r.PathValue("id"))
}

// recheck records what a later round, a meeting or the coordinator found
// about a finding.
func (h *Handler) recheck(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "actionplan.finding")
	id := r.PathValue("id")
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderFinding(w, r, status, v, id) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	for _, k := range []string{"result", "checked_on", "source_kind", "source_id", "note"} {
		v.Form[k] = r.PostFormValue(k)
	}
	_, err := h.plan.RecheckFinding(r.Context(), page.Actor(r), id, plan.RecheckInput{Result: plan.Result(v.Form["result"]),
		CheckedOn: v.Form["checked_on"], SourceKind: plan.SourceKind(v.Form["source_kind"]), SourceID: v.Form["source_id"], Note: v.Form["note"]})
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/plan/findings/"+id+"?done=rechecked", http.StatusSeeOther)
}
