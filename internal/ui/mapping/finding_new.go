package mappingui

import (
	"net/http"
	"slices"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// findings is what a report or comparison shows of the action plan: the
// findings a round led to, how far each was followed up, and the form
// that records another.
type findings struct {
	List []plan.Finding
	// Record shows the form; Topics, Priorities and Areas are its choices.
	Record                    bool
	Topics, Priorities, Areas []web.Option
}

// roundFindings are the findings of round id the actor may read; nothing
// when the plan is not wired or the actor may not read it.
func (h *Handler) roundFindings(r *http.Request, id string, areas []string) *findings {
	actor := page.Actor(r)
	if h.plan == nil || !access.Can(actor, access.ViewMunicipal) {
		return nil
	}
	list, err := h.plan.FindingsBySource(r.Context(), actor, plan.FromMappingRound, id)
	if err != nil {
		h.kit.Log().Error("load the findings of a mapping round", "round", id, "err", err)
		return nil
	}
	f := &findings{List: list, Record: access.Can(actor, access.ManagePlan)}
	if f.Record {
		for _, t := range plan.Topics() {
			f.Topics = append(f.Topics, web.Option{Value: string(t), LabelKey: "actionplan.topic." + string(t)})
		}
		for _, p := range plan.Priorities() {
			f.Priorities = append(f.Priorities, web.Option{Value: string(p), LabelKey: "actionplan.priority." + string(p)})
		}
		f.Areas = []web.Option{{Value: "", LabelKey: "mapping.whole_city"}}
		all, err := h.mapping.Areas(r.Context())
		if err != nil {
			h.kit.Log().Error("load areas", "err", err)
		}
		for _, a := range all {
			if len(areas) == 0 || slices.Contains(areas, a.Code) {
				f.Areas = append(f.Areas, web.Option{Value: a.Code, Label: a.Name})
			}
		}
	}
	return f
}

// recordFinding records a finding of the action plan that this round led
// to, and shows it in the plan, where measures are taken on it.
func (h *Handler) recordFinding(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	actor := page.Actor(r)
	rd, err := h.mapping.Round(r.Context(), actor, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "mapping.report")
	for _, k := range []string{"title", "description", "topic", "area_code", "priority"} {
		v.Form[k] = r.PostFormValue(k)
	}
	f, err := h.plan.CreateFinding(r.Context(), actor, plan.FindingInput{Title: v.Form["title"], Description: v.Form["description"],
		Topic: plan.Topic(v.Form["topic"]), AreaCode: v.Form["area_code"], SourceKind: plan.FromMappingRound, SourceID: rd.ID,
		Priority: plan.Priority(v.Form["priority"])})
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderReportView(w, r, status, v, rd.ID, false) })
		return
	}
	http.Redirect(w, r, "/plan/findings/"+f.ID+"?done=created", http.StatusSeeOther)
}
