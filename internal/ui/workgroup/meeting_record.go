package workgroupui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/workgroup"
)

// meetingRecord records agenda, minutes, decisions, attendance and action
// items; a refusal shows the form again with what was typed.
func (h *Handler) meetingRecord(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "workgroup.meeting_title")
	p, err := h.loadMeeting(r, v)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	render := func(status int) { h.renderMeeting(w, r, status, v, p) }
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, render)
		return
	}
	for _, k := range []string{"agenda", "minutes", "decisions", "action_what", "action_owner", "action_due"} {
		v.Form[k] = r.PostFormValue(k)
	}
	rec := workgroup.Record{Agenda: []string{v.Form["agenda"]}, Minutes: v.Form["minutes"], Decisions: v.Form["decisions"],
		Present: r.PostForm["present"], Statuses: map[string]string{}}
	p.Present = map[string]bool{}
	for _, id := range rec.Present {
		p.Present[id] = true
	}
	for _, a := range p.Actions {
		if st := r.PostFormValue("status_" + a.ID); st != "" {
			rec.Statuses[a.ID], p.Status[a.ID] = st, st
		}
	}
	if strings.TrimSpace(v.Form["action_what"]+v.Form["action_owner"]+v.Form["action_due"]) != "" {
		rec.New = []workgroup.ActionInput{{What: v.Form["action_what"], OwnerOrgID: v.Form["action_owner"], DueOn: v.Form["action_due"]}}
	}
	if _, err := h.wg.RecordMeeting(r.Context(), page.Actor(r), p.ID, rec); err != nil {
		h.kit.FormFailed(w, r, v, err, render)
		return
	}
	http.Redirect(w, r, "/workgroup/meetings/"+p.ID+"?done=recorded", http.StatusSeeOther)
}
