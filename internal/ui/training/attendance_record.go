package trainingui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/training"
	"waymark.city/waymark/internal/ui/page"
)

// maxFormRows bounds the rows read from a posted attendance form.
const maxFormRows = 200

func held(s training.Session) bool { return !s.StartsAt.After(time.Now()) }

// attendanceRecord replaces the session's attendance counts and adds a
// trained contact point when one is named; a refusal shows the form again
// with what was typed.
func (h *Handler) attendanceRecord(w http.ResponseWriter, r *http.Request) {
	s, err := h.training.Session(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "training.session_title")
	p := &sessionPage{Session: s, Held: held(s), Rows: recordedRows(s)}
	render := func(status int) { h.renderSession(w, r, status, v, p) }
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, render)
		return
	}
	var rows []training.AttendanceInput
	p.Rows = nil
	for i := 0; i < maxFormRows; i++ {
		n := strconv.Itoa(i)
		if _, ok := r.PostForm["attended_"+n]; !ok {
			break
		}
		in := training.AttendanceInput{Index: i, OrgID: r.PostFormValue("org_" + n), Group: r.PostFormValue("group_" + n),
			Role: r.PostFormValue("role_" + n), Attended: r.PostFormValue("attended_" + n)}
		rows = append(rows, in)
		p.Rows = append(p.Rows, row{Index: i, OrgID: in.OrgID, Group: in.Group, Role: in.Role, Attended: in.Attended})
	}
	for _, k := range []string{"contact_org", "contact_name", "contact_function"} {
		v.Form[k] = r.PostFormValue(k)
	}
	var contact *training.ContactInput
	if strings.TrimSpace(v.Form["contact_org"]+v.Form["contact_name"]+v.Form["contact_function"]) != "" {
		contact = &training.ContactInput{OrgID: v.Form["contact_org"], Name: v.Form["contact_name"], Function: v.Form["contact_function"]}
	}
	if _, err := h.training.RecordAttendance(r.Context(), page.Actor(r), s.ID, rows, contact); err != nil {
		h.kit.FormFailed(w, r, v, err, render)
		return
	}
	http.Redirect(w, r, "/training/sessions/"+s.ID+"?done=attendance", http.StatusSeeOther)
}
