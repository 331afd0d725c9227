package workgroupui

import (
	"net/http"
	"time"

	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
	"waymark.city/waymark/internal/workgroup"
)

type memberPage struct {
	Orgs []web.Option
}

func (h *Handler) renderMember(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	orgs, err := h.orgOptions(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Data = memberPage{Orgs: orgs}
	h.kit.Render(w, r, status, "workgroup_member_new", v)
}

// memberForm adds an organisation or a named person to the group.
func (h *Handler) memberForm(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "workgroup.member_new_title")
	v.Form["joined_on"] = time.Now().Format(time.DateOnly)
	h.renderMember(w, r, http.StatusOK, v)
}

// memberCreate adds the member.
func (h *Handler) memberCreate(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "workgroup.member_new_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderMember(w, r, status, v) })
		return
	}
	for _, k := range []string{"org", "name", "function", "joined_on"} {
		v.Form[k] = r.PostFormValue(k)
	}
	_, err := h.wg.AddMember(r.Context(), page.Actor(r), workgroup.MemberInput{OrgID: v.Form["org"], Name: v.Form["name"],
		Function: v.Form["function"], JoinedOn: v.Form["joined_on"]})
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderMember(w, r, status, v) })
		return
	}
	http.Redirect(w, r, "/workgroup?done=member", http.StatusSeeOther)
}
