package ui

import (
	"net/http"

	"waymark.city/waymark/internal/assistance"
)

// activityInput reads the activity form.
func activityInput(r *http.Request) assistance.ActivityInput {
	return assistance.ActivityInput{Type: r.PostFormValue("type"), ResponsibleOrg: r.PostFormValue("responsible_org"),
		Status: r.PostFormValue("status"), PlannedStart: r.PostFormValue("planned_start"), PlannedEnd: r.PostFormValue("planned_end"),
		DoneOn: r.PostFormValue("done_on"), Note: r.PostFormValue("note")}
}

// createActivity adds an activity to the plan of a case.
func (h *Handler) createActivity(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "plan.title")
	if err := parseForm(r); err != nil {
		h.planFailed(w, r, v, err, nil)
		return
	}
	in := activityInput(r)
	for k, val := range map[string]string{"type": in.Type, "responsible_org": in.ResponsibleOrg, "status": in.Status,
		"planned_start": in.PlannedStart, "planned_end": in.PlannedEnd, "note": in.Note} {
		v.Form[k] = val
	}
	if _, err := h.assistance.AddActivity(r.Context(), actor(r), r.PathValue("id"), in); err != nil {
		h.planFailed(w, r, v, err, nil)
		return
	}
	planDone(w, r, "activity", "plan")
}
