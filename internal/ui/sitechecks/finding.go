package sitechecksui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// findingPage is a finding with its corrective actions and the forms that
// edit it and add an action.
type findingPage struct {
	Check      sitechecks.Check
	Finding    findingRow
	CanManage  bool
	Severities []web.Option
	actionOptions
}

// actionOptions are the choices of the action form.
type actionOptions struct {
	Owners   []web.Option
	Statuses []web.Option
}

func newActionOptions() actionOptions {
	return actionOptions{Owners: options("sitechecks.owner.", sitechecks.Owners()), Statuses: options("sitechecks.status.", sitechecks.Statuses())}
}

// findingFields and actionFields are the forms' inputs.
var (
	findingFields = []string{"severity", "description"}
	actionFields  = []string{"action", "owner", "due_on", "verification", "verified_on", "status"}
)

func (h *Handler) renderFinding(w http.ResponseWriter, r *http.Request, status int, v *web.View, id string, fill bool) {
	a := page.Actor(r)
	c, f, err := h.checks.Finding(r.Context(), a, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	if fill {
		v.Form["severity"], v.Form["description"] = string(f.Severity), f.Description
	}
	if v.Form["status"] == "" {
		v.Form["status"] = string(sitechecks.Open)
	}
	v.Data = findingPage{Check: c, Finding: findingRow{Finding: f, Text: sitechecks.FindingText(v.P, f), P: v.P}, CanManage: access.Can(a, access.ManageProcurement),
		Severities: options("sitechecks.severity.", sitechecks.Severities()), actionOptions: newActionOptions()}
	h.kit.Render(w, r, status, "sitecheck_finding", v)
}

// showFinding is a finding, its corrective actions and, for the officer,
// the forms.
func (h *Handler) showFinding(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.finding_title")
	notice(v, r)
	h.renderFinding(w, r, http.StatusOK, v, r.PathValue("id"), true)
}

// posted parses the form and copies keys into the view; false when the
// form could not be read (the failure is answered).
func (h *Handler) posted(w http.ResponseWriter, r *http.Request, v *web.View, keys []string, failed func(error)) bool {
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return false
	}
	for _, k := range keys {
		v.Form[k] = r.PostFormValue(k)
	}
	return true
}

// editFinding changes a finding's severity and description.
func (h *Handler) editFinding(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.finding_title")
	id := r.PathValue("id")
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderFinding(w, r, status, v, id, false) })
	}
	if !h.posted(w, r, v, findingFields, failed) {
		return
	}
	checkID, err := h.checks.EditFinding(r.Context(), page.Actor(r), id, sitechecks.FindingInput{Severity: sitechecks.Severity(v.Form["severity"]),
		Description: v.Form["description"], NotAboutPerson: r.PostFormValue(sitechecks.NotAboutPerson) == "yes"})
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/checks/"+checkID+"?done=finding_saved", http.StatusSeeOther)
}

func actionInput(r *http.Request, v *web.View) sitechecks.ActionInput {
	return sitechecks.ActionInput{Action: v.Form["action"], Owner: sitechecks.Owner(v.Form["owner"]), DueOn: v.Form["due_on"],
		Verification: v.Form["verification"], VerifiedOn: v.Form["verified_on"], Status: sitechecks.Status(v.Form["status"]),
		NotAboutPerson: r.PostFormValue(sitechecks.NotAboutPerson) == "yes"}
}

// addAction adds a corrective action to a finding.
func (h *Handler) addAction(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.finding_title")
	id := r.PathValue("id")
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderFinding(w, r, status, v, id, false) })
	}
	if !h.posted(w, r, v, actionFields, failed) {
		return
	}
	checkID, err := h.checks.AddAction(r.Context(), page.Actor(r), id, actionInput(r, v))
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/checks/"+checkID+"?done=action_added", http.StatusSeeOther)
}
