package ui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
)

// updateActivity changes an activity of the plan. Its errors are shown in
// that activity's own form, which opens again.
func (h *Handler) updateActivity(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "plan.title")
	if err := parseForm(r); err != nil {
		h.planFailed(w, r, v, err, nil)
		return
	}
	id := r.PathValue("activity")
	in := activityInput(r)
	_, err := h.assistance.UpdateActivity(r.Context(), actor(r), r.PathValue("id"), id, in)
	if err == nil {
		planDone(w, r, "activity", "activity-"+id)
		return
	}
	edit := &planActivityView{Val: map[string]string{"type": in.Type, "responsible_org": in.ResponsibleOrg, "status": in.Status,
		"planned_start": in.PlannedStart, "planned_end": in.PlannedEnd, "done_on": in.DoneOn, "note": in.Note}, Err: map[string]string{}}
	edit.ID = id
	// The summary links to the fields of this activity's form.
	if e := apperr.As(err); len(e.Fields) > 0 {
		fields := make([]apperr.FieldError, len(e.Fields))
		for i, f := range e.Fields {
			edit.Err[f.Field] = v.P.T(f.Key, planArgs(f.Args)...)
			f.Field = id + "." + f.Field
			fields[i] = f
		}
		err = &apperr.Error{Code: e.Code, Key: e.Key, Fields: fields, Cause: e.Cause}
	}
	h.planFailed(w, r, v, err, edit)
}

func planArgs(m map[string]any) []any {
	var out []any
	for k, val := range m {
		out = append(out, k, val)
	}
	return out
}
