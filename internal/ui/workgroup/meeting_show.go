package workgroupui

import (
	"net/http"
	"slices"
	"strings"

	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
	"waymark.city/waymark/internal/workgroup"
)

type meetingPage struct {
	workgroup.MeetingPage
	CanManage bool
	Orgs      []web.Option
	Statuses  []web.Option
	// Present are the members ticked in the form.
	Present map[string]bool
	// Status is each action item's status in the form.
	Status map[string]string
}

// MemberName names a member: the person, or the organisation.
func (p meetingPage) MemberName(id string) string {
	for _, m := range p.Members {
		if m.ID == id {
			if m.Name != "" {
				return m.Name + " (" + m.OrgName + ")"
			}
			return m.OrgName
		}
	}
	return ""
}

func (h *Handler) renderMeeting(w http.ResponseWriter, r *http.Request, status int, v *web.View, p *meetingPage) {
	p.CanManage = canManage(r)
	if p.CanManage {
		orgs, err := h.orgOptions(r)
		if err != nil {
			h.kit.Fail(w, r, err)
			return
		}
		p.Orgs = orgs
		for _, s := range workgroup.Statuses() {
			p.Statuses = append(p.Statuses, web.Option{Value: s, LabelKey: "workgroup.status." + s})
		}
	}
	v.Data = p
	h.kit.Render(w, r, status, "workgroup_meeting", v)
}

// loadMeeting reads the meeting (its minutes, audited) and fills the form
// with what is recorded.
func (h *Handler) loadMeeting(r *http.Request, v *web.View) (*meetingPage, error) {
	m, err := h.wg.Meeting(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := &meetingPage{MeetingPage: m, Present: map[string]bool{}, Status: map[string]string{}}
	for _, id := range m.Present {
		p.Present[id] = true
	}
	for _, a := range m.Actions {
		p.Status[a.ID] = a.Status
	}
	v.Form["agenda"] = strings.Join(m.Agenda, "\n")
	v.Form["minutes"], v.Form["decisions"] = m.Minutes, m.Decisions
	return p, nil
}

// meetingShow is a meeting with its minutes and, for the coordinator, the
// form that records them.
func (h *Handler) meetingShow(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "workgroup.meeting_title")
	p, err := h.loadMeeting(r, v)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	if done := r.URL.Query().Get("done"); slices.Contains([]string{"created", "recorded"}, done) {
		v.Notice = v.P.T("workgroup.done_meeting_" + done)
	}
	h.renderMeeting(w, r, http.StatusOK, v, p)
}
