package workgroupui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/workgroup"
)

// meetingForm schedules a meeting (or records one held).
func (h *Handler) meetingForm(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "workgroup.meeting_new_title")
	h.kit.Render(w, r, http.StatusOK, "workgroup_meeting_new", v)
}

// meetingCreate schedules the meeting and shows it.
func (h *Handler) meetingCreate(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "workgroup.meeting_new_title")
	render := func(status int) { h.kit.Render(w, r, status, "workgroup_meeting_new", v) }
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, render)
		return
	}
	for _, k := range []string{"starts_at", "place", "agenda"} {
		v.Form[k] = r.PostFormValue(k)
	}
	m, err := h.wg.CreateMeeting(r.Context(), page.Actor(r), workgroup.MeetingInput{StartsAt: v.Form["starts_at"], Place: v.Form["place"],
		Agenda: []string{v.Form["agenda"]}})
	if err != nil {
		h.kit.FormFailed(w, r, v, err, render)
		return
	}
	http.Redirect(w, r, "/workgroup/meetings/"+m.ID+"?done=created", http.StatusSeeOther)
}
