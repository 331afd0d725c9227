package planui

import (
	"net/http"

	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/ui/page"
)

// editFinding is the form that corrects a finding.
func (h *Handler) editFinding(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "actionplan.finding_edit")
	id := r.PathValue("id")
	f, err := h.plan.Finding(r.Context(), page.Actor(r), id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Form["title"], v.Form["description"], v.Form["topic"] = f.Title, f.Description, string(f.Topic)
	v.Form["area_code"], v.Form["priority"] = f.AreaCode, string(f.Priority)
	h.renderFindingForm(w, r, http.StatusOK, v, id)
}

// updateFinding saves the corrected finding.
func (h *Handler) updateFinding(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "actionplan.finding_edit")
	id := r.PathValue("id")
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderFindingForm(w, r, status, v, id) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	for _, k := range []string{"title", "description", "topic", "area_code", "priority"} {
		v.Form[k] = r.PostFormValue(k)
	}
	_, err := h.plan.UpdateFinding(r.Context(), page.Actor(r), id, plan.FindingInput{Title: v.Form["title"], Description: v.Form["description"],
		Topic: plan.Topic(v.Form["topic"]), AreaCode: v.Form["area_code"], Priority: plan.Priority(v.Form["priority"])})
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/plan/findings/"+id+"?done=saved", http.StatusSeeOther)
}
