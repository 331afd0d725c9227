package trainingui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/training"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// blankRows is how many empty attendance rows the form offers.
const blankRows = 3

type sessionPage struct {
	training.Session
	CanManage bool
	// Held is true once the session has started: attendance can be
	// recorded.
	Held bool
	Orgs []web.Option
	// GroupOptions are the actor groups of the attendance form.
	GroupOptions []web.Option
	// ContactOrgs are the organisations a contact point can be of.
	ContactOrgs []web.Option
	// Rows are the attendance form's rows, filled from the record or the
	// post.
	Rows []row
}

// row is one row of the attendance form.
type row struct {
	Index                        int
	OrgID, Group, Role, Attended string
	OrgError, GroupError         string
	RoleError, AttendedError     string
}

func (h *Handler) renderSession(w http.ResponseWriter, r *http.Request, status int, v *web.View, p *sessionPage) {
	p.CanManage = canManage(r)
	if p.CanManage {
		orgs, err := h.orgOptions(r, "training.outside_partnership")
		if err != nil {
			h.kit.Fail(w, r, err)
			return
		}
		p.Orgs, p.GroupOptions = orgs, groupOptions("training.group_from_org")
		p.ContactOrgs = append([]web.Option{{Value: "", LabelKey: "training.choose"}}, orgs[1:]...)
	}
	v.Data = p
	for i := range p.Rows {
		n := strconv.Itoa(p.Rows[i].Index)
		p.Rows[i].OrgError, p.Rows[i].GroupError = v.FieldErrors["org_"+n], v.FieldErrors["group_"+n]
		p.Rows[i].RoleError, p.Rows[i].AttendedError = v.FieldErrors["role_"+n], v.FieldErrors["attended_"+n]
	}
	h.kit.Render(w, r, status, "training_session", v)
}

// recordedRows are the form rows of the attendance on record, then blank
// ones.
func recordedRows(s training.Session) []row {
	var out []row
	for i, a := range s.Attendance {
		out = append(out, row{Index: i, OrgID: a.OrgID, Group: a.Group, Role: a.Role, Attended: strconv.Itoa(a.Attended)})
	}
	for i := len(out); i < len(s.Attendance)+blankRows; i++ {
		out = append(out, row{Index: i})
	}
	return out
}

// sessionShow is a session with its materials, attendance and trained
// contact points, and for the coordinator the attendance form.
func (h *Handler) sessionShow(w http.ResponseWriter, r *http.Request) {
	s, err := h.training.Session(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "training.session_title")
	switch r.URL.Query().Get("done") {
	case "created":
		v.Notice = v.P.T("training.done_session")
	case "attendance":
		v.Notice = v.P.T("training.done_attendance")
	}
	h.renderSession(w, r, http.StatusOK, v, &sessionPage{Session: s, Held: held(s), Rows: recordedRows(s)})
}

// Number is the row's number as people count, from 1.
func (r row) Number() int { return r.Index + 1 }
