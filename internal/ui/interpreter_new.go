package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/interpreters"
	"waymark.city/waymark/internal/web"
)

// interpreterPage is an entry of the register with, for a coordinator, the
// form that adds or changes it (the same page adds a new one).
type interpreterPage struct {
	Entry     *interpreters.Entry
	Action    string
	CanManage bool
	Kinds     []web.Option
	Orgs      []web.Option
	// Flags are the ticked checkboxes of the form.
	Flags map[string]bool
}

func (h *Handler) renderInterpreter(w http.ResponseWriter, r *http.Request, status int, v *web.View, page *interpreterPage) {
	page.CanManage = access.Can(actor(r), access.ManageInterpreters)
	if page.CanManage {
		orgs, err := h.assistance.Organisations(r.Context(), actor(r))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		page.Orgs = []web.Option{{Value: "", LabelKey: "interpreters.no_org"}}
		for _, o := range orgs {
			page.Orgs = append(page.Orgs, web.Option{Value: o.ID, Label: o.Name})
		}
		page.Kinds = []web.Option{{Value: "", LabelKey: "plan.choose"}}
		for _, k := range interpreters.Kinds() {
			page.Kinds = append(page.Kinds, web.Option{Value: k, LabelKey: "interpreters.kind." + k})
		}
	}
	v.Data = page
	h.shell.Render(w, r, status, "interpreter_show", v)
}

// showNewInterpreter is the form that adds an entry to the register.
func (h *Handler) showNewInterpreter(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "interpreters.new_title")
	h.renderInterpreter(w, r, http.StatusOK, v, &interpreterPage{Action: "/interpreters", Flags: map[string]bool{"active": true}})
}

// interpreterInput reads the register form.
func interpreterInput(r *http.Request, v *web.View) (interpreters.Input, map[string]bool) {
	for _, k := range []string{"name", "languages", "kind", "confidentiality_on", "availability", "org"} {
		v.Form[k] = r.PostFormValue(k)
	}
	flags := map[string]bool{}
	for _, k := range []string{"trafficking_trained", "child_trained", "active"} {
		flags[k] = r.PostFormValue(k) == "1"
	}
	return interpreters.Input{Name: v.Form["name"], Contact: r.PostFormValue("contact"), Languages: strings.Split(v.Form["languages"], ","),
		Kind: v.Form["kind"], TraffickingTrained: flags["trafficking_trained"], ChildTrained: flags["child_trained"],
		ConfidentialityOn: v.Form["confidentiality_on"], Availability: v.Form["availability"], OrgID: v.Form["org"], Active: flags["active"]}, flags
}

// createInterpreter adds an entry to the register.
func (h *Handler) createInterpreter(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "interpreters.new_title")
	page := &interpreterPage{Action: "/interpreters", Flags: map[string]bool{}}
	if err := parseForm(r); err != nil {
		h.formFailed(w, r, v, err, func(status int) { h.renderInterpreter(w, r, status, v, page) })
		return
	}
	in, flags := interpreterInput(r, v)
	page.Flags = flags
	it, err := h.interpreters.Create(r.Context(), actor(r), in)
	if err != nil {
		h.formFailed(w, r, v, err, func(status int) { h.renderInterpreter(w, r, status, v, page) })
		return
	}
	http.Redirect(w, r, "/interpreters/"+it.ID+"?done=created", http.StatusSeeOther)
}
