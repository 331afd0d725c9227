package sitechecksui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// actionPage is a corrective action with its finding and the form that
// changes it.
type actionPage struct {
	Check       sitechecks.Check
	Finding     sitechecks.Finding
	FindingText string
	Action      sitechecks.Action
	CanManage   bool
	actionOptions
}

func (h *Handler) renderAction(w http.ResponseWriter, r *http.Request, status int, v *web.View, id string, fill bool) {
	a := page.Actor(r)
	c, f, act, err := h.checks.Action(r.Context(), a, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	if fill {
		v.Form["action"], v.Form["owner"], v.Form["due_on"] = act.Action, string(act.Owner), act.DueOn
		v.Form["verification"], v.Form["verified_on"], v.Form["status"] = act.Verification, act.VerifiedOn, string(act.Status)
	}
	v.Data = actionPage{Check: c, Finding: f, FindingText: sitechecks.FindingText(v.P, f), Action: act,
		CanManage: access.Can(a, access.ManageProcurement), actionOptions: newActionOptions()}
	h.kit.Render(w, r, status, "sitecheck_action", v)
}

// showAction is a corrective action and, for the officer, the form that
// records its progress and verification.
func (h *Handler) showAction(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.action_title")
	h.renderAction(w, r, http.StatusOK, v, r.PathValue("id"), true)
}

// editAction changes a corrective action.
func (h *Handler) editAction(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.action_title")
	id := r.PathValue("id")
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderAction(w, r, status, v, id, false) })
	}
	if !h.posted(w, r, v, actionFields, failed) {
		return
	}
	checkID, err := h.checks.EditAction(r.Context(), page.Actor(r), id, actionInput(r, v))
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/checks/"+checkID+"?done=action_saved", http.StatusSeeOther)
}
