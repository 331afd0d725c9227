package planui

import (
	"net/http"

	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type findingForm struct {
	Topics      []web.Option
	Priorities  []web.Option
	SourceKinds []web.Option
	// Edit is the finding being corrected, "" for a new one.
	Edit string
}

func (h *Handler) renderFindingForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, edit string) {
	v.Data = findingForm{Topics: options("actionplan.topic.", plan.Topics()), Priorities: options("actionplan.priority.", plan.Priorities()),
		SourceKinds: options("actionplan.source.", plan.SourceKinds()), Edit: edit}
	h.kit.Render(w, r, status, "actionplan_finding_new", v)
}

// newFinding is the form that records a finding.
func (h *Handler) newFinding(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "actionplan.finding_new")
	v.Form["source_kind"], v.Form["priority"] = string(plan.FromEntered), string(plan.Medium)
	h.renderFindingForm(w, r, http.StatusOK, v, "")
}

// createFinding records a finding.
func (h *Handler) createFinding(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "actionplan.finding_new")
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderFindingForm(w, r, status, v, "") })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	for _, k := range []string{"title", "description", "topic", "area_code", "source_kind", "source_id", "priority"} {
		v.Form[k] = r.PostFormValue(k)
	}
	f, err := h.plan.CreateFinding(r.Context(), page.Actor(r), plan.FindingInput{Title: v.Form["title"], Description: v.Form["description"],
		Topic: plan.Topic(v.Form["topic"]), AreaCode: v.Form["area_code"], SourceKind: plan.SourceKind(v.Form["source_kind"]),
		SourceID: v.Form["source_id"], Priority: plan.Priority(v.Form["priority"])})
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/plan/findings/"+f.ID+"?done=created", http.StatusSeeOther)
}
