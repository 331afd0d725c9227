package trainingui

import (
	"net/http"

	"waymark.city/waymark/internal/training"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type needPage struct {
	Orgs, Groups, Priorities, Sources []web.Option
}

func (h *Handler) renderNeed(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	orgs, err := h.orgOptions(r, "training.no_org")
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p := needPage{Orgs: orgs, Groups: groupOptions("training.group_from_org"),
		Sources: []web.Option{{Value: training.Entered, LabelKey: "training.source." + training.Entered},
			{Value: training.FromMapping, LabelKey: "training.source." + training.FromMapping}}}
	p.Priorities = []web.Option{{Value: "", LabelKey: "training.choose"}}
	for _, pr := range training.Priorities() {
		p.Priorities = append(p.Priorities, web.Option{Value: pr, LabelKey: "training.priority." + pr})
	}
	v.Data = p
	h.kit.Render(w, r, status, "training_need_new", v)
}

// needForm records a training need.
func (h *Handler) needForm(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "training.need_new_title")
	// The mapping report links here with its round as the source.
	q := r.URL.Query()
	v.Form["source_kind"], v.Form["source_id"] = q.Get("source_kind"), q.Get("source_id")
	h.renderNeed(w, r, http.StatusOK, v)
}

// needCreate records the need and goes back to the overview.
func (h *Handler) needCreate(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "training.need_new_title")
	render := func(status int) { h.renderNeed(w, r, status, v) }
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, render)
		return
	}
	for _, k := range []string{"org", "group", "role", "topic", "priority", "source_kind", "source_id"} {
		v.Form[k] = r.PostFormValue(k)
	}
	_, err := h.training.CreateNeed(r.Context(), page.Actor(r), training.NeedInput{OrgID: v.Form["org"], Group: v.Form["group"],
		Role: v.Form["role"], Topic: v.Form["topic"], Priority: v.Form["priority"], SourceKind: v.Form["source_kind"], SourceID: v.Form["source_id"]})
	if err != nil {
		h.kit.FormFailed(w, r, v, err, render)
		return
	}
	http.Redirect(w, r, "/training?done=need", http.StatusSeeOther)
}
