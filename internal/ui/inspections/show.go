package inspectionsui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/inspections"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type showPage struct {
	inspections.Inspection
	Names vocabulary
	// CanScreen offers "screen a worker" to those who screen.
	CanScreen bool
}

// Counted is how many linked screenings the reader may not open: they
// are counted, not listed.
func (p showPage) Counted() int {
	n := 0
	for _, l := range p.Linked {
		if !l.Open {
			n++
		}
	}
	return n
}

func (h *Handler) renderShow(w http.ResponseWriter, r *http.Request, status int, v *web.View, in inspections.Inspection) {
	names, err := h.vocabulary(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	if in.Status == inspections.Held && v.Form["held_on"] == "" {
		v.Form["held_on"], v.Form["follow_up"] = in.HeldOn, in.FollowUp
		v.Form["workers_met"] = strconv.Itoa(in.WorkersMet)
	}
	v.Data = showPage{Inspection: in, Names: names, CanScreen: access.Can(page.Actor(r), access.EvaluateScreening)}
	h.kit.Render(w, r, status, "inspections_show", v)
}

// show is an inspection with its agencies and sites and the outcome form.
func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	in, err := h.inspections.Get(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "inspections.show_title")
	switch r.URL.Query().Get("done") {
	case "planned":
		v.Notice = v.P.T("inspections.done_planned")
	case "outcome":
		v.Notice = v.P.T("inspections.done_outcome")
	}
	h.renderShow(w, r, http.StatusOK, v, in)
}

// outcome records what the inspection found.
func (h *Handler) outcome(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	in, err := h.inspections.Get(r.Context(), page.Actor(r), id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "inspections.show_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderShow(w, r, status, v, in) })
		return
	}
	for _, k := range []string{"held_on", "workers_met", "follow_up"} {
		v.Form[k] = r.PostFormValue(k)
	}
	if _, err := h.inspections.Record(r.Context(), page.Actor(r), id, inspections.Outcome{HeldOn: v.Form["held_on"], WorkersMet: v.Form["workers_met"],
		FollowUp: v.Form["follow_up"]}); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderShow(w, r, status, v, in) })
		return
	}
	http.Redirect(w, r, "/inspections/"+id+"?done=outcome", http.StatusSeeOther)
}
